using System.Globalization;
using Interop.Cli.Commands;
using Interop.Core;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>
/// The checks of one array run, on rank 0. Each backend: sum(y) equals sum(x) to rounding (they are
/// equal in exact arithmetic), the means of sampled columns and y at sampled elements are the spec's
/// bits (<see cref="ArraySpec"/>, computed here from the generator), and for n up to
/// <see cref="ReferenceOrder"/> the checksum is the spec's own over all of y. The backends: the same
/// checksum, y being the same bits everywhere.
/// </summary>
internal sealed class ArrayCheck
{
    /// <summary>Orders up to this get the spec's checksum computed here, in C#, over all of y.</summary>
    public const int ReferenceOrder = 2048;

    /// <summary>|sum(y) - sum(x)| over n^2 (each element is below 2): far above any order of adding's rounding, far below a wrong element.</summary>
    public const double SumTolerance = 1e-9;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // The spec's checksums of generated x already computed in this process, by (n, seed).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int N, ulong Seed), ulong> GeneratedReferences = new();

    private readonly IReadOnlyList<ArrayMeasurement> results;
    private readonly string?[] own;
    private readonly string? disagreement;

    private ArrayCheck(ArrayShape shape, IReadOnlyList<ArrayMeasurement> results)
    {
        this.results = results;
        Reference = shape.N <= ReferenceOrder ? ReferenceOf(shape) : null;
        own = [.. results.Select(r => Own(r, Reference))];
        ulong[] checksums = [.. results.Where((_, i) => own[i] is null).Select(r => r.Result.Checksum).Distinct()];
        disagreement = checksums.Length > 1
            ? $"backends disagree on y's checksum: {string.Join(", ", results.Select(r => $"{r.Backend} {Hex(r.Result.Checksum)}"))}"
            : null;
        int failed = Array.FindIndex(own, o => o is not null);
        Verdict = failed >= 0 ? Verdict.Failed($"{results[failed].Backend}: {own[failed]}")
            : disagreement is not null ? Verdict.Failed(disagreement)
            : Verdict.Ok;
    }

    /// <summary>The spec's checksum of all of y, for n up to <see cref="ReferenceOrder"/>; null above.</summary>
    public ulong? Reference { get; }

    public Verdict Verdict { get; }

    public static ArrayCheck Of(ArrayShape shape, IReadOnlyList<ArrayMeasurement> results) => new(shape, results);

    /// <summary>"0x1f3a..." as the checksum is printed.</summary>
    public static string Hex(ulong checksum) => $"0x{checksum:x16}";

    /// <summary>
    /// The means from the tiles' sums (<paramref name="tileSums"/>: tile t's sum of column j at t n + j): each
    /// column's tiles added in tile order, divided by n, into <paramref name="means"/>; returns sum(x), the
    /// columns' totals added in column order.
    /// </summary>
    public static double Means(ReadOnlySpan<double> tileSums, long n, Span<double> means)
    {
        long tiles = tileSums.Length / n;
        means[..(int)n].Clear();
        for (long t = 0; t < tiles; t++)
        {
            ReadOnlySpan<double> tile = tileSums.Slice((int)(t * n), (int)n);
            for (int j = 0; j < n; j++)
            {
                means[j] += tile[j];
            }
        }

        double sumX = 0;
        for (int j = 0; j < n; j++)
        {
            sumX += means[j];
            means[j] /= n;
        }

        return sumX;
    }

    /// <summary>
    /// The spec's means of a few columns (the first, the last, and some between) against <paramref name="means"/>, and
    /// y at some rows of those columns against <paramref name="y"/> (null: y was not kept; only the rows in <paramref name="rows"/>,
    /// by default all): null, or the first difference. x is the generator's, or <paramref name="x"/>'s (the file case's input).
    /// </summary>
    public static string? Spot(ArrayShape shape, ReadOnlySpan<double> means, Func<long, long, double>? y, IndexRange? rows = null, Func<long, long, double>? x = null)
    {
        x ??= (i, j) => ArraySpec.X(shape.Seed, shape.N, i, j);
        IndexRange held = rows ?? new IndexRange(0, shape.N);
        int n = shape.N;
        int[] columns = [.. new[] { 0, n - 1, n / 2, n / 3, (2 * n) / 3, Math.Min(n - 1, 255), Math.Min(n - 1, 256), n / 7 }.Distinct()];
        foreach (int j in columns)
        {
            double expected = SpecMean(shape.N, x, j);
            if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(means[j]))
            {
                return FormattableString.Invariant($"the mean of column {j} is {means[j]:R}, the spec's {expected:R}");
            }

            for (int k = 0; y is not null && k < columns.Length; k++)
            {
                long i = columns[k];
                if (i < held.Begin || i >= held.End)
                {
                    continue;
                }

                double spec = (x(i, j) + x(j, i)) - expected;
                double got = y(i, j);
                if (BitConverter.DoubleToInt64Bits(spec) != BitConverter.DoubleToInt64Bits(got))
                {
                    return FormattableString.Invariant($"y[{i}][{j}] is {got:R}, the spec's {spec:R}");
                }
            }
        }

        return null;
    }

    // Column j's mean as the spec adds it: each tile's rows in order from 0, the tiles in order, over n.
    private static double SpecMean(int n, Func<long, long, double> x, int j)
    {
        double total = 0;
        for (int first = 0; first < n; first += ArraySpec.TileRows)
        {
            double tile = 0;
            for (int i = first; i < Math.Min(n, first + ArraySpec.TileRows); i++)
            {
                tile += x(i, j);
            }

            total += tile;
        }

        return total / n;
    }

    // x of the run: the file case's from its input (small: n <= ReferenceOrder), else from the generator.
    // The spec's checksum of y, computed once per generated (n, seed) in a process: compare checks every
    // point of an order against it, and each computation builds x and y in C#. A file's x is read each time.
    private static ulong ReferenceOf(ArrayShape shape)
    {
        if (shape.Files is not null)
        {
            return ArraySpec.Checksum(ArraySpec.Evaluate(XOf(shape), shape.N));
        }

        return GeneratedReferences.GetOrAdd((shape.N, shape.Seed), key => ArraySpec.Checksum(ArraySpec.Evaluate(ArraySpec.GenerateX(key.N, key.Seed), key.N)));
    }

    private static double[] XOf(ArrayShape shape) =>
        shape.Files is { } files ? NpyFile.ReadSquare(files.Input).Data : ArraySpec.GenerateX(shape.N, shape.Seed);

    /// <summary>The check column of backend <paramref name="index"/>: ok, FAILED (its own check), MISMATCH (with the others).</summary>
    public string Column(int index) => own[index] is not null ? "FAILED" : disagreement is not null ? "MISMATCH" : "ok";

    /// <summary>The point's check in words: "checksum=0x..." with why it failed where it did.</summary>
    public string PointCheck(int index) =>
        $"checksum={Hex(results[index].Result.Checksum)}" + Column(index) switch
        {
            "ok" => Reference is null ? " (spot-checked)" : " (the spec's)",
            "FAILED" => $" ({own[index]})",
            _ => " (backends disagree)",
        };

    /// <summary>The verification line under the table.</summary>
    public string Line()
    {
        if (!Verdict.Passed)
        {
            return $"check: FAILED, {Verdict.Failure}";
        }

        ArrayResult first = results[0].Result;
        double largest = results.Max(r => Math.Abs(r.Result.Sum - r.Result.SumX));
        return $"verified: y's checksum {Hex(first.Checksum)} on all {results.Count} backend(s)" +
            (Reference is null ? $", the spec's column means and y at sampled elements (n > {ReferenceOrder}: the spec's whole checksum is not computed)" : ", the spec's checksum of all of y") +
            FormattableString.Invariant($"; sum(y) - sum(x) at most {largest:0.0e0} (sum(x) = {first.SumX:0.000000e0})");
    }

    // A backend's own checks: the sum, the spot check, the spec's checksum.
    private static string? Own(ArrayMeasurement r, ulong? reference)
    {
        ArrayResult result = r.Result;
        double n2 = (double)r.Shape.N * r.Shape.N;
        if (!(Math.Abs(result.Sum - result.SumX) <= SumTolerance * n2))
        {
            return string.Create(Invariant, $"sum(y) {result.Sum:R} is not sum(x) {result.SumX:R} (tolerance {SumTolerance:0e0} x n^2)");
        }

        if (result.SpotCheck is string spot)
        {
            return spot;
        }

        return reference is ulong expected && expected != result.Checksum
            ? $"y's checksum {Hex(result.Checksum)} is not the spec's {Hex(expected)}"
            : null;
    }
}
