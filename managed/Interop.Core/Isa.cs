using System.Runtime.Intrinsics.X86;

namespace Interop.Core;

/// <summary>
/// The instruction-set paths every hand-written kernel has, in C, Fortran and C# alike (the values
/// are INTEROP_ISA_* in native/include/interop.h). <see cref="Scalar"/> is the portable x86-64
/// baseline: plain code, whatever the compiler makes of it without AVX.
/// </summary>
public enum Isa
{
    /// <summary>The best path this CPU has.</summary>
    Auto = 0,

    /// <summary>Portable code, no AVX: the fallback of every kernel.</summary>
    Scalar = 1,

    /// <summary>x86-64-v3: AVX2 + FMA, 16 registers of 4 doubles.</summary>
    Avx2 = 2,

    /// <summary>x86-64-v4: AVX-512 F/DQ/BW/VL, 32 registers of 8 doubles.</summary>
    Avx512 = 3,
}

/// <summary>Names of the paths as users type them (--isa, INTEROP_ISA) and as reports print them.</summary>
public static class IsaNames
{
    /// <summary>The environment variable that forces a path for every backend, like --isa.</summary>
    public const string Variable = "INTEROP_ISA";

    public const string Choices = "auto, avx512, avx2 or scalar";

    /// <summary>
    /// The test-only cap on detection, read by every kernel library and by <see cref="ManagedIsa"/>:
    /// scalar, avx2 or avx512 make this CPU look as if it had no path above that one, so that the
    /// AVX2-only class's expectations run on an AVX-512 machine (with .NET's own
    /// <c>DOTNET_EnableAVX512=0</c>, which also turns Vector512 acceleration off). Unset or any other
    /// value: no cap.
    /// </summary>
    public const string TestCapVariable = "INTEROP_TEST_ISA_MAX";

    public static string Name(Isa isa) => isa switch
    {
        Isa.Auto => "auto",
        Isa.Scalar => "scalar",
        Isa.Avx2 => "avx2",
        Isa.Avx512 => "avx512",
        _ => throw new ArgumentOutOfRangeException(nameof(isa), isa, null),
    };

    /// <summary>Parses a path name; anything else is a usage error naming <paramref name="source"/>.</summary>
    public static Isa Parse(string text, string source) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => Isa.Auto,
        "scalar" => Isa.Scalar,
        "avx2" => Isa.Avx2,
        "avx512" => Isa.Avx512,
        _ => throw new UsageException($"{source} must be {Choices}, not '{text}'"),
    };

    /// <summary>Every concrete path, widest first.</summary>
    public static IReadOnlyList<Isa> Paths { get; } = [Isa.Avx512, Isa.Avx2, Isa.Scalar];
}

/// <summary>
/// The path of the C# kernels: the best this CPU has, or the one forced by <see cref="Select"/>. The
/// managed kernels ask <see cref="Active"/> on every call, so a switch takes effect at once.
/// </summary>
public static class ManagedIsa
{
    private static volatile Isa forced = Isa.Auto;

    /// <summary>The widest path detection may report (<see cref="IsaNames.TestCapVariable"/>), read once.</summary>
    public static Isa TestCap { get; } = Environment.GetEnvironmentVariable(IsaNames.TestCapVariable) switch
    {
        "scalar" => Isa.Scalar,
        "avx2" => Isa.Avx2,
        _ => Isa.Avx512,
    };

    /// <summary>Whether this CPU (as .NET sees it, under the test cap) runs the path's instructions.</summary>
    public static bool Supports(Isa isa) => isa <= TestCap && isa switch
    {
        Isa.Auto or Isa.Scalar => true,
        Isa.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        Isa.Avx512 => Supports(Isa.Avx2) && Avx512F.IsSupported && Avx512DQ.IsSupported && Avx512BW.IsSupported && Avx512F.VL.IsSupported,
        _ => false,
    };

    /// <summary>True on AMD processors (CPUID vendor "AuthenticAMD").</summary>
    public static bool IsAmd { get; } = X86Base.IsSupported && Vendor() == "AuthenticAMD";

    /// <summary>The widest path this CPU has.</summary>
    public static Isa Best => IsaNames.Paths.First(Supports);

    /// <summary>The path the C# kernels take now; never <see cref="Isa.Auto"/>.</summary>
    public static Isa Active => forced == Isa.Auto ? Best : forced;

    // CPUID leaf 0: the vendor string in EBX, EDX, ECX.
    private static string Vendor()
    {
        (int _, int ebx, int ecx, int edx) = X86Base.CpuId(0, 0);
        Span<byte> bytes = stackalloc byte[12];
        BitConverter.TryWriteBytes(bytes, ebx);
        BitConverter.TryWriteBytes(bytes[4..], edx);
        BitConverter.TryWriteBytes(bytes[8..], ecx);
        return System.Text.Encoding.ASCII.GetString(bytes);
    }

    /// <summary>Forces a path (or <see cref="Isa.Auto"/>); one this CPU lacks is a usage error.</summary>
    public static void Select(Isa isa)
    {
        if (!Supports(isa))
        {
            throw new UsageException($"this CPU has no {IsaNames.Name(isa)} path (it has: {string.Join(", ", IsaNames.Paths.Where(Supports).Select(IsaNames.Name))})");
        }

        forced = isa;
    }
}
