using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Interop.Core;

namespace Interop.Backends;

/// <summary>
/// Monte Carlo pi in C#: the spec's scalar loop and SIMD versions with the same counts.
/// The SIMD versions mirror native/src/pi_c_openmp.c: the counter s + (k+1)*golden is linear in k
/// and advanced by addition, four vectors are in flight to hide multiply latency, the 31-bit
/// squares use the 32x32->64 multiply, and the tail falls back to the scalar loop.
/// </summary>
public static class ManagedPiKernels
{
    private const ulong RadiusSquared = 1UL << 62;

    /// <summary>The SIMD path <see cref="Count"/> takes on this CPU.</summary>
    public static string SimdPath =>
        Vector512IsUsable ? "Vector512" : Vector256IsUsable ? "Vector256" : "scalar";

    internal static bool Vector512IsUsable => Avx512F.IsSupported && Avx512DQ.IsSupported;

    internal static bool Vector256IsUsable => Avx2.IsSupported;

    /// <summary>The fastest correct kernel for this CPU.</summary>
    public static long Count(ulong seed, IndexRange darts) =>
        Vector512IsUsable ? CountVector512(seed, darts)
        : Vector256IsUsable ? CountVector256(seed, darts)
        : CountScalar(seed, darts);

    /// <summary>The spec, line by line: the serial baseline.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long CountScalar(ulong seed, IndexRange darts)
    {
        long inside = 0;
        for (long k = darts.Begin; k < darts.End; k++)
        {
            ulong z = SplitMix64.Mix(seed, (ulong)k);
            ulong x = (uint)(z >> 32) >> 1;
            ulong y = (uint)z >> 1;
            // Branch-free: about one dart in five is outside, too often for the branch predictor.
            inside += (x * x) + (y * y) < RadiusSquared ? 1 : 0;
        }

        return inside;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static long CountVector512(ulong seed, IndexRange darts)
    {
        const int Lanes = 8;
        const int Unroll = 4;
        ulong n = (ulong)darts.Length;
        Vector512<ulong> golden = Vector512.Create(SplitMix64.Golden);
        Vector512<ulong> step = Vector512.Create(unchecked(Lanes * Unroll * SplitMix64.Golden));
        Vector512<ulong> z0 = Vector512.Create(unchecked(seed + (((ulong)darts.Begin + 1) * SplitMix64.Golden)))
            + (Vector512<ulong>.Indices * golden);
        Vector512<ulong> z1 = z0 + Vector512.Create(unchecked(1 * Lanes * SplitMix64.Golden));
        Vector512<ulong> z2 = z0 + Vector512.Create(unchecked(2 * Lanes * SplitMix64.Golden));
        Vector512<ulong> z3 = z0 + Vector512.Create(unchecked(3 * Lanes * SplitMix64.Golden));
        Vector512<ulong> c0 = Vector512<ulong>.Zero, c1 = c0, c2 = c0, c3 = c0;

        ulong i = 0;
        for (; i + (Lanes * Unroll) <= n; i += Lanes * Unroll)
        {
            c0 = Block512(z0, c0);
            c1 = Block512(z1, c1);
            c2 = Block512(z2, c2);
            c3 = Block512(z3, c3);
            z0 += step;
            z1 += step;
            z2 += step;
            z3 += step;
        }

        ulong inside = Vector512.Sum(c0 + c1 + c2 + c3);
        return (long)inside + CountScalar(seed, new IndexRange(darts.Begin + (long)i, darts.End));
    }

    // The register micro-kernel: 8 darts. A lane that is inside compares to all ones (-1), so
    // subtracting the comparison adds one to that lane's count.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Block512(Vector512<ulong> z, Vector512<ulong> inside)
    {
        z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(SplitMix64.Mix1);
        z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(SplitMix64.Mix2);
        z ^= Vector512.ShiftRightLogical(z, 31);
        Vector512<uint> x = Vector512.ShiftRightLogical(z, 33).AsUInt32();
        Vector512<uint> y = Vector512.ShiftRightLogical(z & Vector512.Create(0xFFFF_FFFFUL), 1).AsUInt32();
        Vector512<ulong> r2 = Avx512F.Multiply(x, x) + Avx512F.Multiply(y, y);
        return inside - Vector512.LessThan(r2, Vector512.Create(RadiusSquared));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static long CountVector256(ulong seed, IndexRange darts)
    {
        const int Lanes = 4;
        const int Unroll = 4;
        ulong n = (ulong)darts.Length;
        Vector256<ulong> golden = Vector256.Create(SplitMix64.Golden);
        Vector256<ulong> step = Vector256.Create(unchecked(Lanes * Unroll * SplitMix64.Golden));
        Vector256<ulong> z0 = Vector256.Create(unchecked(seed + (((ulong)darts.Begin + 1) * SplitMix64.Golden)))
            + (Vector256<ulong>.Indices * golden);
        Vector256<ulong> z1 = z0 + Vector256.Create(unchecked(1 * Lanes * SplitMix64.Golden));
        Vector256<ulong> z2 = z0 + Vector256.Create(unchecked(2 * Lanes * SplitMix64.Golden));
        Vector256<ulong> z3 = z0 + Vector256.Create(unchecked(3 * Lanes * SplitMix64.Golden));
        Vector256<ulong> c0 = Vector256<ulong>.Zero, c1 = c0, c2 = c0, c3 = c0;

        ulong i = 0;
        for (; i + (Lanes * Unroll) <= n; i += Lanes * Unroll)
        {
            c0 = Block256(z0, c0);
            c1 = Block256(z1, c1);
            c2 = Block256(z2, c2);
            c3 = Block256(z3, c3);
            z0 += step;
            z1 += step;
            z2 += step;
            z3 += step;
        }

        ulong inside = Vector256.Sum(c0 + c1 + c2 + c3);
        return (long)inside + CountScalar(seed, new IndexRange(darts.Begin + (long)i, darts.End));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Block256(Vector256<ulong> z, Vector256<ulong> inside)
    {
        z = (z ^ Vector256.ShiftRightLogical(z, 30)) * Vector256.Create(SplitMix64.Mix1);
        z = (z ^ Vector256.ShiftRightLogical(z, 27)) * Vector256.Create(SplitMix64.Mix2);
        z ^= Vector256.ShiftRightLogical(z, 31);
        Vector256<uint> x = Vector256.ShiftRightLogical(z, 33).AsUInt32();
        Vector256<uint> y = Vector256.ShiftRightLogical(z & Vector256.Create(0xFFFF_FFFFUL), 1).AsUInt32();
        Vector256<ulong> r2 = Avx2.Multiply(x, x) + Avx2.Multiply(y, y);
        return inside - Vector256.LessThan(r2, Vector256.Create(RadiusSquared));
    }
}
