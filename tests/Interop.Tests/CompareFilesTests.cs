using System.Globalization;
using System.Xml;
using Interop.Cli;
using Interop.Cli.Compare;
using Interop.Cli.Schema;
using Interop.Core;

namespace Interop.Tests;

/// <summary>The files and numbers derived from a compare run, on a synthetic run with known times.</summary>
public sealed class CompareFilesTests : TempFolderTest
{
    private static ComparePoint Pi(string backend, int threads, params double[] seconds) =>
        new("pi", backend, 1, threads, seconds, 1e9, "darts/s", true, "inside=785398");

    private static ComparePoint Inv(string backend, int threads, params double[] seconds) =>
        new("inv", backend, 1, threads, seconds, 128.0, "GFLOP/s", true, "residual=0.5");

    private static CompareRun Synthetic(double scale = 1) => new(
        new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero),
        42.5,
        [new("darts", "1000000000"), new("n", "4000")],
        [new("cpu_model", "Test CPU, with a comma"), new("cpus_usable", "2")],
        [new("OMP_NUM_THREADS", null)],
        [
            Pi("managed-serial", 1, 4.0, 4.2, 3.9),
            Pi("managed-parallel", 1, 0.50, 0.52, 0.51),
            Pi("managed-parallel", 2, 0.25 * scale, 0.26 * scale, 0.27 * scale),
            Pi("c-openmp", 1, 0.40, 0.41, 0.42),
            Pi("c-openmp", 2, 0.20, 0.21, 0.22),
            Inv("managed-serial", 1, 8.0, 8.1, 8.2),
            Inv("lapack", 1, 2.0, 2.1, 2.2),
            Inv("lapack", 2, 1.2, 1.1, 1.3),
        ]);

    [Test]
    public void MetricsOnKnownTimes()
    {
        CompareRun run = Synthetic();
        ComparePoint c2 = run.Points.Single(p => p.Backend == "c-openmp" && p.Threads == 2);
        Assert.That((c2.Stats.Median, c2.Stats.Min, c2.Stats.Max), Is.EqualTo((0.21, 0.20, 0.22)));
        Assert.That(c2.Throughput, Is.EqualTo(1e9 / 0.21).Within(1e-6).Percent);
        Assert.That(CompareMetrics.Speedup(run, c2), Is.EqualTo(0.41 / 0.21).Within(1e-9).Percent, "over c-openmp's own 1x1 point");
        Assert.That(CompareMetrics.SpeedupOf(run, c2)!.ReferenceName, Is.EqualTo("c-openmp unknown 1 x 1"));
        Assert.That(CompareMetrics.Efficiency(run, c2), Is.EqualTo(0.41 / 0.21 / 2).Within(1e-9).Percent);
        Assert.That(CompareMetrics.OverManaged(run, c2), Is.EqualTo(0.26 / 0.21).Within(1e-9).Percent);
        Assert.That(CompareMetrics.OverManaged(run, run.Points.Single(p => p.Backend == "managed-parallel" && p.Threads == 2)), Is.Null);
        Assert.That(CompareMetrics.OverManaged(run, run.Points.Single(p => p.Backend == "lapack" && p.Threads == 2)), Is.Null, "no managed-parallel inv point to compare with");
    }

    [Test]
    public void WritesEveryFileAndJsonRoundTripsExactly()
    {
        CompareRun run = Synthetic();
        ResultsFolder folder = ResultsFiles.Write(run, Folder, ["Summary line one.", "Summary line two."]);
        string[] expected = ["results.json", "results.csv", "report.md", "pi-throughput.svg", "pi-throughput.png", "pi-speedup.svg", "pi-speedup.png", "inv-throughput.svg", "inv-throughput.png", "inv-speedup.svg", "inv-speedup.png"];
        Assert.That(folder.Files.Select(Path.GetFileName), Is.EquivalentTo(expected));
        foreach (string file in folder.Files)
        {
            Assert.That(new FileInfo(file).Length, Is.GreaterThan(0), file);
        }

        foreach (string png in folder.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
        {
            Assert.That(File.ReadAllBytes(png).Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), png);
        }

        foreach (string svg in folder.Files.Where(f => f.EndsWith(".svg", StringComparison.Ordinal)))
        {
            Assert.DoesNotThrow(() => new XmlDocument().Load(svg), svg);
        }

        CompareRun back = ResultsFiles.ReadJson(Path.Combine(Folder, "results.json"));
        Assert.That(back.Points, Has.Count.EqualTo(run.Points.Count));
        for (int i = 0; i < run.Points.Count; i++)
        {
            Assert.That(back.Points[i].Seconds, Is.EqualTo(run.Points[i].Seconds), "raw repeats, exactly");
            Assert.That(back.Points[i] with { Seconds = run.Points[i].Seconds }, Is.EqualTo(run.Points[i]));
        }

        Assert.That(Documents.Environment(back.Environment), Is.EqualTo(Documents.Environment(run.Environment)), "the facts, typed");
        Assert.That(back.Variables, Is.EqualTo(run.Variables));
        Assert.That(back.Started, Is.EqualTo(run.Started));
    }

    [Test]
    public void RatiosCompareThroughputSoABaselineWithFewerDartsStillCompares()
    {
        // Without c-openmp's own 1x1 point its speedup falls back on managed-serial's 1x1 point.
        CompareRun synthetic = Synthetic();
        CompareRun run = synthetic with { Points = [.. synthetic.Points.Where(p => !(p.Backend == "c-openmp" && p.Workers == 1))] };
        // The serial baseline threw a quarter of the darts in a quarter of the time: the same rate.
        ComparePoint quarter = run.Points[0] with { WorkPerRun = 0.25e9, Seconds = [1.0, 1.05, 0.975] };
        CompareRun fewer = run with { Points = [quarter, .. run.Points.Skip(1)] };
        ComparePoint c2 = fewer.Points.Single(p => p.Backend == "c-openmp" && p.Threads == 2);
        Assert.That(CompareMetrics.SpeedupOf(fewer, c2)!.ReferenceName, Is.EqualTo("managed-serial unknown 1 x 1"));
        Assert.That(CompareMetrics.Speedup(fewer, c2), Is.EqualTo(CompareMetrics.Speedup(run, c2)).Within(1e-9).Percent);
        Assert.That(CompareMetrics.Speedup(run, c2), Is.EqualTo(4.0 / 0.21).Within(1e-9).Percent);
        Assert.That(quarter.Throughput, Is.EqualTo(run.Points[0].Throughput).Within(1e-9).Percent);
    }

    [Test]
    public void InversionPointsKnowTheirShareOfThePeak()
    {
        ComparePoint p = Inv("c-openmp", 2, 2.0, 2.0, 2.0) with { PeakGflops = 80, DgemmGflops = 40 };
        Assert.That(p.Throughput, Is.EqualTo(64));
        Assert.That(p.PercentOfPeak, Is.EqualTo(80));
        Assert.That(p.OverDgemm, Is.EqualTo(1.6));
        Assert.That(p.AbovePeak, Is.False);
        Assert.That(CompareTables.FormatPerCoreOrPeak(p), Is.EqualTo("80%"));
        Assert.That(Inv("c-openmp", 2, 2.0).PercentOfPeak, Is.Null);
        Assert.That(Inv("c-openmp", 2, 2.0).OverDgemm, Is.Null);

        ComparePoint above = p with { PeakGflops = 50 };
        Assert.That(above.AbovePeak, Is.True);
        Assert.That(CompareTables.FormatPerCoreOrPeak(above), Is.EqualTo("128%!"));
    }

    [Test]
    public void InversionTablesNameBothReferencesAndFlagARowAboveItsLimit()
    {
        CompareRun run = Synthetic() with
        {
            Environment = [new("isa_openblas", "avx2 (core Haswell, OPENBLAS_CORETYPE as the user set it)")],
            Points =
            [
                Inv("lapack", 2, 2.0) with { Isa = "avx2", Size = 4000, PeakGflops = 100, DgemmGflops = 50 },
                Inv("c-openmp", 2, 1.0) with { Isa = "avx512", Size = 4000, PeakGflops = 100, DgemmGflops = 50 },
            ],
        };
        var text = new StringWriter();
        CompareTables.Write(text, run, ColumnChoice.Every);
        string table = text.ToString();
        Assert.That(table, Does.Contain("% of peak").And.Contain("over dgemm"));
        Assert.That(table.Split('\n').Single(l => l.StartsWith("lapack", StringComparison.Ordinal)), Does.Contain(" 64% ").And.Contain("1.28x"));
        Assert.That(table.Split('\n').Single(l => l.StartsWith("c-openmp", StringComparison.Ordinal)), Does.Contain("128%!").And.Contain("2.56x"));
        Assert.That(table, Does.Contain("avx2 on 2 thread(s) 100 GFLOP/s").And.Contain("avx512 on 2 thread(s) 100 GFLOP/s"));
        Assert.That(table, Does.Contain("dgemm: OpenBLAS dgemm on avx2 (core Haswell").And.Contain("at n = 4000: 50.0 GFLOP/s on 2 thread(s)"));
        Assert.That(table, Does.Contain(Interop.Cli.PeakText.AboveLine));

        string md = MarkdownReport.Render(run, [], []);
        Assert.That(md, Does.Contain("| % of peak | over dgemm |").And.Contain("| 128%! | 2.56x |").And.Contain(Interop.Cli.PeakText.AboveLine));

        string csv = ResultsFiles.Csv(run);
        string[] header = csv.Split('\n')[0].Split(',');
        string[] c = csv.Split('\n').Single(l => l.Contains(",c-openmp,", StringComparison.Ordinal)).Split(',');
        string Cell(string column) => c[Array.IndexOf(header, column)];
        Assert.That((Cell("peak_gflops"), Cell("fraction_of_peak"), Cell("above_peak"), Cell("dgemm_gflops"), Cell("over_dgemm")),
            Is.EqualTo(("100", "1.28", "true", "50", "2.56")));
    }

    [Test]
    public void CsvIsTidyOneRowPerPoint()
    {
        CompareRun run = Synthetic();
        string[] lines = ResultsFiles.Csv(run).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.That(lines[0], Is.EqualTo(ResultsFiles.CsvHeader));
        Assert.That(lines, Has.Length.EqualTo(run.Points.Count + 1));
        string[] header = lines[0].Split(',');
        string Cell(string[] row, string column) => row[Array.IndexOf(header, column)];
        string[][] rows = [.. lines.Skip(1).Select(l => l.Split(','))];
        Assert.That(rows.All(r => r.Length == header.Length), Is.True, "one cell per column (the comma inside a cell is quoted only in check, which has none here)");
        string[] c2 = rows.Single(r => Cell(r, "backend") == "c-openmp" && Cell(r, "threads") == "2");
        Assert.That(double.Parse(Cell(c2, "seconds_median"), CultureInfo.InvariantCulture), Is.EqualTo(0.21));
        Assert.That(Cell(c2, "repeats"), Is.EqualTo("3"));
        Assert.That(double.Parse(Cell(c2, "throughput_per_worker"), CultureInfo.InvariantCulture), Is.EqualTo(1e9 / 0.21 / 2).Within(1e-9).Percent, "darts/s per worker");
        Assert.That(double.Parse(Cell(c2, "efficiency"), CultureInfo.InvariantCulture), Is.EqualTo(0.41 / 0.21 / 2).Within(1e-9).Percent, "a fraction");
        Assert.That(Cell(c2, "verified"), Is.EqualTo("true"));
        Assert.That(Cell(c2, "workload"), Is.EqualTo("pi"));
        Assert.That(Cell(c2, "n"), Is.Empty, "pi has darts, no n");
        Assert.That(Cell(c2, "interop_version"), Is.EqualTo(BuildInfo.Version));
        Assert.That(Cell(c2, "git_commit"), Is.EqualTo(BuildInfo.Commit));
        Assert.That(Cell(c2, "host"), Is.Not.Empty);
        Assert.That(DateTimeOffset.Parse(Cell(c2, "timestamp_utc"), CultureInfo.InvariantCulture).Offset, Is.EqualTo(TimeSpan.Zero));
        Assert.That(Cell(rows.Single(r => Cell(r, "backend") == "lapack" && Cell(r, "threads") == "2"), "over_managed"), Is.Empty, "no ratio: empty cell");
    }

    [Test]
    public void CsvSplitsTheCheckIntoTypedColumns()
    {
        CompareRun run = Synthetic() with
        {
            Parameters = [new("darts", "1000000"), new("n", "100"), new("seed", "7")],
            Points =
            [
                new ComparePoint("pi", "c-openmp", 1, 2, [0.1], 1e6, "darts/s", true, "inside=785402") { Size = 1_000_000, Inside = 785_402 },
                new ComparePoint("inv", "lapack", 1, 2, [0.1], 2e-3, "GFLOP/s", true, "residual=0.5") { Size = 100, Residual = 0.5, MaxAbsDiffVsLapack = 0 },
            ],
        };
        string[] lines = ResultsFiles.Csv(run).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        string[] header = lines[0].Split(',');
        string Cell(int row, string column) => lines[row].Split(',')[Array.IndexOf(header, column)];
        Assert.That((Cell(1, "darts"), Cell(1, "n"), Cell(1, "seed"), Cell(1, "inside"), Cell(1, "estimate"), Cell(1, "residual")),
            Is.EqualTo(("1000000", string.Empty, "7", "785402", "3.141608", string.Empty)));
        Assert.That((Cell(2, "darts"), Cell(2, "n"), Cell(2, "seed"), Cell(2, "inside"), Cell(2, "residual"), Cell(2, "max_abs_diff_vs_lapack")),
            Is.EqualTo((string.Empty, "100", "7", string.Empty, "0.5", "0")));
    }

    [Test]
    public void ReportEmbedsEveryChartAndTheSummary()
    {
        CompareRun run = Synthetic();
        ResultsFiles.Write(run, Folder, ["LAPACK ran 2x faster."]);
        string report = File.ReadAllText(Path.Combine(Folder, "report.md"));
        foreach (string png in new[] { "pi-throughput.png", "pi-speedup.png", "inv-throughput.png", "inv-speedup.png" })
        {
            Assert.That(report, Does.Contain($"]({png})"));
        }

        Assert.That(report, Does.Contain("- LAPACK ran 2x faster.").And.Contain("| c-openmp | unknown | 1x2 | - | 0.2100 (0.2000-0.2200)").And.Contain("Test CPU, with a comma"));
    }

    [Test]
    public void BaselineFlagsAPlantedRegressionAndPassesAnIdenticalRun()
    {
        // Six runs a point: three against three can never be significant at p < 0.05.
        CompareRun old = Doubled(Synthetic());
        Assert.That(BaselineComparison.Compare(old, Doubled(Synthetic())).Changes.Count(c => c.Flagged), Is.Zero);

        BaselineComparison slower = BaselineComparison.Compare(old, Doubled(Synthetic(scale: 2)));
        BaselineChange flagged = slower.Changes.Single(c => c.Flagged);
        Assert.That((flagged.Key.Backend, flagged.Key.Threads), Is.EqualTo(("managed-parallel", 2)));
        Assert.That(flagged.Speedup, Is.EqualTo(0.5).Within(1e-9));
        Assert.That(slower.Describe().Any(l => l.Contains("SLOWER", StringComparison.Ordinal) && l.Contains("managed-parallel 1x2", StringComparison.Ordinal) && l.Contains("p = 0.00", StringComparison.Ordinal)), Is.True);

        // Overlapping spreads are noise, not a change, however the medians differ.
        CompareRun noisy = old with { Points = [.. old.Points.Select(p => p.Backend == "c-openmp" && p.Threads == 1 ? p with { Seconds = [0.30, 0.45, 0.41, 0.43, 0.38, 0.47] } : p)] };
        Assert.That(BaselineComparison.Compare(old, noisy).Changes.Count(c => c.Flagged), Is.Zero);

        // With three runs a side nothing can be significant, and the comparison says so.
        string[] few = [.. BaselineComparison.Compare(Synthetic(), Synthetic(scale: 2)).Describe()];
        Assert.That(few, Has.Some.Contains("no change can reach p < 0.05"));
    }

    // Every point's runs twice, the copies 0.5 % slower: six runs a point.
    private static CompareRun Doubled(CompareRun run) =>
        run with { Points = [.. run.Points.Select(p => p with { Seconds = [.. p.Seconds, .. p.Seconds.Select(s => s * 1.005)] })] };

    [Test]
    public void ABaselineOfAnotherWorkloadSizeComparesNothingAndSaysWhatDiffers()
    {
        CompareRun old = Synthetic();
        // The same backends and shapes, inverting n = 3000 instead of 4000 and throwing 2e9 darts: other workloads.
        CompareRun other = Synthetic(scale: 8) with { Parameters = [new("darts", "2000000000"), new("n", "3000")] };
        string[] lines = [.. BaselineComparison.Compare(old, other).Describe()];
        Assert.That(lines, Has.None.Contains("SLOWER").And.None.Contains("FASTER").And.None.StartsWith("  same "), string.Join("\n", lines));
        Assert.That(lines, Has.Some.Contains("only in this run, not compared: inv lapack 1x2").And.Some.Contains("only in the baseline, not compared: inv lapack 1x2"));
        Assert.That(lines, Has.Some.Contains("baseline has n = 4000, this run n = 3000").And.Some.Contains("baseline has darts = 1000000000, this run darts = 2000000000"));

        // Refused before any computing: no planned key in common, naming the field that differs.
        PointKey[] planned = [.. other.Points.Select(p => BaselineComparison.Key(other, p))];
        Assert.That(BaselineComparison.NothingInCommon(old, planned), Does.Contain("baseline has n = 4000, this run n = 3000"));
        Assert.That(BaselineComparison.NothingInCommon(old, [.. old.Points.Select(p => BaselineComparison.Key(old, p))]), Is.Null);

        // Only the points with the same size compare: pi here, not inv.
        CompareRun piSame = Doubled(Synthetic(scale: 8)) with { Parameters = [new("darts", "1000000000"), new("n", "3000")] };
        BaselineComparison partly = BaselineComparison.Compare(Doubled(old), piSame);
        Assert.That(partly.Changes.Where(c => c.Speedup is not null).Select(c => c.Key.Workload).Distinct(), Is.EqualTo(new[] { "pi" }));
        Assert.That(partly.Changes.Single(c => c.Flagged).Key.Backend, Is.EqualTo("managed-parallel"));
    }

    [Test]
    public void AMissingOrMalformedBaselineIsAUsageError()
    {
        Assert.Throws<UsageException>(() => ResultsFiles.ReadJson(Path.Combine(Folder, "none.json")));
        string bad = Path.Combine(Folder, "bad.json");
        File.WriteAllText(bad, "{\"points\": 3}");
        var e = Assert.Throws<UsageException>(() => ResultsFiles.ReadJson(bad));
        Assert.That(e!.Message, Does.StartWith(bad));
    }
}
