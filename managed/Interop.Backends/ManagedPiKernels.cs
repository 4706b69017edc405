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

    // x86-64-v4: 64-bit lanes multiply in one instruction (vpmullq, AVX-512DQ). The loop is
    // C's (pi_c_kernel.c) instruction for instruction, 15 per 8 darts: the darts outside are
    // counted (see Outside512) and subtracted from the total at the end.
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
        Vector512<ulong> o0 = Vector512<ulong>.Zero, o1 = o0, o2 = o0, o3 = o0;

        ulong i = 0;
        for (; i + (Lanes * Unroll) <= n; i += Lanes * Unroll)
        {
            o0 = Outside512(z0, o0);
            o1 = Outside512(z1, o1);
            o2 = Outside512(z2, o2);
            o3 = Outside512(z3, o3);
            z0 += step;
            z1 += step;
            z2 += step;
            z3 += step;
        }

        ulong outside = Vector512.Sum((o0 + o1) + (o2 + o3));
        return (long)(i - outside) + CountScalar(seed, new IndexRange(darts.Begin + (long)i, darts.End));
    }

    // The register micro-kernel: 8 darts. x*x + y*y is below 2^63 (x and y are 31-bit), so its bit 62
    // alone says "outside" (>= 2^62): one shift and an add count it, where the compare that C does
    // with a masked subtract would cost the JIT a compare, a mask-to-vector move and a subtract. y is
    // a 32-bit shift, since vpmuludq reads only the low half of each lane (no mask needed).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Outside512(Vector512<ulong> z, Vector512<ulong> outside)
    {
        z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(SplitMix64.Mix1);
        z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(SplitMix64.Mix2);
        z ^= Vector512.ShiftRightLogical(z, 31);
        Vector512<uint> x = Vector512.ShiftRightLogical(z, 33).AsUInt32();
        Vector512<uint> y = Vector512.ShiftRightLogical(z.AsUInt32(), 1);
        Vector512<ulong> r2 = Avx512F.Multiply(x, x) + Avx512F.Multiply(y, y);
        return outside + Vector512.ShiftRightLogical(r2, 62);
    }

    // x86-64-v3: AVX2 has no 64-bit multiply; each multiply by a SplitMix64 constant is C's
    // mul64_const (pi_c_kernel.c): one vpmuludq and one vpmulld by the constant with its halves
    // swapped, which C measured faster on Zen 3 than three vpmuludq and their shifts. The darts
    // outside are counted by bit 62, as in the AVX-512 kernel.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static long CountVector256(ulong seed, IndexRange darts)
    {
        const int Lanes = 4;
        const int Unroll = 4;
        ulong n = (ulong)darts.Length;
        var k = new Mix256Constants(
            Vector256.Create(SplitMix64.Mix1).AsUInt32(),
            Vector256.Create(SwapHalves(SplitMix64.Mix1)).AsUInt32(),
            Vector256.Create(SplitMix64.Mix2).AsUInt32(),
            Vector256.Create(SwapHalves(SplitMix64.Mix2)).AsUInt32(),
            Vector256.Create(0xFFFF_FFFF_0000_0000UL));
        Vector256<ulong> step = Vector256.Create(unchecked(Lanes * Unroll * SplitMix64.Golden));
        Vector256<ulong> z0 = Vector256.Create(unchecked(seed + (((ulong)darts.Begin + 1) * SplitMix64.Golden)))
            + Vector256.Create(0UL, SplitMix64.Golden, unchecked(2 * SplitMix64.Golden), unchecked(3 * SplitMix64.Golden));
        Vector256<ulong> z1 = z0 + Vector256.Create(unchecked(1 * Lanes * SplitMix64.Golden));
        Vector256<ulong> z2 = z0 + Vector256.Create(unchecked(2 * Lanes * SplitMix64.Golden));
        Vector256<ulong> z3 = z0 + Vector256.Create(unchecked(3 * Lanes * SplitMix64.Golden));
        Vector256<ulong> outsideLanes = Vector256<ulong>.Zero;

        // One accumulator (as many adds as four): on 16 registers the constants need the other ones.
        ulong i = 0;
        for (; i + (Lanes * Unroll) <= n; i += Lanes * Unroll)
        {
            outsideLanes += (Outside256(z0, k) + Outside256(z1, k)) + (Outside256(z2, k) + Outside256(z3, k));
            z0 += step;
            z1 += step;
            z2 += step;
            z3 += step;
        }

        ulong outside = Vector256.Sum(outsideLanes);
        return (long)(i - outside) + CountScalar(seed, new IndexRange(darts.Begin + (long)i, darts.End));
    }

    // The register micro-kernel: 4 darts, 1 in the lanes that are outside (bit 62 of x*x + y*y).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Outside256(Vector256<ulong> z, in Mix256Constants k)
    {
        z = Mul64(z ^ Avx2.ShiftRightLogical(z, 30), k.Mix1, k.Mix1Swapped, k.HighHalf);
        z = Mul64(z ^ Avx2.ShiftRightLogical(z, 27), k.Mix2, k.Mix2Swapped, k.HighHalf);
        z ^= Avx2.ShiftRightLogical(z, 31);
        Vector256<uint> x = Avx2.ShiftRightLogical(z, 33).AsUInt32();
        Vector256<uint> y = Avx2.ShiftRightLogical(z.AsUInt32(), 1);
        Vector256<ulong> r2 = Avx2.Multiply(x, x) + Avx2.Multiply(y, y);
        return Avx2.ShiftRightLogical(r2, 62);
    }

    // z * c modulo 2^64 with c = c_hi 2^32 + c_lo: the low product z_lo c_lo is one vpmuludq; the
    // cross terms z_lo c_hi and z_hi c_lo, wanted modulo 2^32 only, are the two 32-bit halves of one
    // vpmulld by c with its halves swapped, summed into the high half by a shift and an add.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Mul64(Vector256<ulong> z, Vector256<uint> c, Vector256<uint> cSwapped, Vector256<ulong> highHalf)
    {
        Vector256<ulong> cross = Avx2.MultiplyLow(z.AsUInt32(), cSwapped).AsUInt64();
        cross = (cross + Avx2.ShiftLeftLogical(cross, 32)) & highHalf;
        return Avx2.Multiply(z.AsUInt32(), c) + cross;
    }

    private static ulong SwapHalves(ulong c) => (c >> 32) | (c << 32);

    private readonly record struct Mix256Constants(
        Vector256<uint> Mix1, Vector256<uint> Mix1Swapped, Vector256<uint> Mix2, Vector256<uint> Mix2Swapped, Vector256<ulong> HighHalf);
}
