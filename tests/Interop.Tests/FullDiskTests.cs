using System.Diagnostics;
using System.Text.Json;
using Interop.Cli.Compare;

namespace Interop.Tests;

/// <summary>
/// Issue 20, class 10: a full disk ended the run with exit 2 (a usage error) and left results.json
/// saying "running". A write that fails is a runtime failure, exit 1, and results.json is left as
/// a complete document marked failed (or removed when not even that fits), never "running". The
/// full disks are this test's own: a device node like /dev/full (mknod) for descriptor writes, a
/// tiny tmpfs mounted in its folder for files; skipped, with the reason, where neither is allowed.
/// </summary>
[NonParallelizable]
public sealed class FullDiskTests : TempFolderTest
{
    private static readonly string[] SmallInv = ["inv", "--size", "20", "--backend", "c-openmp", "--repeat", "1", "--warmup", "0"];
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
    public void AnOutputOntoAFullDeviceIsARuntimeFailureNotAUsageError()
    {
        string full = FullDevice();
        foreach (string option in new[] { "--output", "--trace" })
        {
            var (code, _, stderr) = DriverProcess.Run([.. SmallInv, option, full]);
            Assert.That(code, Is.EqualTo(1), $"{option}: {stderr}");
            string last = stderr.TrimEnd().Split('\n')[^1];
            Assert.That(last, Does.StartWith($"interop: error: {full}: cannot write: No space left on device"), stderr);
            Assert.That(OutputTargetTests.FileType(full), Is.EqualTo("character special file"), "the device stays");
        }
    }

    [Test]
    public void AnOutputOnAFullStandardOutputIsARuntimeFailure()
    {
        string full = FullDevice();
        // The shell points descriptor 1 of the driver alone at the full device.
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" > \"$FULL\"");
        info.ArgumentList.Add(TestEnvironment.DriverPath);
        foreach (string arg in (string[])[.. SmallInv, "--output", "/dev/fd/1"])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["FULL"] = full;
        using var process = Process.Start(info)!;
        string stderr = process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(120)), Is.True, "the driver did not finish");
        Assert.That(process.ExitCode, Is.EqualTo(1), stderr);
        Assert.That(stderr.TrimEnd().Split('\n')[^1], Does.StartWith("interop: error: /dev/fd/1: cannot write").And.Contain("No space left on device"));
    }

    [Test]
    public void ACompareWhoseDiskFillsExitsOneAndMarksResultsJsonFailed()
    {
        // 64 KiB holds the results saved while the run goes on (a results.json of about 10 KB and
        // its rewrite), not the charts of the finished run.
        string disk = SmallDisk("64k");
        string output = Path.Combine(disk, "run");
        var (code, _, stderr) = Cli.Run("compare", "--quick", "--workload", "pi", "--darts", "1000003", "--repeat", "1", "--threads", "1", "--out-dir", output);
        Assert.That(code, Is.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain("interop: error: --out-dir").And.Contain("No space left on device"));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        Assert.That(doc.RootElement.GetProperty("complete").GetBoolean(), Is.False);
        Assert.That(doc.RootElement.GetProperty("status").GetString(), Does.StartWith("failed: ").And.Contain("No space left on device"));
        Assert.That(Directory.GetFiles(output).Where(f => Path.GetFileName(f).StartsWith('.')), Is.Empty, "no temporary left");
    }

    [Test]
    public void ASaveThatFindsTheDiskFullLeavesResultsJsonMarkedFailedInPlace()
    {
        string disk = SmallDisk("64k");
        string output = Path.Combine(disk, "run");
        CompareRun running = Run(points: 24) with { Complete = false, Status = "running" };
        CompareOutput folder = CompareOutput.Prepare(output, force: false, TextWriter.Null);
        folder.Save(running);
        Fill(disk);

        // No room for a second copy: the save fails as a runtime failure, and the failure is
        // written over the old results.json itself.
        Assert.That(() => folder.Save(running), Throws.InstanceOf<IOException>().With.Message.Contains("No space left on device"));
        folder.Fail("no space left");
        CompareRun saved = ResultsFiles.ReadJson(Path.Combine(output, "results.json"));
        Assert.That((saved.Complete, saved.Status, saved.Points.Count), Is.EqualTo((false, "failed: no space left", 24)));
    }

    [Test]
    public void AResultsJsonThatCannotBeMarkedFailedIsRemovedNotLeftRunning()
    {
        string disk = SmallDisk("64k");
        string output = Path.Combine(disk, "run");
        var notes = new StringWriter();
        CompareOutput folder = CompareOutput.Prepare(output, force: false, notes);
        folder.Save(Run(points: 0) with { Complete = false, Status = "running" });
        Fill(disk);

        // The points measured since need more room than the old file held: nowhere to say "failed".
        Assert.That(() => folder.Save(Run(points: 60) with { Complete = false, Status = "running" }), Throws.InstanceOf<IOException>());
        folder.Fail("no space left");
        Assert.That(File.Exists(Path.Combine(output, "results.json")), Is.False, "a results.json saying \"running\" would be believed");
        Assert.That(notes.ToString(), Does.Contain("results.json removed: it could not be rewritten as \"failed: no space left\""));
    }

    private static CompareRun Run(int points)
    {
        ComparePoint point = new("pi", "c-openmp", 1, 1, [0.5, 0.51, 0.52], 1e9, "darts/s", true, "inside=785398") { Isa = "avx2", Size = 1_000_000_000 };
        return new CompareRun(DateTimeOffset.UnixEpoch, 1, [new("isa", "avx2")], [], [], [.. Enumerable.Range(1, points).Select(t => point with { Threads = t })])
        {
            PointsPlanned = Math.Max(points, 1),
        };
    }

    // A device node that answers every write with ENOSPC, as /dev/full does (major 1, minor 7).
    private string FullDevice()
    {
        string path = Path.Combine(Folder, "full");
        var (code, error, _) = OutputTargetTests.Run("mknod", path, "c", "1", "7");
        if (code != 0)
        {
            Assert.Ignore($"cannot create a device node here (mknod needs CAP_MKNOD, usually root): {error.Trim()}");
        }

        return path;
    }

    // A tmpfs of the given size mounted in the test's folder (removed in TearDown).
    private string SmallDisk(string size)
    {
        string path = Path.Combine(Folder, "disk");
        Directory.CreateDirectory(path);
        var (code, error, _) = OutputTargetTests.Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
        if (code != 0)
        {
            Assert.Ignore($"cannot mount a small tmpfs here (needs root and CAP_SYS_ADMIN): {error.Trim()}");
        }

        mounted = path;
        return path;
    }

    // Takes every free byte of the disk.
    private static void Fill(string disk)
    {
        using var filler = new FileStream(Path.Combine(disk, "filler"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        byte[] block = new byte[512];
        try
        {
            while (true)
            {
                filler.Write(block);
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }
}
