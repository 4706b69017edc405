using System.Runtime.Intrinsics;
using System.Text.Json;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// The test cap on detection (INTEROP_TEST_ISA_MAX, with .NET's own DOTNET_EnableAVX512=0) that lets
/// the expectations of a lower CPU class run on a higher CPU: every part of the driver must then
/// look like it runs on that class. <c>./build.sh test</c> also runs the instruction-set tests under
/// the cap (the suites named nunit-&lt;class&gt;-class), where the second test checks that the cap
/// reached every part of the test process.
/// </summary>
[NonParallelizable]
public sealed class CpuClassTests
{
    [Test]
    public void UnderTheCapTheDriverLooksLikeALowerClassInEveryPart()
    {
        Isa[] lower = [.. ExpectedPaths.OfThisCpu().Skip(1)];
        Assume.That(lower, Is.Not.Empty, "this CPU is of the lowest class: there is none below it to look like");
        Isa best = ExpectedPaths.OfThisCpu().First();
        foreach (Isa cap in lower)
        {
            Dictionary<string, string> environment = Environment(cap);
            string name = IsaNames.Name(cap);

            var (code, stdout, stderr) = DriverProcess.Run(["env"], environment);
            Assert.That(code, Is.Zero, stderr);
            Assert.That(Value(stdout, "isa_cpu_paths"), Is.EqualTo(string.Join(", ", IsaNames.Paths.Where(p => p <= cap).Select(IsaNames.Name))), name);
            Assert.That((Value(stdout, "isa_managed"), Value(stdout, "isa_native")), Is.EqualTo((name, name)));
            Assert.That(Value(stdout, "vector512_hardware_accelerated"), Is.EqualTo("no"), $"{name}: .NET's own switch goes with the cap");

            // Every backend on its automatic path: the widest its library has, not above the cap.
            (code, stdout, stderr) = DriverProcess.Run(["pi", "--darts", "100003", "--threads", "1", "--repeat", "1", "--json"], environment);
            Assert.That(code, Is.Zero, stderr);
            using (JsonDocument doc = JsonDocument.Parse(stdout))
            {
                JsonElement[] rows = [.. doc.RootElement.GetProperty("points").EnumerateArray()];
                Assert.That(rows, Is.Not.Empty);
                foreach (JsonElement row in rows)
                {
                    string backend = row.GetProperty("backend").GetString()!;
                    Assert.That(row.GetProperty("isa").GetString(), Is.EqualTo(IsaNames.Name(ExpectedPaths.For(backend, "pi", cap))), $"{backend} under {name}");
                }
            }

            // A path above the class is the usage error such a CPU gives.
            (code, _, stderr) = DriverProcess.Run(["pi", "--isa", IsaNames.Name(best), "--darts", "1000"], environment);
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr, Does.Contain($"no {IsaNames.Name(best)} path"));
        }
    }

    [Test]
    public void UnderTheCapEveryPartOfThisProcessAgrees()
    {
        Assume.That(ManagedIsa.TestCap, Is.LessThan(Isa.Avx512), $"{IsaNames.TestCapVariable} is not set here (./build.sh test sets it for the lower classes' run)");
        Isa cap = ManagedIsa.TestCap;
        Assert.That(ManagedIsa.Best, Is.LessThanOrEqualTo(cap));
        Assert.That(Vector512.IsHardwareAccelerated, Is.False, "DOTNET_EnableAVX512=0 goes with the cap: .NET's own Vector512 must be off too");
        foreach (NativeKernelLibraryInfo info in NativeKernelTable.Default.Libraries)
        {
            NativeKernelLibrary library = NativeKernelLibrary.For(info);
            foreach (Isa path in IsaNames.Paths.Where(p => p > cap))
            {
                Assert.That(library.Runs(path), Is.False, $"{info.Name} must not run {IsaNames.Name(path)} under the cap {IsaNames.Name(cap)}");
            }

            Assert.That(library.ActiveIsa, Is.LessThanOrEqualTo(cap), info.Name);
        }
    }

    [Test]
    public void AValueThatIsNoPathIsNoCap()
    {
        Assume.That(ManagedIsa.TestCap, Is.EqualTo(Isa.Avx512), "this process runs under a cap, which its children inherit through .NET's switches");
        var (code, stdout, stderr) = DriverProcess.Run(["env"], new Dictionary<string, string> { [IsaNames.TestCapVariable] = "avx3" });
        Assert.That(code, Is.Zero, stderr);
        Assert.That(Value(stdout, "isa_cpu_paths"), Is.EqualTo(string.Join(", ", IsaNames.Paths.Where(p => p <= ManagedIsa.Best).Select(IsaNames.Name))));
    }

    // What ./build.sh test sets for a class: the cap, and .NET's switches for the registers above it.
    private static Dictionary<string, string> Environment(Isa cap)
    {
        var environment = new Dictionary<string, string> { [IsaNames.TestCapVariable] = IsaNames.Name(cap), ["DOTNET_EnableAVX512"] = "0" };
        if (cap == Isa.Scalar)
        {
            environment["DOTNET_EnableAVX2"] = "0";
        }

        return environment;
    }

    private static string Value(string envOutput, string key) =>
        envOutput.Split('\n').Select(l => l.TrimEnd()).Single(l => l.StartsWith(key + " ", StringComparison.Ordinal))[key.Length..].Trim();
}
