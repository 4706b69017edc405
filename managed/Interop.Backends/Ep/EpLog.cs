using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Interop.Backends.Ep;

/// <summary>
/// The natural log of the EP vector kernels, inlined: fdlibm's __ieee754_log (Sun, 1993; the log of
/// glibc's and musl's ancestors), error below 1 ulp, in vector form for t1 in (0, 1] (normal doubles
/// only: t1 &gt;= 2^-90 here; 0 is EP's numerical failure, which the kernels flag by t1 itself).
/// .NET's own Vector512.Log/Vector256.Log is not inlined and measured 4 to 9 ns per value here (as
/// slow as Math.Log), which made it most of the kernel's time. x = 2^k m with m in [sqrt(2)/2, sqrt(2)),
/// f = m - 1, s = f / (2 + f), log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))), R fdlibm's polynomial,
/// plus k ln 2 in two parts. Only fdlibm's main branch is taken (its others are speed-ups for tiny f
/// and special values that cannot occur here).
/// </summary>
internal static class EpLog
{
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double Lg1 = 6.666666666666735130e-01;
    private const double Lg2 = 3.999999999940941908e-01;
    private const double Lg3 = 2.857142874366239149e-01;
    private const double Lg4 = 2.222219843214978396e-01;
    private const double Lg5 = 1.818357216161805012e-01;
    private const double Lg6 = 1.531383769920937332e-01;
    private const double Lg7 = 1.479819860511658591e-01;

    // k + 1.5 2^52 as a double's bits, less 1.5 2^52, is k exactly for |k| < 2^51: an integer to
    // double conversion that AVX2 lacks for 64-bit lanes.
    private const ulong MagicBits = 0x4338_0000_0000_0000;
    private const double Magic = 6755399441055744.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Log(Vector512<double> x)
    {
        Vector512<ulong> bits = x.AsUInt64();
        Vector512<ulong> high = bits >>> 32;
        Vector512<ulong> mantissaHigh = high & Vector512.Create(0x000f_ffffUL);
        // i: 0x100000 when m >= sqrt(2) (then m is halved and k raised by one).
        Vector512<ulong> i = (mantissaHigh + Vector512.Create(0x95f64UL)) & Vector512.Create(0x10_0000UL);
        Vector512<ulong> k = (high >>> 20) + (i >>> 20);
        Vector512<double> m = ((((mantissaHigh | (i ^ Vector512.Create(0x3ff0_0000UL))) << 32) | (bits & Vector512.Create(0xffff_ffffUL)))).AsDouble();
        // k - 1023 by the magic constant: (k + magic bits - 1023) as a double, less magic.
        Vector512<double> dk = (k + Vector512.Create(MagicBits - 1023)).AsDouble() - Vector512.Create(Magic);
        Vector512<double> f = m - Vector512<double>.One;
        Vector512<double> s = f / (Vector512.Create(2.0) + f);
        Vector512<double> z = s * s;
        Vector512<double> w = z * z;
        Vector512<double> t1 = w * (Vector512.Create(Lg2) + (w * (Vector512.Create(Lg4) + (w * Vector512.Create(Lg6)))));
        Vector512<double> t2 = z * (Vector512.Create(Lg1) + (w * (Vector512.Create(Lg3) + (w * (Vector512.Create(Lg5) + (w * Vector512.Create(Lg7)))))));
        Vector512<double> r = t2 + t1;
        Vector512<double> hfsq = Vector512.Create(0.5) * f * f;
        return (dk * Vector512.Create(Ln2Hi)) - ((hfsq - ((s * (hfsq + r)) + (dk * Vector512.Create(Ln2Lo)))) - f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Log(Vector256<double> x)
    {
        Vector256<ulong> bits = x.AsUInt64();
        Vector256<ulong> high = bits >>> 32;
        Vector256<ulong> mantissaHigh = high & Vector256.Create(0x000f_ffffUL);
        Vector256<ulong> i = (mantissaHigh + Vector256.Create(0x95f64UL)) & Vector256.Create(0x10_0000UL);
        Vector256<ulong> k = (high >>> 20) + (i >>> 20);
        Vector256<double> m = ((((mantissaHigh | (i ^ Vector256.Create(0x3ff0_0000UL))) << 32) | (bits & Vector256.Create(0xffff_ffffUL)))).AsDouble();
        Vector256<double> dk = (k + Vector256.Create(MagicBits - 1023)).AsDouble() - Vector256.Create(Magic);
        Vector256<double> f = m - Vector256<double>.One;
        Vector256<double> s = f / (Vector256.Create(2.0) + f);
        Vector256<double> z = s * s;
        Vector256<double> w = z * z;
        Vector256<double> t1 = w * (Vector256.Create(Lg2) + (w * (Vector256.Create(Lg4) + (w * Vector256.Create(Lg6)))));
        Vector256<double> t2 = z * (Vector256.Create(Lg1) + (w * (Vector256.Create(Lg3) + (w * (Vector256.Create(Lg5) + (w * Vector256.Create(Lg7)))))));
        Vector256<double> r = t2 + t1;
        Vector256<double> hfsq = Vector256.Create(0.5) * f * f;
        return (dk * Vector256.Create(Ln2Hi)) - ((hfsq - ((s * (hfsq + r)) + (dk * Vector256.Create(Ln2Lo)))) - f);
    }
}
