using System.Diagnostics;
using System.Net.Sockets;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// Issue 20, class 2: `--output` and `--trace` replaced whatever was at the path (the temporary file
/// renamed over /dev/null made it a regular file; a FIFO or a socket went the same way). One writer
/// now resolves the path first: a file is replaced whole, a device, FIFO, socket or descriptor is
/// written in place, a folder is exit 2, and an output on standard output sends the table to
/// standard error. The devices and FIFOs are this test's own (mknod, mkfifo in its folder), never
/// the machine's.
/// </summary>
[NonParallelizable]
public sealed class OutputTargetTests : TempFolderTest
{
    private static readonly string[] SmallInv = ["inv", "--size", "20", "--backend", "c-openmp", "--repeat", "1", "--warmup", "0"];

    [Test]
    public void AnOutputOntoACharacterDeviceLeavesTheDeviceInPlace()
    {
        string device = MakeNode("null", 'c', 1, 3); // what /dev/null is
        var (code, _, stderr) = DriverProcess.Run([.. SmallInv, "--output", device]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(FileType(device), Is.EqualTo("character special file"), "the device is still a device");
        Assert.That(Directory.GetFileSystemEntries(Folder), Is.EquivalentTo(new[] { device }), "no temporary left beside it");
    }

    [Test]
    public void ATraceOntoACharacterDeviceLeavesTheDeviceInPlace()
    {
        string device = MakeNode("null", 'c', 1, 3);
        var (code, _, stderr) = DriverProcess.Run(["pi", "--darts", "1000", "--backend", "managed-serial", "--repeat", "1", "--trace", device]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(FileType(device), Is.EqualTo("character special file"));
    }

    [Test]
    public void AnOutputOntoAFifoIsWrittenIntoItAndTheFifoStays()
    {
        string fifo = Path.Combine(Folder, "pipe");
        Run("mkfifo", fifo);
        string received = Path.Combine(Folder, "received.npy");
        // The reader is a child process, so that a FIFO replaced under it (the old behaviour) cannot
        // leave this test waiting: it is killed after the run.
        using Process reader = StartShell("exec cat \"$0\" > \"$1\"", fifo, received);
        var (code, _, stderr) = DriverProcess.Run([.. SmallInv, "--output", fifo]);
        bool readerDone = reader.WaitForExit(TimeSpan.FromSeconds(20));
        if (!readerDone)
        {
            reader.Kill();
        }

        Assert.That(code, Is.Zero, stderr);
        Assert.That(FileType(fifo), Is.EqualTo("fifo"), "the FIFO is still a FIFO");
        Assert.That(readerDone, Is.True, "the reader got the end of the data");
        (double[] inverse, int n) = NpyFile.ReadSquare(received);
        Assert.That(n, Is.EqualTo(20));
        Assert.That(inverse, Has.All.Matches<double>(double.IsFinite));
    }

    [Test]
    public void AnOutputOntoAUnixSocketIsSentToItsListener()
    {
        string path = Path.Combine(Folder, "socket");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        Task<byte[]> received = Task.Run(async () =>
        {
            using Socket peer = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(60));
            using var stream = new NetworkStream(peer);
            using var bytes = new MemoryStream();
            await stream.CopyToAsync(bytes).WaitAsync(TimeSpan.FromSeconds(60));
            return bytes.ToArray();
        });
        var (code, _, stderr) = DriverProcess.Run([.. SmallInv, "--output", path]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(FileType(path), Is.EqualTo("socket"), "the socket is still a socket");
        Assert.That(received.Wait(TimeSpan.FromSeconds(10)), Is.True, "the listener got the data");
        string copy = Path.Combine(Folder, "copy.npy");
        File.WriteAllBytes(copy, received.Result);
        Assert.That(NpyFile.ReadSquare(copy).N, Is.EqualTo(20));
    }

    [TestCase("/dev/stdout")]
    [TestCase("/dev/fd/1")]
    public void AnOutputOnStandardOutputGetsItAloneAndTheTableGoesToStandardError(string stdoutPath)
    {
        var (code, stdout, stderr) = RunCapturingBytes([.. SmallInv, "--output", stdoutPath]);
        Assert.That(code, Is.Zero, stderr);
        string copy = Path.Combine(Folder, "stdout.npy");
        File.WriteAllBytes(copy, stdout);
        Assert.That(NpyFile.ReadSquare(copy).N, Is.EqualTo(20), "standard output holds the .npy and nothing else");
        Assert.That(stderr, Does.Contain("c-openmp"), "the table went to standard error");
        Assert.That(FileType("/dev/stdout"), Is.EqualTo("symbolic link"), "the machine's /dev/stdout is untouched");
    }

    [Test]
    public void AnOutputThroughASymlinkReplacesItsTargetAndTheLinkStays()
    {
        string real = Path.Combine(Folder, "real.npy");
        File.WriteAllText(real, "old");
        string link = Path.Combine(Folder, "link.npy");
        File.CreateSymbolicLink(link, "real.npy");
        var (code, _, stderr) = DriverProcess.Run([.. SmallInv, "--output", link]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(new FileInfo(link).LinkTarget, Is.EqualTo("real.npy"), "the link is still a link");
        Assert.That(NpyFile.ReadSquare(real).N, Is.EqualTo(20), "its target holds the inverse");
        Assert.That(Directory.GetFileSystemEntries(Folder).Select(Path.GetFileName), Is.EquivalentTo(new[] { "real.npy", "link.npy" }));
    }

    [Test]
    public void AFolderOrADescriptorThatIsNotOpenIsAUsageErrorBeforeAnythingRuns()
    {
        string folderLink = Path.Combine(Folder, "to-folder");
        Directory.CreateSymbolicLink(folderLink, Folder);
        foreach ((string path, string expected) in new[] { (Folder, "is a folder"), (folderLink, "is a folder"), ("/dev/fd/87", "descriptor 87 is not open") })
        {
            foreach (string option in new[] { "--output", "--trace" })
            {
                var (code, stdout, stderr) = DriverProcess.Run([.. SmallInv, option, path]);
                Assert.That(code, Is.EqualTo(2), $"{option} {path}: {stderr}");
                Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), stderr);
                Assert.That(stderr, Does.Contain($"{option} {path}: {expected}"));
                Assert.That(stdout, Is.Empty, "nothing ran");
            }
        }
    }

    [Test]
    public void OutputAndTraceOnOneDeviceOrDescriptorAreRefused()
    {
        string device = MakeNode("null", 'c', 1, 3);
        string link = Path.Combine(Folder, "also-null");
        File.CreateSymbolicLink(link, device);
        Assert.Multiple(() =>
        {
            Assert.That(() => OutputFile.RequireDistinct(device, "--output", link, "--trace"), Throws.TypeOf<UsageException>());
            Assert.That(() => OutputFile.RequireDistinct("/dev/stdout", "--output", "/dev/fd/1", "--trace"), Throws.TypeOf<UsageException>());
            Assert.That(() => OutputFile.RequireDistinct(device, "--output", Path.Combine(Folder, "t.json"), "--trace"), Throws.Nothing);
        });
    }

    // A node of this test's own, in its folder; the test is skipped, with the reason, where mknod is not allowed.
    private string MakeNode(string name, char type, int major, int minor)
    {
        string path = Path.Combine(Folder, name);
        var (code, error, _) = Run("mknod", path, type.ToString(), major.ToString(System.Globalization.CultureInfo.InvariantCulture), minor.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (code != 0)
        {
            Assert.Ignore($"cannot create a device node here (mknod needs CAP_MKNOD, usually root): {error.Trim()}");
        }

        return path;
    }

    // What stat(1) says the path is ("fifo", "character special file", "regular file"), or "missing": not the code under test.
    internal static string FileType(string path)
    {
        var (code, _, output) = Run("stat", "-c", "%F", path);
        return code == 0 ? output.Trim() : "missing";
    }

    internal static (int Code, string Error, string Output) Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error, output);
    }

    internal static Process StartShell(string script, params string[] args)
    {
        var info = new ProcessStartInfo("/bin/sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info)!;
    }

    // The driver as a child, its standard output kept as bytes (a .npy is no text).
    internal static (int Code, byte[] Out, string Err) RunCapturingBytes(string[] args)
    {
        var info = new ProcessStartInfo(TestEnvironment.DriverPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        using var bytes = new MemoryStream();
        Task copy = process.StandardOutput.BaseStream.CopyToAsync(bytes);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"interop {string.Join(' ', args)} did not finish within 120 s");
        }

        copy.Wait();
        return (process.ExitCode, bytes.ToArray(), stderr.Result);
    }
}
