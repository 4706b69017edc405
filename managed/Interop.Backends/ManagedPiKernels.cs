using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Interop.Core;

namespace Interop.Backends;

/// <summary>
/// Monte Carlo pi in C#: the spec's scalar loop and one SIMD kernel per instruction-set path, all
/// with the same counts. <see cref="Count"/> takes the path of <see cref="ManagedIsa.Active"/> on
/// every call, so --isa switches it at once. The SIMD kernels mirror native/src/pi_c_kernel.c: the
/// counter s + (k+1)*golden is linear in k and advanced by addition, four vectors are in flight to
/// hide multiply latency, the 31-bit squares use the 32x32->64 multiply, and the tail falls back to
/// the scalar loop.
/// </summary>
public static class ManagedPiKernels
{
    private const ulong RadiusSquared = 1UL << 62;

    /// <summary>The kernel <see cref="Count"/> runs on the active path, as reports name it.</summary>
    public static string KernelName => ManagedIsa.Active switch
    {
        Isa.Avx512 => "Vector512",
        Isa.Avx2 => "Vector256",
        _ => "scalar",
    };

    /// <summary>The kernel of the active path (<see cref="ManagedIsa.Active"/>).</summary>
    public static long Count(ulong seed, IndexRange darts) => ManagedIsa.Active switch
    {
        Isa.Avx512 => CountVector512(seed, darts),
        Isa.Avx2 => CountVector256(seed, darts),
        _ => CountScalar(seed, darts),
    };

    /// <summary>The spec, line by line: the serial baseline and the portable path.</summary>
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

    // x86-64-v4: 64-bit lanes multiply in one instruction (vpmullq, AVX-512DQ) and the unsigned
    // compare gives a mask, so the portable Vector512 operators already compile to the C kernel's code.
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

    // x86-64-v3: AVX2 has no 64-bit multiply, so each multiply by a SplitMix64 constant is three
    // vpmuludq with the constant's halves split once, outside the loop (Mul64); the counts are
    // subtracted compare masks summed into one accumulator, which frees registers for the constants.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static long CountVector256(ulong seed, IndexRange darts)
    {
        const int Lanes = 4;
        const int Unroll = 4;
        ulong n = (ulong)darts.Length;
        var k = new Mix256Constants(
            Vector256.Create(SplitMix64.Mix1 & 0xFFFF_FFFFUL).AsUInt32(),
            Vector256.Create(SplitMix64.Mix1 >> 32).AsUInt32(),
            Vector256.Create(SplitMix64.Mix2 & 0xFFFF_FFFFUL).AsUInt32(),
            Vector256.Create(SplitMix64.Mix2 >> 32).AsUInt32(),
            Vector256.Create((long)RadiusSquared));
        Vector256<ulong> step = Vector256.Create(unchecked(Lanes * Unroll * SplitMix64.Golden));
        Vector256<ulong> z0 = Vector256.Create(unchecked(seed + (((ulong)darts.Begin + 1) * SplitMix64.Golden)))
            + Vector256.Create(0UL, SplitMix64.Golden, unchecked(2 * SplitMix64.Golden), unchecked(3 * SplitMix64.Golden));
        Vector256<ulong> z1 = z0 + Vector256.Create(unchecked(1 * Lanes * SplitMix64.Golden));
        Vector256<ulong> z2 = z0 + Vector256.Create(unchecked(2 * Lanes * SplitMix64.Golden));
        Vector256<ulong> z3 = z0 + Vector256.Create(unchecked(3 * Lanes * SplitMix64.Golden));
        Vector256<long> inside = Vector256<long>.Zero;

        ulong i = 0;
        for (; i + (Lanes * Unroll) <= n; i += Lanes * Unroll)
        {
            inside -= (Hits256(z0, k) + Hits256(z1, k)) + (Hits256(z2, k) + Hits256(z3, k));
            z0 += step;
            z1 += step;
            z2 += step;
            z3 += step;
        }

        long total = Vector256.Sum(inside);
        return total + CountScalar(seed, new IndexRange(darts.Begin + (long)i, darts.End));
    }

    // The register micro-kernel: 4 darts, all ones in the lanes that are inside. x*x + y*y is below
    // 2^63, so the signed vpcmpgtq decides without the sign flips an unsigned compare needs; y is a
    // 32-bit shift, since vpmuludq reads only the low half of each lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<long> Hits256(Vector256<ulong> z, in Mix256Constants k)
    {
        z = Mul64(z ^ Avx2.ShiftRightLogical(z, 30), k.Mix1Low, k.Mix1High);
        z = Mul64(z ^ Avx2.ShiftRightLogical(z, 27), k.Mix2Low, k.Mix2High);
        z ^= Avx2.ShiftRightLogical(z, 31);
        Vector256<uint> x = Avx2.ShiftRightLogical(z, 33).AsUInt32();
        Vector256<uint> y = Avx2.ShiftRightLogical(z.AsUInt32(), 1);
        Vector256<long> r2 = (Avx2.Multiply(x, x) + Avx2.Multiply(y, y)).AsInt64();
        return Avx2.CompareGreaterThan(k.RadiusSquared, r2);
    }

    // z * c modulo 2^64 with c = high 2^32 + low: z_lo low + ((z_hi low + z_lo high) << 32), the
    // products of the high halves falling off the top.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Mul64(Vector256<ulong> z, Vector256<uint> low, Vector256<uint> high)
    {
        Vector256<ulong> cross = Avx2.Multiply(Avx2.ShiftRightLogical(z, 32).AsUInt32(), low) + Avx2.Multiply(z.AsUInt32(), high);
        return Avx2.Multiply(z.AsUInt32(), low) + Avx2.ShiftLeftLogical(cross, 32);
    }

    private readonly record struct Mix256Constants(
        Vector256<uint> Mix1Low, Vector256<uint> Mix1High, Vector256<uint> Mix2Low, Vector256<uint> Mix2High, Vector256<long> RadiusSquared);
}
