using System.Diagnostics;
using System.Text.Json;
using Interop.Cli;
using Interop.Core;

namespace Interop.Tests;

/// <summary>`interop inv` end to end, in process: every backend, checks, .npy input and output, errors.</summary>
public sealed class InvCommandTests : TempFolderTest
{
    [Test]
    public void OutputAndTraceOnOneFileAreAUsageErrorBeforeAnythingRuns()
    {
        // Issue 20, class 7: the .npy then held the trace, after a .NET exception text.
        string file = Path.Combine(Folder, "x.npy");
        string link = Path.Combine(Folder, "link.json");
        File.CreateSymbolicLink(link, file);
        foreach (string trace in new[] { file, Path.Combine(Folder, ".", "x.npy"), link })
        {
            var (code, stdout, stderr) = Cli.Run("inv", "--size", "20", "--backend", "c-openmp", "--output", file, "--trace", trace);
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
            Assert.That(stderr, Does.Contain("--output and --trace name the same file"));
            Assert.That(stdout, Is.Empty, "nothing ran");
            Assert.That(File.Exists(file), Is.False, trace);
        }

        // Two files: both written.
        string other = Path.Combine(Folder, "trace.json");
        var ok = Cli.Run("inv", "--size", "20", "--backend", "c-openmp", "--repeat", "1", "--output", file, "--trace", other);
        Assert.That(ok.Code, Is.Zero, ok.Err);
        Assert.That(File.Exists(file) && File.Exists(other), Is.True);
    }

    [Test]
    public void AllBackendsInvertTheSpecMatrixAndPassTheCheck()
    {
        var (code, output, error) = Cli.Run("inv", "--size", "67", "--threads", "2", "--repeat", "1", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement results = doc.RootElement.GetProperty("points");
        Assert.That(results.EnumerateArray().Select(r => r.GetProperty("backend").GetString()),
            Is.EqualTo(Catalog.InvNames));
        foreach (JsonElement r in results.EnumerateArray())
        {
            Assert.That(r.GetProperty("verified").GetBoolean(), Is.True);
            Assert.That(r.GetProperty("residual").GetDouble(), Is.InRange(0.0, 30.0));
            Assert.That(r.GetProperty("max_abs_diff_vs_lapack").GetDouble(), Is.LessThan(1e-6));
            Assert.That(r.GetProperty("gflops").GetDouble(), Is.GreaterThan(0));
            Assert.That(r.GetProperty("n").GetInt32(), Is.EqualTo(67));
            Assert.That(r.GetProperty("check_seconds").GetDouble(), Is.GreaterThanOrEqualTo(0));
        }

        Assert.That(doc.RootElement.GetProperty("parameters").GetProperty("generate_seconds").GetDouble(), Is.GreaterThanOrEqualTo(0));
        Assert.That(doc.RootElement.GetProperty("environment").GetProperty("openblas").GetString(), Does.Contain("core="));
    }

    [Test]
    public void TableShowsEveryBackendVerified()
    {
        var (code, output, error) = Cli.Run("inv", "--size", "40", "--repeat", "2");
        Assert.That(code, Is.EqualTo(0), error);
        foreach (string name in Catalog.InvNames)
        {
            Assert.That(output, Does.Match($@"(?m)^{name}\s+(scalar|avx2|avx512)\s+\d+\s+40\s.*\sok$"));
        }

        Assert.That(output, Does.Contain("OpenBLAS: ").And.Contain("core="));
    }

    [Test]
    public void InputAndOutputRoundTripThroughNpy()
    {
        // A matrix that needs pivoting, in a file; its inverse written by the first backend listed.
        double[] a = [0, 2, 1, 1, 0, 0, 0, 1, 1];
        string input = WriteMatrix("a.npy", a, 3);
        string output = Path.Combine(Folder, "x.npy");
        var (code, stdout, error) = Cli.Run("inv", "--input", input, "--output", output, "--backend", "fortran-openmp,lapack", "--repeat", "1");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain($"inverse from fortran-openmp written to {output}"));
        (double[] x, int n) = NpyFile.ReadSquare(output);
        Assert.That(n, Is.EqualTo(3));
        double[] expected = [0, 1, 0, 1, 0, -1, -1, 0, 2];
        Assert.That(x, Is.EqualTo(expected).Within(1e-14));
    }

    [Test]
    public void OutputWorksForGeneratedMatrices()
    {
        string output = Path.Combine(Folder, "gen.npy");
        var (code, _, error) = Cli.Run("inv", "--size", "20", "--output", output, "--backend", "c-openmp", "--repeat", "1");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(NpyFile.ReadSquare(output).N, Is.EqualTo(20));
    }

    [TestCase("c-openmp")]
    [TestCase("fortran-openmp")]
    [TestCase("lapack")]
    [TestCase("managed-serial")]
    [TestCase("managed-parallel")]
    public void ASingularMatrixIsAnErrorNamingThePivotStep(string backend)
    {
        // Column 2 (1-based) is zero: LU (of A, with row pivoting) fails at step 2.
        double[] a = [1, 0, 2, 3, 0, 6, 5, 0, 7];
        string input = WriteMatrix("singular.npy", a, 3);
        var (code, output, error) = Cli.Run("inv", "--input", input, "--backend", backend, "--repeat", "1");
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(error, Does.Contain("singular").And.Contain("step 2").And.Contain(backend));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
    }

    [TestCase("inv", "--size", "0")]
    [TestCase("inv", "--size", "-3")]
    [TestCase("inv", "--size", "abc")]
    [TestCase("inv", "--size", "1000000")]
    [TestCase("inv", "--size", "4", "--input", "x.npy")]
    [TestCase("inv", "--backend", "cuda")]
    [TestCase("inv", "--input", "/nonexistent/x.npy")]
    public void BadInputIsAUsageError(params string[] args)
    {
        var (code, output, error) = Cli.Run(args);
        Assert.That(code, Is.EqualTo(2), $"stdout: {output}\nstderr: {error}");
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.StartWith("interop: ").And.Not.Contain("   at "));
    }

    [Test]
    public void AMalformedNpyFileIsAUsageError()
    {
        string path = Path.Combine(Folder, "rect.npy");
        File.WriteAllBytes(path, [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 4, 0, (byte)'{', (byte)'}', (byte)' ', (byte)'\n']);
        var (code, _, error) = Cli.Run("inv", "--input", path);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("malformed"));
    }

    [Test]
    public void NumPyReadsOurInverseAndWritesMatricesWeRead()
    {
        string? python = FindPythonWithNumPy();
        if (python is null)
        {
            Assert.Ignore("no python3 with numpy here (./build.sh test installs python3-numpy on Debian/Ubuntu)");
        }

        string a = Path.Combine(Folder, "np_a.npy");
        string x = Path.Combine(Folder, "np_x.npy");
        // NumPy writes a Fortran-ordered matrix; we invert it; NumPy checks our inverse.
        Python(python!, $"import numpy as np; r=np.random.default_rng(1).random((50,50)); np.save('{a}', np.asfortranarray(r*r.T))");
        var (code, _, error) = Cli.Run("inv", "--input", a, "--output", x, "--backend", "c-openmp", "--repeat", "1");
        Assert.That(code, Is.EqualTo(0), error);
        string check = Python(python!, $"import numpy as np; a=np.load('{a}'); x=np.load('{x}'); print(np.abs(a@x-np.eye(50)).max() < 1e-8, x.dtype, x.flags['C_CONTIGUOUS'])");
        Assert.That(check.Trim(), Is.EqualTo("True float64 True"));
    }

    internal static string? FindPythonWithNumPy()
    {
        foreach (string candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                Python(candidate, "import numpy");
                return candidate;
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
            }
        }

        return null;
    }

    internal static string Python(string python, string code)
    {
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(code);
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException(error);
    }
}
