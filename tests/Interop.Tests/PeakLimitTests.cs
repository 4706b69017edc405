using System.Globalization;
using System.Text.Json;
using Interop.Cli;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// "% of peak" against the FMA limit of each row's own path (issue 19): the limit measured once per
/// path and threads, measured again when a row beats it, a row still above it flagged in the table
/// and the JSON, and no % of peak above 100 without that flag. The limit's measurement is replaced
/// here (<see cref="FmaLimits.Measure"/>) to put a row above it on purpose.
/// </summary>
[NonParallelizable]
public sealed class PeakLimitTests
{
    private Func<Isa, int, int, double?> native = null!;
    private readonly List<(Isa Isa, int Threads, int Runs)> calls = [];

    [SetUp]
    public void KeepTheNativeMeasurement()
    {
        native = FmaLimits.Measure;
        calls.Clear();
        FmaLimits.Forget();
    }

    [TearDown]
    public void RestoreTheNativeMeasurement()
    {
        FmaLimits.Measure = native;
        FmaLimits.Forget();
    }

    // A measurement that records its calls: `first` GFLOP/s for a first measurement, `again` for the second.
    private void Limit(double first, double again) => FmaLimits.Measure = (isa, threads, runs) =>
    {
        calls.Add((isa, threads, runs));
        return runs == FmaLimits.Runs ? first : again;
    };

    [Test]
    public void ALimitIsMeasuredOncePerPathAndThreadsAndAgainOnlyWhenARateBeatsIt()
    {
        Limit(first: 10, again: 12);
        Assert.That(FmaLimits.Against(Isa.Avx2, 2, 9)!.Gflops, Is.EqualTo(10));
        Assert.That(FmaLimits.Of(Isa.Avx2, 2)!.Gflops, Is.EqualTo(10));
        Assert.That(calls, Is.EqualTo(new[] { (Isa.Avx2, 2, FmaLimits.Runs) }), "one measurement, kept");

        PathLimit beaten = FmaLimits.Against(Isa.Avx2, 2, 11)!;
        Assert.That((beaten.Gflops, beaten.Remeasured), Is.EqualTo((12.0, true)), "measured again, with more runs; the better kept");
        Assert.That(calls[^1], Is.EqualTo((Isa.Avx2, 2, FmaLimits.RemeasureRuns)));

        Assert.That(FmaLimits.Against(Isa.Avx2, 2, 20)!.Gflops, Is.EqualTo(12), "a second rate above it is flagged, not measured a third time");
        Assert.That(calls, Has.Count.EqualTo(2));
        Assert.That(FmaLimits.Latest(new PathLimit(Isa.Avx2, 2, 10))!.Gflops, Is.EqualTo(12), "the rows held against the first limit get the second");

        Assert.That(FmaLimits.Against(Isa.Avx2, 1, 5)!.Gflops, Is.EqualTo(10), "another thread count is another limit");
        Assert.That(calls, Has.Count.EqualTo(3));
        Assert.That(() => FmaLimits.Of(Isa.Auto, 1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void ARowAboveItsLimitAfterASecondMeasurementIsFlaggedInTheTableAndTheJson()
    {
        // A limit far below any real rate, both times: every row beats it.
        Limit(first: 1e-3, again: 2e-3);
        var (code, stdout, stderr) = Cli.Run("inv", "--size", "131", "--repeat", "2", "--threads", "2", "--backend", "c-openmp,fortran-openmp", "--json");
        Assert.That(code, Is.Zero, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement[] rows = [.. doc.RootElement.GetProperty("points").EnumerateArray()];
        Assert.That(rows, Has.Length.EqualTo(2));
        foreach (JsonElement row in rows)
        {
            Assert.That(row.GetProperty("above_peak").GetBoolean(), Is.True);
            Assert.That(row.GetProperty("peak_gflops").GetDouble(), Is.EqualTo(2e-3), "the second measurement, for both rows");
            Assert.That(row.GetProperty("fraction_of_peak").GetDouble(), Is.GreaterThan(1));
        }

        Assert.That(calls.Count(c => c.Runs == FmaLimits.RemeasureRuns), Is.EqualTo(1), "measured again once for the path and threads");

        FmaLimits.Forget();
        (code, stdout, stderr) = Cli.Run("inv", "--size", "131", "--repeat", "2", "--threads", "2", "--backend", "c-openmp", "--columns", "all");
        Assert.That(code, Is.Zero, stderr);
        string row0 = stdout.Split('\n').Single(l => l.StartsWith("c-openmp", StringComparison.Ordinal));
        Assert.That(row0, Does.Match(@"\d+%!"), "the mark in the % of peak column");
        Assert.That(stdout, Does.Contain(PeakText.AboveLine));
        Assert.That(PercentCells(stdout).Where(p => p.Percent > 100), Has.All.Matches<(double Percent, bool Marked)>(p => p.Marked));
    }

    [Test]
    public void ARowThatBeatsAFirstMeasurementOnlyIsHeldAgainstTheSecondAndNotFlagged()
    {
        Limit(first: 1e-3, again: 1e6);
        var (code, stdout, stderr) = Cli.Run("inv", "--size", "131", "--repeat", "2", "--threads", "2", "--backend", "c-openmp,fortran-openmp", "--json");
        Assert.That(code, Is.Zero, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        foreach (JsonElement row in doc.RootElement.GetProperty("points").EnumerateArray())
        {
            Assert.That(row.GetProperty("above_peak").GetBoolean(), Is.False);
            Assert.That(row.GetProperty("peak_gflops").GetDouble(), Is.EqualTo(1e6), "every row of the path, the first included");
            Assert.That(row.GetProperty("fraction_of_peak").GetDouble(), Is.LessThan(1));
        }
    }

    [Test]
    public void NoPercentOfPeakAboveAHundredWithoutAFlagOnARealRun()
    {
        // The real limits of every path this CPU has, every backend: a row above 100 % must carry the mark.
        var (code, stdout, stderr) = Cli.Run("inv", "--size", "200", "--repeat", "3", "--threads", "2", "--columns", "all");
        Assert.That(code, Is.Zero, stderr);
        (double Percent, bool Marked)[] cells = PercentCells(stdout);
        Assert.That(cells, Is.Not.Empty, stdout);
        Assert.That(cells.Where(c => c.Percent > 100), Has.All.Matches<(double Percent, bool Marked)>(c => c.Marked), stdout);
        Assert.That(cells.Where(c => c.Marked), Has.All.Matches<(double Percent, bool Marked)>(c => c.Percent > 100), stdout);
        Assert.That(stdout.Contains(PeakText.AboveLine, StringComparison.Ordinal), Is.EqualTo(cells.Any(c => c.Marked)), stdout);
        Assert.That(stdout, Does.Contain("peak: FMA limit of each row's own path"));
        Assert.That(stdout, Does.Match(@"dgemm: OpenBLAS dgemm \(\w+ kernels, (scalar|avx2|avx512)\) at n = 200"));

        (code, stdout, stderr) = Cli.Run("inv", "--size", "200", "--repeat", "3", "--threads", "2", "--json");
        Assert.That(code, Is.Zero, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        foreach (JsonElement row in doc.RootElement.GetProperty("points").EnumerateArray())
        {
            double fraction = row.GetProperty("fraction_of_peak").GetDouble();
            Assert.That(row.GetProperty("above_peak").GetBoolean(), Is.EqualTo(fraction > 1), row.ToString());
        }
    }

    // The "% of peak" cells of an inv table: each number and whether it carries the mark.
    private static (double Percent, bool Marked)[] PercentCells(string table)
    {
        string[] lines = table.Split('\n');
        int header = Array.FindIndex(lines, l => l.StartsWith("backend ", StringComparison.Ordinal));
        int column = lines[header].IndexOf("% of peak", StringComparison.Ordinal) + "% of peak".Length;
        return
        [
            .. lines.Skip(header + 2).TakeWhile(l => l.Trim().Length > 0 && !l.Contains(": ", StringComparison.Ordinal)) // the rows, not the lines under them
                .Select(l => l[..column].Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1])
                .Where(cell => cell != "-")
                .Select(cell => (double.Parse(cell.TrimEnd('!').TrimEnd('%'), CultureInfo.InvariantCulture), cell.EndsWith(PeakText.AboveMark, StringComparison.Ordinal))),
        ];
    }
}
