using System.Text.Json;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// `interop inv --backend scalapack` under a real mpiexec (issue 12): the matrix generated in place
/// on every rank or scattered from an --input file, the inverse gathered to rank 0 for --output and
/// equal to lapack's, a singular matrix one error on every rank and no file, and one rank without a
/// launcher (a 1x1 grid). Each mpiexec run is time-limited (HybridPiTests.Mpi).
/// </summary>
[NonParallelizable]
public sealed class ScalapackCommandTests : TempFolderTest
{
    private static string[] Inv(params string[] options) => [TestEnvironment.DriverPath, "inv", .. options];

    // The driver's lines on stderr (mpiexec adds its own banner about the non-zero exit).
    private static string[] InteropLines(string stderr) =>
        [.. stderr.Split('\n').Where(l => l.StartsWith("interop", StringComparison.Ordinal))];

    [TestCase(1, "200", "")]
    [TestCase(2, "301", "")]
    [TestCase(3, "130", "--block=32")]
    [TestCase(4, "97", "--grid=2x2")]
    public void TheGatheredInverseEqualsLapacksOnEveryGrid(int ranks, string n, string extra)
    {
        string scalapack = Path.Combine(Folder, "scalapack.npy");
        string lapack = Path.Combine(Folder, "lapack.npy");
        string[] more = extra.Length > 0 ? [.. extra.Split('=')] : [];
        var run = HybridPiTests.Mpi.Run(ranks, Inv(["--backend", "scalapack", "--size", n, "--repeat", "1", "--output", scalapack, "--json", .. more]));
        Assert.That(run.Code, Is.Zero, run.Err);
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        JsonElement point = doc.RootElement.GetProperty("points")[0];
        Assert.That(point.GetProperty("backend").GetString(), Is.EqualTo("scalapack"));
        Assert.That(point.GetProperty("ranks").GetInt32(), Is.EqualTo(ranks));
        Assert.That(point.GetProperty("verified").GetBoolean(), Is.True);
        Assert.That(run.Err, Does.Contain($"scalapack: {ranks} rank(s) as a"));

        Assert.That(Cli.Run("inv", "--backend", "lapack", "--size", n, "--repeat", "1", "--output", lapack).Code, Is.Zero);
        (double[] x, int order) = NpyFile.ReadSquare(scalapack);
        (double[] reference, _) = NpyFile.ReadSquare(lapack);
        Assert.That(order, Is.EqualTo(int.Parse(n, System.Globalization.CultureInfo.InvariantCulture)));
        double scale = reference.Max(Math.Abs);
        Assert.That(x.Zip(reference, (p, q) => Math.Abs(p - q)).Max() / scale, Is.LessThan(1e-10));
    }

    [Test]
    public void AnInputFileIsScatteredAndTheInverseRoundTrips()
    {
        const int N = 75;
        double[] a = SpecMatrix.Generate(N, 11, 1);
        a[(3 * N) + 5] += 2.5; // not symmetric: a transposed scatter would show
        string input = WriteMatrix("a.npy", a, N);
        string output = Path.Combine(Folder, "x.npy");
        var run = HybridPiTests.Mpi.Run(3, Inv("--backend", "scalapack", "--input", input, "--output", output, "--grid", "1x3", "--block", "16"));
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Contain("1x3 grid"));
        (double[] x, _) = NpyFile.ReadSquare(output);
        Assert.That(Interop.Native.NativeInverse.Residual(a, x, N, 1), Is.LessThanOrEqualTo(30));
    }

    [Test]
    public void ASingularMatrixIsOneErrorAndNoFile()
    {
        const int N = 40;
        double[] a = SpecMatrix.Generate(N, 3, 1);
        for (int i = 0; i < N; i++)
        {
            a[(i * N) + 9] = 0; // column 10 of A
        }

        string input = WriteMatrix("singular.npy", a, N);
        string output = Path.Combine(Folder, "x.npy");
        var run = HybridPiTests.Mpi.Run(2, Inv("--backend", "scalapack", "--input", input, "--output", output, "--block", "8"));
        Assert.That(run.Code, Is.EqualTo(1), run.Out + run.Err);
        string[] lines = InteropLines(run.Err);
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(run.Err, Does.Not.Contain("MPI_ABORT"), "every rank knew: no abort");
        Assert.That(lines[0], Does.Contain("singular").And.Contain("10"));
        Assert.That(Directory.GetFiles(Folder).Select(Path.GetFileName), Is.EqualTo(new[] { "singular.npy" }));
    }

    [Test]
    public void WithoutRepeatTheAutomaticPolicyDecidesTheRunsOnEveryRankAlike()
    {
        // No --repeat: 3 runs in the first call, then one run per call until the policy is satisfied
        // (at most 30). Every rank must stop at the same count, or the job would hang or fail.
        var run = HybridPiTests.Mpi.Run(2, Inv("--backend", "scalapack", "--size", "60", "--json"));
        Assert.That(run.Code, Is.Zero, run.Err);
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        JsonElement point = doc.RootElement.GetProperty("points")[0];
        Assert.That(point.GetProperty("repeats").GetInt32(), Is.InRange(RepeatPolicy.AutoMinRuns, RepeatPolicy.AutoMaxRuns), run.Out);
        Assert.That(point.GetProperty("verified").GetBoolean(), Is.True);

        // It stopped where the policy says: done with every run, not done one run earlier.
        double[] seconds = [.. point.GetProperty("seconds").EnumerateArray().Select(s => s.GetDouble())];
        Assert.That(RepeatPolicy.Auto.Done(seconds), Is.True, run.Out);
        Assert.That(seconds.Length == RepeatPolicy.AutoMinRuns || !RepeatPolicy.Auto.Done(seconds[..^1]), Is.True, run.Out);
    }

    [Test]
    public void AGridThatIsNotTheRanksIsAUsageError()
    {
        var run = HybridPiTests.Mpi.Run(2, Inv("--backend", "scalapack", "--size", "50", "--grid", "2x2"));
        Assert.That(run.Code, Is.EqualTo(2), run.Out + run.Err);
        Assert.That(InteropLines(run.Err), Has.Length.EqualTo(1), run.Err);
        Assert.That(InteropLines(run.Err)[0], Does.StartWith("interop: scalapack: the grid 2x2 needs 4 ranks"));
        Assert.That(Cli.Run("inv", "--backend", "scalapack", "--size", "50", "--grid", "2by2").Err, Does.Contain("--grid must be ROWSxCOLS"));
    }

    [Test]
    public void AMatrixTooLargeForTheRanksIsAUsageErrorNamingTheRanksNeeded()
    {
        // n = 100000 in blocks of 128: one rank would index 10^10 elements in 32 bits; 5 ranks (5x1)
        // hold at most 20096 x 100000 each, below 2^31. Refused before anything is allocated.
        var run = DriverProcess.Run(["inv", "--backend", "scalapack", "--size", "100000"]);
        Assert.That(run.Code, Is.EqualTo(2), run.Out + run.Err);
        Assert.That(InteropLines(run.Err), Has.Length.EqualTo(1), run.Err);
        Assert.That(run.Err, Does.Contain("n = 100000 on a 1x1 grid").And.Contain("run at least 5 ranks"));
    }

    [Test]
    public void AnOutputAboveTheGatherLimitIsAUsageError()
    {
        var run = DriverProcess.Run(["inv", "--backend", "scalapack", "--size", "46341", "--output", Path.Combine(Folder, "x.npy")]);
        Assert.That(run.Code, Is.EqualTo(2), run.Out + run.Err);
        Assert.That(InteropLines(run.Err), Has.Length.EqualTo(1), run.Err);
        Assert.That(run.Err, Does.Contain("at most n = 46340"));
        Assert.That(Directory.GetFiles(Folder), Is.Empty);
    }

    [Test]
    public void MoreMemoryThanTheNodeOffersIsOneErrorOnEveryRankBeforeAnyIsTouched()
    {
        // n = 50000 (past the gather limit: generated in place) on 2 ranks: about 12.5 GB each, against
        // a node limited to 1 GiB. Refused by every rank before allocating; no abort.
        var limited = new Dictionary<string, string> { ["INTEROP_MEMORY_LIMIT"] = "1G" };
        var run = HybridPiTests.Mpi.Run(2, Inv("--backend", "scalapack", "--size", "50000"), environment: limited);
        Assert.That(run.Code, Is.EqualTo(1), run.Out + run.Err);
        string[] lines = InteropLines(run.Err);
        Assert.That(lines, Has.Length.EqualTo(1), run.Err);
        Assert.That(lines[0], Does.Contain("n = 50000 on 2 rank(s) needs about 11.6 GiB per rank").And.Contain("INTEROP_MEMORY_LIMIT"));
        Assert.That(run.Err, Does.Not.Contain("MPI_ABORT"), "every rank knew: no abort");

        var fits = HybridPiTests.Mpi.Run(2, Inv("--backend", "scalapack", "--size", "1000", "--repeat", "1"), environment: limited);
        Assert.That(fits.Code, Is.Zero, fits.Err);

        var bad = DriverProcess.Run(["inv", "--backend", "scalapack", "--size", "100"], new Dictionary<string, string> { ["INTEROP_MEMORY_LIMIT"] = "lots" });
        Assert.That(bad.Code, Is.EqualTo(2), bad.Out + bad.Err);
        Assert.That(InteropLines(bad.Err), Has.Length.EqualTo(1), bad.Err);
        Assert.That(bad.Err, Does.Contain("INTEROP_MEMORY_LIMIT is not a size").And.Contain("'lots'"));
    }

    [Test]
    public void OneRankWithoutALauncherRunsAOneByOneGrid()
    {
        var run = DriverProcess.Run(["inv", "--backend", "scalapack,lapack", "--size", "64", "--repeat", "1"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Contain("scalapack: 1 rank(s) as a 1x1 grid"));
        Assert.That(run.Out.Split('\n').Count(l => l.StartsWith("scalapack ", StringComparison.Ordinal) || l.StartsWith("lapack ", StringComparison.Ordinal)), Is.EqualTo(2));
    }

    [Test]
    public void CompareUnderMpiexecRunsScalapackOnEveryRankAndReportMergesTheRankCounts()
    {
        string two = Path.Combine(Folder, "two");
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "compare", "--workload", "inv", "--size", "120", "--threads", "1",
            "--repeat", "1", "--warmup", "0", "--backend", "lapack,scalapack", "--out-dir", two]);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Contain("scalapack ran on every rank, the other inversion backends on rank 0 alone"));
        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(two, "results.json"))))
        {
            var ranks = doc.RootElement.GetProperty("points").EnumerateArray()
                .ToDictionary(p => p.GetProperty("backend").GetString()!, p => p.GetProperty("ranks").GetInt32());
            Assert.That(ranks, Is.EqualTo(new Dictionary<string, int> { ["lapack"] = 1, ["scalapack"] = 2 }));
        }

        // One rank, no launcher: scalapack named, a 1x1 grid; report puts both rank counts in one table.
        string one = Path.Combine(Folder, "one");
        var single = DriverProcess.Run(["compare", "--workload", "inv", "--size", "120", "--threads", "1", "--repeat", "1", "--warmup", "0",
            "--backend", "lapack,scalapack", "--out-dir", one]);
        Assert.That(single.Code, Is.Zero, single.Err);
        var report = Cli.Run("report", one, two, "--out-dir", Path.Combine(Folder, "report"));
        Assert.That(report.Code, Is.Zero, report.Err);
        string[] rows = [.. report.Out.Split('\n').Where(l => l.StartsWith("scalapack ", StringComparison.Ordinal))];
        Assert.That(rows, Has.Length.EqualTo(2), report.Out);
        Assert.That(rows.Any(r => r.Contains("1x1", StringComparison.Ordinal)) && rows.Any(r => r.Contains("2x1", StringComparison.Ordinal)), Is.True, report.Out);
    }

    [Test]
    public void CompareCalibratesTheOrderWhenScalapackIsAmongTheInversions()
    {
        // docs/mpi.md's `mpiexec -n 2 build/bin/interop compare --threads 1` (here --quick, inv alone): the calibration
        // times rank 0's backends alone; scalapack is collective and is costed from them. It was cast
        // to a shared-memory backend and ended the job (issue 20, class 1), also without a launcher.
        string two = Path.Combine(Folder, "calibrated-two");
        var run = HybridPiTests.Mpi.Run(2, [TestEnvironment.DriverPath, "compare", "--quick", "--budget", "2", "--workload", "inv", "--threads", "1", "--out-dir", two]);
        Assert.That(run.Code, Is.Zero, run.Err);
        Assert.That(run.Out, Does.Contain("Sizes: calibrated"));
        AssertOneVerifiedOrder(Path.Combine(two, "results.json"), "scalapack", "lapack");

        string one = Path.Combine(Folder, "calibrated-one");
        var single = DriverProcess.Run(["compare", "--quick", "--budget", "2", "--workload", "inv", "--threads", "1", "--backend", "lapack,scalapack", "--out-dir", one]);
        Assert.That(single.Code, Is.Zero, single.Err);
        AssertOneVerifiedOrder(Path.Combine(one, "results.json"), "scalapack", "lapack");

        // scalapack alone: nothing rank 0 can time alone, a fixed order rather than n = 1.
        string alone = Path.Combine(Folder, "calibrated-alone");
        var only = DriverProcess.Run(["compare", "--quick", "--budget", "2", "--workload", "inv", "--threads", "1", "--backend", "scalapack", "--out-dir", alone]);
        Assert.That(only.Code, Is.Zero, only.Err);
        AssertOneVerifiedOrder(Path.Combine(alone, "results.json"), "scalapack");
    }

    // Every point of the run verified, at one calibrated order of at least 50, the backends named among them.
    private static void AssertOneVerifiedOrder(string results, params string[] backends)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(results));
        JsonElement[] points = [.. doc.RootElement.GetProperty("points").EnumerateArray()];
        Assert.That(points.Select(p => p.GetProperty("backend").GetString()).Distinct(), Is.SupersetOf(backends));
        Assert.That(points.All(p => p.GetProperty("verified").GetBoolean()), Is.True);
        int[] orders = [.. points.Select(p => p.GetProperty("n").GetInt32()).Distinct()];
        Assert.That(orders, Has.Length.EqualTo(1));
        Assert.That(orders[0], Is.GreaterThanOrEqualTo(50));
    }
}
