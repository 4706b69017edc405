using System.Globalization;
using Interop.Cli.Commands;
using Interop.Cli.Schema;
using Interop.Core;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>Measured array results and their checks (<see cref="ArrayCheck"/>), as text or as the schema's document.</summary>
internal sealed class ArrayReport(ArrayOptions options, string job, IReadOnlyList<ArrayMeasurement> results, ArrayCheck check) : IRunReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public Verdict Verdict => check.Verdict;

    public string CheckLine => check.Line();

    private static SpeedupPoint Describe(ArrayMeasurement r) => new(r.Backend, IsaNames.Name(r.Isa), r.Ranks, r.Threads, r.Shape.N, r.Shape.Bytes / 1e9, r.Stats);

    private Speedup? SpeedupOf(ArrayMeasurement r) => Speedups.Of(r, results, Describe);

    public void WriteText(TextWriter output)
    {
        int ranks = results[0].Ranks;
        output.WriteLine(
            $"Chunked array, y = x + x.T - x.mean(axis=0): {options.Shape.Text}; {job}, {ranks} rank(s) x " +
            $"{options.Threads.Threads} thread(s) per parallel backend (from {options.Threads.Source}), " +
            StatsText.Runs(options.Repeats, options.Warmup, results.Select(r => r.Seconds.Count)));
        output.WriteLine($"GB/s: {ByteSize.Text(options.Shape.Bytes)} a run (x read twice, y written once: the memory case's least traffic) over the median time");
        output.WriteLine($"Environment: {EnvironmentInfo.Summary()}");
        output.WriteLine();

        IReadOnlyList<TableColumn> columns = ArrayWorkload.Instance.CommandColumns(ranks > 1);
        var rows = results.Select((r, i) => new[]
        {
            r.Backend,
            IsaNames.Name(r.Isa),
            r.Ranks.ToString(Invariant),
            r.Threads.ToString(Invariant),
            r.Shape.N.ToString(Invariant),
            r.Shape.Chunk.ToString(Invariant),
            Units.Seconds(r.Stats.Median),
            StatsText.Ci(r.Stats),
            r.Seconds.Count.ToString(Invariant),
            r.GigabytesPerSecond.ToString("0.00", Invariant),
            r.FractionOfTriad is double f ? f.ToString("0%", Invariant) : "-",
            (r.GigabytesPerSecond / r.Workers).ToString("0.00", Invariant),
            SpeedupOf(r) is Speedup s ? s.Ratio.Format() : "-",
            ArrayCheck.Hex(r.Result.Checksum),
            (r.Result.Sum - r.Result.SumX).ToString("0.0e0", Invariant),
            check.Column(i),
        }).ToList();
        TextTable.Write(output, columns, rows, options.Columns);
        if (Speedups.Legend(results.Select(r => (Describe(r), SpeedupOf(r)))) is string speedups)
        {
            output.WriteLine(speedups);
        }

        output.WriteLine(StatsText.CiLegend);
        output.WriteLine(ArrayTriad.Line(results));
        foreach (ArrayMeasurement r in results.Where(r => r.Ranks > 1))
        {
            output.WriteLine(ExchangeLine(r));
        }

        output.WriteLine();
        output.WriteLine(CheckLine);
        if (StatsText.NoiseWarning([.. results.Select(r => ($"{r.Backend} {r.Ranks}x{r.Threads}", r.Stats))]) is string warning)
        {
            output.WriteLine(warning);
        }
    }

    /// <summary>The run as the schema's document (kind "array"), the array's own keys from <see cref="ArrayFields"/>.</summary>
    public ResultDocument Document() =>
        Documents.OfThisProcess(
            ArrayWorkload.Instance.Name,
            check.Verdict.Passed,
            new RunParameters
            {
                Workloads = [ArrayWorkload.Instance.Name],
                Isa = [IsaNames.Name(options.Isa.Isa)],
                IsaSource = options.Isa.Source,
                Threads = [options.Threads.Threads],
                ThreadsSource = options.Threads.Source,
                Ranks = results.Count > 0 ? results[0].Ranks : 1,
                Job = job,
                Repeat = options.Repeat,
                Warmup = options.Warmup,
                Seed = options.Shape.Seed,
                OwnParameters = ArrayFields.Parameters(options.Shape),
            },
            [.. results.Select((r, i) => ArrayFields.Point(r, check, i) with
            {
                Speedup = Documents.Finite(SpeedupOf(r)?.Ratio.Value),
                SpeedupReference = SpeedupOf(r)?.ReferenceName,
                RankComputeSeconds = r.Ranks > 1 ? r.RankComputeSeconds : null,
                MpiSeconds = r.Ranks > 1 ? r.RankCommunicationSeconds.Max() : null,
                LoadImbalance = r.Ranks > 1 ? Documents.Finite(LoadImbalance.Of(r.RankComputeSeconds)) : null,
            })]);

    /// <summary>
    /// "exchange, c-openmp: each rank sent 95.4 MiB of transposed blocks (rank 0 95.4 MiB, rank 1 95.4 MiB); in MPI
    /// 41.2 ms (slowest rank), computing 180 ms - 190 ms": what the distributed transpose cost.
    /// </summary>
    public static string ExchangeLine(ArrayMeasurement r) =>
        $"exchange, {r.Backend}: the ranks sent {ByteSize.Text(r.RankBytesSent.Sum())} of transposed blocks a run " +
        $"({string.Join(", ", r.RankBytesSent.Select((b, i) => $"rank {i.ToString(Invariant)} {ByteSize.Text(b)}"))}); " +
        $"in MPI {Units.Seconds(r.RankCommunicationSeconds.Max())} (slowest rank's median), computing {Units.Seconds(r.RankComputeSeconds.Min())} - {Units.Seconds(r.RankComputeSeconds.Max())}";
}
