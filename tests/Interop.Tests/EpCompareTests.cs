using System.Text.Json;
using Interop.Cli.Compare;
using Interop.Cli.Workloads;
using Interop.Cli.Workloads.Ep;

namespace Interop.Tests;

/// <summary>
/// EP as compare's and report's third workload, through its workload class alone: compare --workload ep
/// measures and verifies its rows, writes EP's keys and columns, report reads its results.json, and
/// --baseline takes its size back; the calibration's choice of a class.
/// </summary>
[NonParallelizable]
public sealed class EpCompareTests : TempFolderTest
{
    private static readonly string[] Quick = ["--backend", "managed-serial,managed-parallel", "--threads", "1,2", "--repeat", "1", "--warmup", "0", "--columns", "all"];

    [Test]
    public void TheRegistryHasEpAsItsThirdWorkload()
    {
        Assert.That(WorkloadRegistry.Named("ep"), Is.SameAs(EpWorkload.Instance));
        Assert.That(WorkloadRegistry.All.Select(w => w.Name).Take(3), Is.EqualTo(new[] { "pi", "inv", "ep" }));
        Assert.That(EpWorkload.Instance.CatalogBackends.Select(b => b.Name), Does.Contain("managed-serial").And.Contain("managed-parallel").And.Not.Contain("lapack").And.Not.Contain("scalapack"));
    }

    [Test]
    public void CompareMeasuresClassSVerifiedAndReportReadsItsResults()
    {
        string output = Path.Combine(Folder, "ep");
        var (code, stdout, stderr) = Cli.Run(["compare", "--workload", "ep", "--class", "s", .. Quick, "--out-dir", output]);
        Assert.That(code, Is.Zero, stderr);
        string[] lines = stdout.Split('\n');
        int title = Array.IndexOf(lines, "NPB EP, class S (M = 24)");
        Assert.That(title, Is.GreaterThanOrEqualTo(0), stdout);
        Assert.That(lines[title + 1], Does.Contain("Mop/s").And.Contain("pairs").And.Contain("sum |t3|").And.Contain("sum |t4|"));
        // The rows end at the blank line or at the lines under the table ("speedup: ...", "95% CI: ...").
        string[] rows = [.. lines.Skip(title + 3).TakeWhile(l => l.Length > 0 && !l.Contains(": ", StringComparison.Ordinal))];
        Assert.That(rows, Has.Length.EqualTo(3), "managed-serial 1x1, managed-parallel 1x1 and 1x2");
        Assert.That(rows, Has.All.Contain(" 13176389 ").And.All.Contain("ok pairs=13176389 (NPB 3.4.2+ class S)"));

        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json"))))
        {
            JsonElement root = doc.RootElement;
            Assert.That(root.GetProperty("parameters").GetProperty("m").GetInt32(), Is.EqualTo(24));
            Assert.That(root.GetProperty("verified").GetBoolean(), Is.True);
            foreach (JsonElement point in root.GetProperty("points").EnumerateArray())
            {
                Assert.That(point.GetProperty("workload").GetString(), Is.EqualTo("ep"));
                Assert.That(point.GetProperty("throughput_unit").GetString(), Is.EqualTo("Mop/s"));
                EpCommandTests.AssertVerifiedClassS(point, point.GetProperty("backend").GetString()!);
            }
        }

        string[] csv = File.ReadAllLines(Path.Combine(output, "results.csv"));
        string[] header = csv[0].Split(',');
        Assert.That(header[^4..], Is.EqualTo(new[] { "m", "pairs", "sum_abs_x", "sum_abs_y" }), "EP's columns after today's");
        Assert.That(csv.Skip(1).Select(l => l.Split(',')[Array.IndexOf(header, "pairs")]), Has.All.EqualTo("13176389"));

        string report = Path.Combine(Folder, "report");
        var read = Cli.Run("report", Path.Combine(output, "results.json"), "--out-dir", report, "--columns", "all");
        Assert.That(read.Code, Is.Zero, read.Err);
        Assert.That(read.Out, Does.Contain("NPB EP").And.Contain("sum |t3|").And.Contain("ok pairs=13176389"));
        Assert.That(File.ReadAllText(Path.Combine(report, "report.md")), Does.Contain("NPB EP"));

        // --baseline takes EP's size from the results: M and the serial baseline's M.
        var again = Cli.Run(["compare", "--workload", "ep", "--backend", "managed-serial,managed-parallel", "--threads", "1", "--repeat", "1", "--warmup", "0", "--baseline", Path.Combine(output, "results.json"), "--out-dir", Path.Combine(Folder, "again")]);
        Assert.That(again.Code, Is.Zero, again.Err);
        Assert.That(again.Out, Does.Contain("Sizes: m, seed from the baseline").And.Contain("ep class S (2^24"));
        Assert.That(again.Out, Does.Contain("same     ep managed-parallel 1x1"));
    }

    [Test]
    public void TheDefaultCompareShowsEveryWorkload()
    {
        string output = Path.Combine(Folder, "all");
        var (code, stdout, stderr) = Cli.Run("compare", "--quick", "--darts", "1000003", "--size", "96", "--class", "S", "--array-size", "300", "--repeat", "1", "--threads", "1", "--out-dir", output);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("Monte Carlo pi").And.Contain("Matrix inversion").And.Contain("NPB EP, class S (M = 24)").And.Contain("Chunked array"));
        Assert.That(stdout, Does.Not.Contain("FAILED"));
        Assert.That(File.Exists(Path.Combine(output, "ep-throughput.svg")), Is.True);
        Assert.That(File.Exists(Path.Combine(output, "array-throughput.svg")), Is.True);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        JsonElement[] points = [.. doc.RootElement.GetProperty("points").EnumerateArray()];
        Assert.That(points.Select(p => p.GetProperty("workload").GetString()).Distinct(), Is.EqualTo(new[] { "pi", "inv", "ep", "array" }));
        // The array's points: the spec's checksum (n = 300 is within the reference order), on every backend that runs it.
        string spec = Interop.Core.ArraySpec.Checksum(Interop.Core.ArraySpec.Evaluate(Interop.Core.ArraySpec.GenerateX(300, 42), 300)).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(points.Where(p => p.GetProperty("workload").GetString() == "array").Select(p => p.GetProperty("checksum").GetString()), Has.All.EqualTo(spec));
        Assert.That(doc.RootElement.GetProperty("verified").GetBoolean(), Is.True);
    }

    [Test]
    public void ACustomMIsCheckedAcrossTheBackendsAlone()
    {
        string output = Path.Combine(Folder, "m17");
        var (code, stdout, stderr) = Cli.Run(["compare", "--workload", "ep", "--m", "17", .. Quick, "--out-dir", output]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("NPB EP, M = 17").And.Contain("unverified against NPB"));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        JsonElement[] points = [.. doc.RootElement.GetProperty("points").EnumerateArray()];
        Assert.That(points.Select(p => p.GetProperty("q").GetRawText()).Distinct().Count(), Is.EqualTo(1));
        Assert.That(points, Has.All.Matches<JsonElement>(p => p.GetProperty("verified_against").ValueKind == JsonValueKind.Null && p.GetProperty("class").ValueKind == JsonValueKind.Null));
    }

    [Test]
    public void PointsOfOneMThatDisagreeAreNotVerified()
    {
        ComparePoint Point(string backend, double pairs) =>
            new("ep", backend, 1, 1, [1.0], 33.554432, "Mop/s", true, "pairs") { Size = 24, OwnFields = new Dictionary<string, double> { ["pairs"] = pairs, ["q0"] = pairs } };
        IReadOnlyList<ComparePoint> settled = EpWorkload.Instance.Settle([Point("managed-serial", 13176389), Point("c-openmp", 13176388)]);
        Assert.That(settled.Select(p => p.Verified), Is.EqualTo(new[] { false, false }));
        Assert.That(EpWorkload.Instance.Settle([Point("managed-serial", 13176389), Point("c-openmp", 13176389)]).Select(p => p.Verified), Has.All.True);
        Assert.That(EpWorkload.Instance.CheckFields(Point("c-openmp", 1e12)), Is.Not.Null, "more pairs than 2^24 drawn");
    }

    [TestCase(1.0, 16)]
    [TestCase(1 << 20, 20)]
    [TestCase((1 << 24) - 1, 23)]
    [TestCase(1 << 24, 24)]
    [TestCase(1 << 27, 25)]
    [TestCase(1L << 29, 28)]
    [TestCase(1L << 40, 32)]
    public void TheCalibrationTakesTheLargestClassThatFitsElseTheLargestM(double pairs, int m) =>
        Assert.That(EpCalibration.Fit(pairs), Is.EqualTo(m));

    [Test]
    public void BadSizesAndBackendsAreUsageErrors()
    {
        Assert.That(Cli.Run("compare", "--workload", "ep", "--class", "Z", "--dry-run").Code, Is.EqualTo(2));
        Assert.That(Cli.Run("compare", "--workload", "ep", "--m", "44", "--dry-run").Code, Is.EqualTo(2));
        var lapack = Cli.Run("compare", "--workload", "ep", "--backend", "lapack", "--dry-run");
        Assert.That(lapack.Code, Is.EqualTo(2));
        Assert.That(lapack.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(lapack.Err, Does.Contain("no available backend of '--backend lapack' runs ep"));
        Assert.That(Cli.Run("compare", "--workload", "all", "--dry-run").Out, Does.Contain("ep with a calibrated class"));
    }
}
