using System.Text.Json;
using Interop.Cli;

namespace Interop.Tests;

/// <summary>The `interop` command line, in process and as the built program.</summary>
public sealed class DriverTests
{
    [Test]
    public void AllBackendsPrintOneVerifiedRowEach()
    {
        var (code, output, error) = Cli.Run("pi", "--darts", "100003", "--backend", "all", "--threads", "2", "--repeat", "1");
        Assert.That(code, Is.EqualTo(0), error);
        foreach (string name in new[] { "managed-serial", "managed-parallel", "c-openmp", "fortran-openmp" })
        {
            Assert.That(output, Does.Match($@"(?m)^{name}\s+(scalar|avx2|avx512)\s+1\s+\d+\s+100003\s+\d+"));
        }

        Assert.That(output, Does.Contain($"check: all {Catalog.PiNames.Length} backend(s) counted exactly"));
        Assert.That(error, Is.Empty);
    }

    [Test]
    public void JsonHasOneResultPerBackendWithExactCounts()
    {
        var (code, output, error) = Cli.Run("pi", "--darts", "1e6", "--seed", "42", "--threads", "3", "--repeat", "2", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement results = doc.RootElement.GetProperty("points");
        Assert.That(results.GetArrayLength(), Is.EqualTo(Catalog.PiNames.Length));
        foreach (JsonElement r in results.EnumerateArray())
        {
            Assert.That(r.GetProperty("inside").GetInt64(), Is.EqualTo(785_402));
            Assert.That(r.GetProperty("darts").GetInt64(), Is.EqualTo(1_000_000));
            Assert.That(r.GetProperty("seed").GetUInt64(), Is.EqualTo(42));
            Assert.That(r.GetProperty("ranks").GetInt32(), Is.EqualTo(1));
            Assert.That(r.GetProperty("estimate").GetDouble(), Is.EqualTo(3.141608));
            Assert.That(r.GetProperty("seconds").GetArrayLength(), Is.EqualTo(2));
            double median = r.GetProperty("seconds_median").GetDouble();
            Assert.That(median, Is.InRange(r.GetProperty("seconds_min").GetDouble(), r.GetProperty("seconds_max").GetDouble()));
            int expectedThreads = r.GetProperty("backend").GetString() == "managed-serial" ? 1 : 3;
            Assert.That(r.GetProperty("threads").GetInt32(), Is.EqualTo(expectedThreads));
        }

        Assert.That(doc.RootElement.GetProperty("verified").GetBoolean(), Is.True);
    }

    [Test]
    public void SeedAtTheTopOfTheRangeRoundTripsExactlyInJson()
    {
        var (code, output, _) = Cli.Run("pi", "--darts", "1000", "--seed", "18446744073709551615", "--backend", "c-openmp", "--json", "--repeat", "1");
        Assert.That(code, Is.EqualTo(0));
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.That(doc.RootElement.GetProperty("points")[0].GetProperty("seed").GetUInt64(), Is.EqualTo(ulong.MaxValue));
    }

    [TestCase("pi", "--darts", "0")]
    [TestCase("pi", "--darts", "-5")]
    [TestCase("pi", "--darts", "9223372036854775808")]
    [TestCase("pi", "--darts", "lots")]
    [TestCase("pi", "--darts", "1.5")]
    [TestCase("pi", "--threads", "0")]
    [TestCase("pi", "--threads", "two")]
    [TestCase("pi", "--repeat", "0")]
    [TestCase("pi", "--seed", "-1")]
    [TestCase("pi", "--backend", "gpu")]
    [TestCase("pi", "--backend", ",")]
    [TestCase("pi", "--no-such-option")]
    [TestCase("pi", "--darts")]
    [TestCase("pie")]
    [TestCase()]
    public void BadInputIsOneLineOnStderrAndExitCode2(params string[] args)
    {
        var (code, output, error) = Cli.Run(args);
        Assert.That(code, Is.EqualTo(2), $"stdout: {output}\nstderr: {error}");
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.StartWith("interop: "));
        Assert.That(error, Does.Not.Contain("   at ").And.Not.Contain("Exception"));
    }

    // It said "Required command was not provided." for any unknown word. {commands}: the driver's list.
    [TestCase("frobnicate", "unknown command 'frobnicate'; the commands are {commands}")]
    [TestCase("pie", "unknown command 'pie' (did you mean 'pi'?)")]
    [TestCase("comprae", "unknown command 'comprae' (did you mean 'compare'?)")]
    [TestCase("environment", "unknown command 'environment' (did you mean 'env'?)")]
    [TestCase("reprot", "unknown command 'reprot' (did you mean 'report'?)")]
    [TestCase("--darts", "no command given before '--darts'; the commands are {commands}")]
    public void AnUnknownCommandIsNamedWithTheCommands(string word, string expected)
    {
        var (code, output, error) = Cli.Run(word, "1");
        Assert.That(code, Is.EqualTo(2), output);
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.StartWith($"interop: {expected.Replace("{commands}", string.Join(", ", Driver.CommandNames), StringComparison.Ordinal)}"));
    }

    [Test]
    public void NoCommandListsTheCommands()
    {
        var (code, _, error) = Cli.Run();
        Assert.That(code, Is.EqualTo(2));
        Assert.That(Driver.CommandNames.Take(2), Is.EqualTo(new[] { "pi", "inv" }), "the workloads first");
        Assert.That(Driver.CommandNames.TakeLast(4), Is.EqualTo(new[] { "compare", "sweep", "report", "env" }));
        Assert.That(error.TrimEnd(), Is.EqualTo($"interop: no command given; the commands are {string.Join(", ", Driver.CommandNames)} (see 'interop --help')"));
    }

    [Test]
    public void InvalidOmpNumThreadsIsAUsageError()
    {
        string? saved = Environment.GetEnvironmentVariable("OMP_NUM_THREADS");
        try
        {
            Environment.SetEnvironmentVariable("OMP_NUM_THREADS", "many");
            var (code, _, error) = Cli.Run("pi", "--darts", "100");
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error, Does.Contain("OMP_NUM_THREADS"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("OMP_NUM_THREADS", saved);
        }
    }

    [Test]
    public void HelpDocumentsTheThreadRules()
    {
        var (code, output, _) = Cli.Run("pi", "--help");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("SLURM_CPUS_PER_TASK").And.Contain("OMP_NUM_THREADS").And.Contain("--threads"));
    }

    [Test]
    public void TheBuiltDriverRunsAndExitsWithUsageErrors()
    {
        Assert.That(File.Exists(TestEnvironment.DriverPath), Is.True, $"{TestEnvironment.DriverPath} is missing: run ./build.sh");
        var ok = DriverProcess.Run(["pi", "--darts", "1e6", "--backend", "all"]);
        Assert.That(ok.Code, Is.EqualTo(0), ok.Err);
        Assert.That(ok.Out, Does.Contain("counted exactly 785402 darts inside"));

        var bad = DriverProcess.Run(["pi", "--darts", "abc"]);
        Assert.That(bad.Code, Is.EqualTo(2));
        Assert.That(bad.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void AMissingNativeLibrarySaysToRunBuildSh()
    {
        // A copy of the driver without the native library beside it and no override.
        string dir = Directory.CreateTempSubdirectory("interop-nolib-").FullName;
        try
        {
            foreach (string file in Directory.GetFiles(TestEnvironment.BinDirectory).Where(f => !Path.GetFileName(f).StartsWith("libinterop", StringComparison.Ordinal)))
            {
                File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
            }

            // File.Copy keeps the execute permission on Unix.
            string driver = Path.Combine(dir, Path.GetFileName(TestEnvironment.DriverPath));
            var result = DriverProcess.Run(["pi", "--darts", "100", "--backend", "c-openmp"], driver: driver, unset: ["INTEROP_NATIVE_DIR"]);
            Assert.That(result.Code, Is.EqualTo(1), result.Out);
            Assert.That(result.Err, Does.Contain("./build.sh").And.Contain("libinterop_native"));
            Assert.That(result.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), result.Err);

            // The managed backends still run without it.
            var managed = DriverProcess.Run(["pi", "--darts", "1000", "--backend", "managed-serial,managed-parallel"], driver: driver, unset: ["INTEROP_NATIVE_DIR"]);
            Assert.That(managed.Code, Is.EqualTo(0), managed.Err);

            // compare's charts need SkiaSharp's native library: beside the driver in a published
            // build, under runtimes/ in a plain one.
            string skia = Path.Combine("runtimes", "linux-x64", "native");
            if (Directory.Exists(Path.Combine(TestEnvironment.BinDirectory, skia)))
            {
                Directory.CreateDirectory(Path.Combine(dir, skia));
                foreach (string file in Directory.GetFiles(Path.Combine(TestEnvironment.BinDirectory, skia)))
                {
                    File.Copy(file, Path.Combine(dir, skia, Path.GetFileName(file)));
                }
            }

            // compare leaves the native backends out with a note each, once, though both workloads ask for them.
            var compare = DriverProcess.Run(
                ["compare", "--darts", "2000", "--size", "12", "--threads", "1", "--repeat", "1", "--warmup", "0", "--out-dir", Path.Combine(dir, "results")],
                driver: driver, unset: ["INTEROP_NATIVE_DIR"]);
            Assert.That(compare.Code, Is.EqualTo(0), compare.Err);
            string[] notes = [.. compare.Err.Split('\n').Where(l => l.StartsWith("interop: note: c-openmp left out", StringComparison.Ordinal))];
            Assert.That(notes, Has.Length.EqualTo(1), compare.Err);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
