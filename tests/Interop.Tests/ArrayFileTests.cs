using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// `interop array`'s file case (issue 25): x.npy to y.npy band by band within --memory. y is the
/// spec's bit for bit and its checksum the memory case's, on every backend, in one process and on
/// 2 and 3 ranks writing one file; bad inputs are one line and exit 2; a full disk is exit 1 and
/// leaves no y.npy; with n = 8000 and --memory 64M the driver's resident memory grows by at most 64 MiB.
/// </summary>
[NonParallelizable]
public sealed class ArrayFileTests : TempFolderTest
{
    private string? mounted;

    [TearDown]
    public void Unmount()
    {
        if (mounted is not null)
        {
            OutputTargetTests.Run("umount", mounted);
            mounted = null;
        }
    }

    [Test]
    public void FileToFileIsTheSpecBitForBitAndTheMemoryCasesChecksumOnEveryBackend()
    {
        const int n = 300;
        string x = WriteInput(n);
        string y = Path.Combine(Folder, "y.npy");
        string memory = Checksums(RunJson("--size", "300", "--chunk", "70", "--case", "memory")).Distinct().Single();

        // 1M: one 256-row tile at a time, bands of about 120 rows: two batches, three bands, a ragged chunk.
        using JsonDocument doc = RunJson("--input", x, "--output", y, "--chunk", "70", "--threads", "2", "--memory", "1M");
        JsonElement[] points = [.. doc.RootElement.GetProperty("points").EnumerateArray()];
        Assert.That(points.Select(p => p.GetProperty("backend").GetString()), Is.EquivalentTo(ArrayBackends()));
        Assert.That(points.Select(p => p.GetProperty("verified").GetBoolean()), Has.All.True);
        Assert.That(Checksums(doc), Has.All.EqualTo(memory));
        Assert.That(points.Select(p => p.GetProperty("planned_bytes").GetInt64()), Has.All.LessThanOrEqualTo(1 << 20));
        JsonElement parameters = doc.RootElement.GetProperty("parameters");
        Assert.That(parameters.GetProperty("case").GetString(), Is.EqualTo("file"));
        Assert.That(parameters.GetProperty("memory_limit_bytes").GetInt64(), Is.EqualTo(1 << 20));

        double[] spec = ArraySpec.Evaluate(ArraySpec.GenerateX(n, 42), n);
        Assert.That(ArraySpec.Checksum(spec).ToString("x16", CultureInfo.InvariantCulture), Is.EqualTo(memory));
        AssertBits(NpyFile.ReadSquare(y).Data, spec);
        Assert.That(Directory.GetFiles(Folder).Select(Path.GetFileName), Is.EquivalentTo(new[] { "x.npy", "y.npy" }), "no temporary left");
    }

    [TestCase("3M")]
    [TestCase(null)]
    public void AnInputAloneGivesYsChecksumAndWritesNothing(string? limit)
    {
        // n = 1000 is four tiles: 3M holds one at a time (four batches), the default all four at once.
        const int n = 1000;
        string x = WriteInput(n);
        using JsonDocument doc = RunJson(["--input", x, "--chunk", "64", "--backend", "c-openmp,managed-serial", .. limit is null ? Array.Empty<string>() : ["--memory", limit]]);
        string spec = ArraySpec.Checksum(ArraySpec.Evaluate(ArraySpec.GenerateX(n, 42), n)).ToString("x16", CultureInfo.InvariantCulture);
        Assert.That(Checksums(doc), Has.All.EqualTo(spec));
        Assert.That(Directory.GetFiles(Folder).Select(Path.GetFileName), Is.EqualTo(new[] { "x.npy" }));
    }

    [Test]
    public void AnInputThatIsNotTheGeneratorsIsCheckedAgainstItsOwnX()
    {
        // Not the generator's x: the checks must use the file's elements, not the seed's.
        const int n = 260;
        double[] x = [.. Enumerable.Range(0, n * n).Select(k => Math.Sin(k) * 3)];
        string path = WriteMatrix("own.npy", x, n);
        string y = Path.Combine(Folder, "y.npy");
        using JsonDocument doc = RunJson("--input", path, "--output", y, "--backend", "c-openmp", "--chunk", "100", "--memory", "1M");
        Assert.That(doc.RootElement.GetProperty("points")[0].GetProperty("verified").GetBoolean(), Is.True);
        AssertBits(NpyFile.ReadSquare(y).Data, ArraySpec.Evaluate(x, n));
    }

    [TestCase(2)]
    [TestCase(3)]
    public void RanksWriteTheirBandsIntoOneFile(int ranks)
    {
        const int n = 700;
        string x = WriteInput(n);
        string y = Path.Combine(Folder, "y.npy");
        string[] backends = ["managed-parallel", "c-openmp"];
        var run = HybridPiTests.Mpi.Run(ranks, [TestEnvironment.DriverPath, "array", "--input", x, "--output", y, "--chunk", "90", "--memory", "4M",
            "--backend", string.Join(',', backends), "--threads", "1", "--repeat", "1", "--warmup", "0", "--json"]);
        Assert.That(run.Code, Is.Zero, run.Err);
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        double[] spec = ArraySpec.Evaluate(ArraySpec.GenerateX(n, 42), n);
        Assert.That(Checksums(doc), Has.All.EqualTo(ArraySpec.Checksum(spec).ToString("x16", CultureInfo.InvariantCulture)));
        Assert.That(doc.RootElement.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("ranks").GetInt32()), Has.All.EqualTo(ranks));
        AssertBits(NpyFile.ReadSquare(y).Data, spec);
        Assert.That(Directory.GetFiles(Folder).Select(Path.GetFileName), Is.EquivalentTo(new[] { "x.npy", "y.npy" }), "no temporary left");
    }

    [TestCase("square", "is not a square matrix")]
    [TestCase("float32", "is not float64")]
    [TestCase("fortran", "Fortran order")]
    [TestCase("big-endian", "big-endian")]
    [TestCase("text", "not a .npy file")]
    [TestCase("missing", "no such file")]
    public void ABadInputFileIsOneLineAndExitTwo(string kind, string says)
    {
        string path = Path.Combine(Folder, "bad.npy");
        switch (kind)
        {
            case "square":
                WriteNpy(path, "<f8", false, "(3, 4)", 12 * 8);
                break;
            case "float32":
                WriteNpy(path, "<f4", false, "(4, 4)", 16 * 4);
                break;
            case "fortran":
                WriteNpy(path, "<f8", true, "(4, 4)", 16 * 8);
                break;
            case "big-endian":
                WriteNpy(path, ">f8", false, "(4, 4)", 16 * 8);
                break;
            case "text":
                File.WriteAllText(path, "1 2\n3 4\n");
                break;
        }

        AssertUsageError(says, "--input", path, "--output", Path.Combine(Folder, "y.npy"));
        Assert.That(File.Exists(Path.Combine(Folder, "y.npy")), Is.False);
    }

    [TestCase("1K", "--chunk", "70", "less than two blocks of the chunk (70 x 70 doubles: 76.6 KiB for two)")]
    [TestCase("400K", "--chunk", "10", "too small for n = 300: the column sums read whole tiles of 256 rows")]
    [TestCase("64Q", "--chunk", "10", "--memory must be a size in bytes such as 64M or 1G")]
    public void AMemoryLimitTooSmallOrUnreadableIsOneLineAndExitTwo(string limit, string option, string value, string says)
    {
        string x = WriteInput(300);
        AssertUsageError(says, "--input", x, "--output", Path.Combine(Folder, "y.npy"), "--memory", limit, option, value);
    }

    [TestCase("--case file", "--case file reads x from a file: give --input")]
    [TestCase("--output y.npy", "--output writes the file case's y: give --input")]
    [TestCase("--memory 1G", "--memory limits the file case's memory: give --input")]
    [TestCase("--input x.npy --case sum", "--input reads x from a file, the file case: --case sum generates x")]
    [TestCase("--input x.npy --size 300", "--size and --input exclude each other")]
    [TestCase("--input x.npy --output x.npy", "--input and --output name the same file")]
    [TestCase("--input x.npy --output /dev/null", "--output /dev/null: must be a file")]
    [TestCase("--input x.npy --write-input z.npy", "--write-input writes a generated x, --input reads one")]
    public void FileCaseOptionsThatDoNotGoTogetherAreOneLineAndExitTwo(string options, string says)
    {
        WriteInput(300);
        AssertUsageError(says, [.. options.Split(' ').Select(a => a.EndsWith(".npy", StringComparison.Ordinal) ? Path.Combine(Folder, a) : a)]);
    }

    [TestCase("64M", 64L << 20)]
    [TestCase("1G", 1L << 30)]
    [TestCase("1GiB", 1L << 30)]
    [TestCase("2kb", 2048L)]
    [TestCase("4096", 4096L)]
    [TestCase(" 3T ", 3L << 40)]
    public void ByteSizesReadTheirSuffixesInPowersOf1024(string text, long bytes) =>
        Assert.That(ByteSize.Parse(text, "--memory"), Is.EqualTo(bytes));

    [TestCase("")]
    [TestCase("M")]
    [TestCase("1.5G")]
    [TestCase("-1M")]
    [TestCase("1MM")]
    [TestCase("0")]
    [TestCase("99999999999T")]
    public void ByteSizesThatAreNotOneAreUsageErrors(string text) =>
        Assert.That(() => ByteSize.Parse(text, "--memory"), Throws.InstanceOf<UsageException>().With.Message.StartsWith("--memory "));

    [TestCase(1)]
    [TestCase(2)]
    public void AFullDiskIsExitOneAndLeavesNoY(int ranks)
    {
        string x = WriteInput(600);
        string disk = Path.Combine(Folder, "disk");
        Directory.CreateDirectory(disk);
        var (mount, error, _) = OutputTargetTests.Run("mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", disk);
        if (mount != 0)
        {
            Assert.Ignore($"cannot mount a 1 MiB tmpfs here (needs root and CAP_SYS_ADMIN): {error.Trim()}");
        }

        mounted = disk;
        // y is 2.9 MB: the disk fills in the first run's bands.
        string y = Path.Combine(disk, "y.npy");
        string[] args = ["array", "--input", x, "--output", y, "--backend", "c-openmp", "--chunk", "100", "--memory", "2M", "--threads", "1", "--repeat", "1", "--warmup", "0"];
        var (code, stdout, stderr) = ranks == 1 ? Cli.Run(args) : HybridPiTests.Mpi.Run(ranks, [TestEnvironment.DriverPath, .. args]);
        Assert.That(code, Is.EqualTo(1), stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain($"{y}: cannot write: No space left on device"));
        Assert.That(Directory.GetFileSystemEntries(disk), Is.Empty, "neither y.npy nor its temporary");
    }

    [Test]
    public void SigtermMidRunRemovesTheTemporary()
    {
        string x = WriteInput(1500);
        var info = new System.Diagnostics.ProcessStartInfo(TestEnvironment.DriverPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in (string[])["array", "--input", x, "--output", Path.Combine(Folder, "y.npy"), "--backend", "managed-serial", "--chunk", "100", "--memory", "8M", "--repeat", "50", "--warmup", "0"])
        {
            info.ArgumentList.Add(a);
        }

        using var driver = System.Diagnostics.Process.Start(info)!;
        Task<string> stderr = driver.StandardError.ReadToEndAsync();
        DateTime until = DateTime.UtcNow.AddSeconds(60);
        while (!Directory.GetFiles(Folder, ".y.npy.tmp-*").Any() && !driver.HasExited && DateTime.UtcNow < until)
        {
            Thread.Sleep(20);
        }

        Assert.That(Directory.GetFiles(Folder, ".y.npy.tmp-*"), Is.Not.Empty, "the run writes y under its temporary name");
        Thread.Sleep(300);
        OutputTargetTests.Run("kill", "-TERM", driver.Id.ToString(CultureInfo.InvariantCulture));
        Assert.That(driver.WaitForExit(TimeSpan.FromSeconds(60)), Is.True);
        Assert.That(driver.ExitCode, Is.Not.Zero, stderr.Result);
        Assert.That(Directory.GetFiles(Folder).Select(Path.GetFileName), Is.EqualTo(new[] { "x.npy" }), "neither y.npy nor its temporary");
    }

    [Test]
    public void WithSixtyFourMebibytesTheResidentMemoryOfAnN8000RunGrowsByAtMostThat()
    {
        const int n = 8000;
        string x = Path.Combine(Folder, "x.npy");
        string y = Path.Combine(Folder, "y.npy");
        var written = DriverProcess.Run(["array", "--size", n.ToString(CultureInfo.InvariantCulture), "--write-input", x]);
        Assert.That(written.Code, Is.Zero, written.Err);
        Assert.That(new FileInfo(x).Length, Is.EqualTo(((long)n * n * 8) + 128));
        var run = DriverProcess.Run(["array", "--input", x, "--output", y, "--memory", "64M", "--backend", "c-openmp", "--threads", "2", "--repeat", "1", "--warmup", "0", "--json"], limitSeconds: 300);
        Assert.That(run.Code, Is.Zero, run.Err);
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        JsonElement point = doc.RootElement.GetProperty("points")[0];
        Assert.That(point.GetProperty("verified").GetBoolean(), Is.True, run.Err);
        long baseline = point.GetProperty("baseline_rss_bytes").GetInt64();
        long peak = point.GetProperty("peak_rss_bytes").GetInt64();
        TestContext.Out.WriteLine($"n = {n}, --memory 64M: baseline RSS {baseline} B, peak {peak} B, growth {(peak - baseline) / 1048576.0:0.0} MiB, planned {point.GetProperty("planned_bytes").GetInt64()} B");
        Assert.That(baseline, Is.GreaterThan(0), "VmRSS read from /proc/self/status");
        Assert.That(peak - baseline, Is.LessThanOrEqualTo(64L << 20));
        Assert.That(new FileInfo(y).Length, Is.EqualTo(new FileInfo(x).Length));
    }

    private string WriteInput(int n)
    {
        string path = Path.Combine(Folder, "x.npy");
        var (code, stdout, stderr) = Cli.Run("array", "--size", n.ToString(CultureInfo.InvariantCulture), "--write-input", path);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.StartWith($"x: n = {n}, seed 42, written to {path}"));
        return path;
    }

    private static void AssertUsageError(string says, params string[] args)
    {
        var (code, stdout, stderr) = Cli.Run(["array", .. args, "--repeat", "1", "--warmup", "0"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith("interop: ").And.Contain(says).And.Not.Contain("   at "));
    }

    private static void AssertBits(double[] got, double[] expected)
    {
        Assert.That(got, Has.Length.EqualTo(expected.Length));
        int first = Enumerable.Range(0, got.Length).FirstOrDefault(k => BitConverter.DoubleToInt64Bits(got[k]) != BitConverter.DoubleToInt64Bits(expected[k]), -1);
        Assert.That(first, Is.EqualTo(-1), first < 0 ? string.Empty : $"y element {first}: {got[first]:R}, the spec's {expected[first]:R}");
    }

    // A .npy of any dtype, order and shape: the header as NumPy writes it, then `dataBytes` zero bytes.
    private static void WriteNpy(string path, string descr, bool fortran, string shape, int dataBytes)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        int padding = (64 - ((10 + dict.Length + 1) % 64)) % 64;
        byte[] header = Encoding.Latin1.GetBytes(dict + new string(' ', padding) + "\n");
        using var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        byte[] length = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(header);
        stream.Write(new byte[dataBytes]);
    }

    private static string[] Checksums(JsonDocument doc) =>
        [.. doc.RootElement.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("checksum").GetString()!)];

    private static string[] ArrayBackends() => [.. Interop.Backends.ChunkedArray.ArrayKernels.Backends.Select(b => b.Name)];

    private static JsonDocument RunJson(params string[] args)
    {
        var (code, stdout, stderr) = Cli.Run(["array", .. args, "--repeat", "1", "--warmup", "0", "--json"]);
        Assert.That(code, Is.Zero, $"array {string.Join(' ', args)}: {stderr}");
        return JsonDocument.Parse(stdout);
    }
}
