using System.Text.Json;
using Interop.Backends;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// The instruction-set switch loads nothing: --isa (and auto) is recorded and each kernel library
/// takes the path right after its own load, so a command loads only the libraries whose kernels it
/// runs or reports. Loading is observed from outside the driver, by the dynamic loader's own log
/// (glibc's LD_DEBUG=files), in a fresh process, since this process has loaded them all long ago.
/// </summary>
[NonParallelizable]
public sealed class LazyLoadTests : TempFolderTest
{
    // The library the environment block reports (its path and OpenBLAS's): every command loads it.
    private static readonly string Reported = NativeLibraries.Kernels;

    private static string PathThisCpuHas => IsaNames.Name(ManagedIsa.Supports(Isa.Avx2) ? Isa.Avx2 : Isa.Scalar);

    [TearDown]
    public void BackToAuto() => IsaSwitch.Apply(Isa.Auto);

    [Test]
    public void EnvLoadsNoKernelLibraryButTheOneItReports()
    {
        string[] loaded = LoadedKernelLibraries(["env", "--isa", PathThisCpuHas]);
        Assert.That(loaded, Is.EqualTo(new[] { Reported }));
    }

    [Test]
    public void AManagedBackendWithAnIsaLoadsNoOtherKernelLibrary()
    {
        string[] loaded = LoadedKernelLibraries(["pi", "--backend", "managed-serial", "--isa", PathThisCpuHas, "--darts", "10007", "--repeat", "1", "--warmup", "0"]);
        Assert.That(loaded, Is.EqualTo(new[] { Reported }));
    }

    [Test]
    public void ANativeBackendLoadsItsOwnLibraryAndRunsThePathAskedForBeforeTheLoad()
    {
        NativeKernelLibraryInfo cpp = NativeKernelTable.Default.Libraries.Single(l => l.Name == "interop_cpp");
        string[] loaded = LoadedKernelLibraries(["pi", "--backend", "cpp-threads", "--isa", "scalar", "--darts", "10007", "--repeat", "1", "--warmup", "0", "--json"], out string stdout);
        Assert.That(loaded, Is.EquivalentTo(new[] { Reported, cpp.Name }));
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.That(doc.RootElement.GetProperty("points")[0].GetProperty("isa").GetString(), Is.EqualTo("scalar"), "the path asked for is applied when the library loads");
    }

    [Test]
    public void ASwitchLoadsNoLibraryAndTheFirstUseRunsThePath()
    {
        Assume.That(ManagedIsa.Supports(Isa.Avx2), "the CPU's best path is scalar: the switch cannot be told from the default");
        // A description of its own (no last-error symbol) is a fresh instance, not yet loaded here,
        // of the library the default table's instance shares with this process.
        NativeKernelLibraryInfo info = NativeKernelTable.Default.Libraries.Single(l => l.Name == "interop_cpp") with { LastErrorSymbol = null };
        NativeKernelLibrary library = NativeKernelLibrary.For(info);
        Assume.That(library.IsLoaded, Is.False, "an earlier test loaded this description");
        try
        {
            library.Request(Isa.Scalar);
            Assert.That(library.IsLoaded, Is.False, "a request loads nothing");
            Assert.That(library.ActiveIsa, Is.EqualTo(Isa.Scalar), "the request is applied on the load");
            Assert.That(library.IsLoaded, Is.True);
            library.Request(Isa.Avx2);
            Assert.That(library.ActiveIsa, Is.EqualTo(Isa.Avx2), "a loaded library switches at once");
        }
        finally
        {
            library.Request(Isa.Auto);
        }
    }

    private string[] LoadedKernelLibraries(string[] args) => LoadedKernelLibraries(args, out _);

    // The kernel libraries of the table that the loader opened while the driver ran `interop args`.
    private string[] LoadedKernelLibraries(string[] args, out string stdout)
    {
        Assume.That(OperatingSystem.IsLinux(), "the loader's log is glibc's LD_DEBUG");
        string log = Path.Combine(Folder, "ld");
        var (code, output, stderr) = DriverProcess.Run(args, new Dictionary<string, string> { ["LD_DEBUG"] = "files", ["LD_DEBUG_OUTPUT"] = log });
        Assert.That(code, Is.Zero, stderr);
        string[] files = Directory.GetFiles(Folder, "ld.*");
        Assume.That(files, Is.Not.Empty, "this C library's loader keeps no LD_DEBUG log");
        string text = string.Join('\n', files.Select(File.ReadAllText));
        stdout = output;
        return [.. NativeKernelTable.Default.Libraries.Select(l => l.Name).Where(name => text.Contains($"/{NativeLibraryProbe.FileName(name)}", StringComparison.Ordinal))];
    }
}
