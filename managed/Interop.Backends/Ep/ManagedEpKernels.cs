using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Interop.Core;

namespace Interop.Backends.Ep;

/// <summary>
/// EP in C#: the spec's scalar loop (managed-serial, and managed-parallel's scalar path) and one SIMD
/// kernel per path (Vector256 on AVX2, Vector512 on AVX-512), each run one batch at a time.
/// The SIMD kernels vectorise across pairs: lane p of a batch handles pairs p, p + L, p + 2L, ...
/// (L pairs in flight), its own two generator states jumped ahead to a^(2p+1) s and a^(2p+2) s and
/// stepped by a^(2L) (a wrapping 64-bit multiply masked to 46 bits: exact), so x1, x2 and t1 are
/// bit-for-bit the scalar loop's, and with them whether a pair is accepted. log is the vector Log
/// of .NET (its own polynomial, not libm: it may differ in the last bit, so the sums agree with the
/// scalar loop's within 1e-8, not bit for bit); division and sqrt are IEEE, correctly rounded. Each
/// lane keeps its own four sums, added over the lanes in lane order at the end of the batch. The
/// histogram is kept in packed 6-bit counters per lane (one 64-bit word: bin l at bits 6l..6l+5),
/// added to q every 16 steps, before any counter can pass 63.
/// </summary>
public static class ManagedEpKernels
{
    private const double TwoPow52 = 4503599627370496.0;
    private const ulong TwoPow52Bits = 0x4330_0000_0000_0000;
    private const double TwoPowMinus45 = 2.0 * EpGenerator.Scale;

    // Steps between flushes of the packed counters: two increments per lane a step (two vectors in
    // flight), so 32 per flush, below a 6-bit counter's 63.
    private const int FlushSteps = 16;
    private const int CounterBits = 6;
    private const ulong CounterMask = (1UL << CounterBits) - 1;

    /// <summary>The kernel of <paramref name="path"/> as reports name it.</summary>
    public static string KernelName(Isa path) => path switch
    {
        Isa.Avx512 => "Vector512",
        Isa.Avx2 => "Vector256",
        _ => "scalar",
    };

    /// <summary>
    /// managed-serial: the scalar loop on the calling thread (threads is checked, then ignored, as
    /// managed-serial's pi ignores it).
    /// </summary>
    public static void RunSerial(long firstBatch, long batches, int threads, Span<double> batchSums, Span<long> counts)
    {
        EpArguments.Check(firstBatch, batches, threads, batchSums.Length, counts.Length);
        counts[..EpArguments.Annuli].Clear();
        for (long j = 0; j < batches; j++)
        {
            BatchScalar(firstBatch + j, batchSums.Slice((int)(EpArguments.SumsPerBatch * j), EpArguments.SumsPerBatch), counts);
        }
    }

    /// <summary>
    /// managed-parallel: <paramref name="threads"/> dedicated threads, each a contiguous run of whole
    /// batches (<see cref="RangeSplitter"/>), each batch by the kernel of <paramref name="path"/>.
    /// Each thread keeps its own counts; they are added (integers: in any order) at the end.
    /// </summary>
    public static unsafe void RunParallel(Isa path, long firstBatch, long batches, int threads, Span<double> batchSums, Span<long> counts)
    {
        EpArguments.Check(firstBatch, batches, threads, batchSums.Length, counts.Length);
        var perThread = new long[threads][];
        fixed (double* sums = batchSums)
        {
            nint sumsAddress = (nint)sums;
            int next = 0;
            ParallelRanges.SumOverThreads(new IndexRange(firstBatch, firstBatch + batches), threads, part =>
            {
                var own = new long[EpArguments.Annuli];
                lock (perThread)
                {
                    perThread[next++] = own;
                }

                var all = new Span<double>((void*)sumsAddress, (int)(EpArguments.SumsPerBatch * batches));
                for (long b = part.Begin; b < part.End; b++)
                {
                    Span<double> four = all.Slice((int)(EpArguments.SumsPerBatch * (b - firstBatch)), EpArguments.SumsPerBatch);
                    Batch(path, b, four, own);
                }

                return 0;
            }, "ep batches");
        }

        counts[..EpArguments.Annuli].Clear();
        foreach (long[]? own in perThread)
        {
            for (int l = 0; own is not null && l < EpArguments.Annuli; l++)
            {
                counts[l] += own[l];
            }
        }
    }

    /// <summary>One batch by the kernel of <paramref name="path"/>: its four sums into <paramref name="sums"/>, its counts added to <paramref name="counts"/>.</summary>
    public static void Batch(Isa path, long batch, Span<double> sums, Span<long> counts)
    {
        switch (path)
        {
            case Isa.Avx512:
                BatchVector512(batch, sums, counts);
                break;
            case Isa.Avx2:
                BatchVector256(batch, sums, counts);
                break;
            default:
                BatchScalar(batch, sums, counts);
                break;
        }
    }

    /// <summary>The spec, line by line (NPB's loop 140, with vranlc's randoms drawn as they are used).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BatchScalar(long batch, Span<double> sums, Span<long> counts)
    {
        ulong x = EpGenerator.BatchSeed(batch);
        double sx = 0, sy = 0, ax = 0, ay = 0;
        for (int i = 0; i < EpGenerator.PairsPerBatch; i++)
        {
            double x1 = (2.0 * EpGenerator.Randlc(ref x)) - 1.0;
            double x2 = (2.0 * EpGenerator.Randlc(ref x)) - 1.0;
            double t1 = (x1 * x1) + (x2 * x2);
            if (t1 <= 1.0)
            {
                double t2 = Math.Sqrt(-2.0 * Math.Log(t1) / t1);
                double t3 = x1 * t2;
                double t4 = x2 * t2;
                double largest = Math.Max(Math.Abs(t3), Math.Abs(t4));
                if (!(largest < EpArguments.Annuli))
                {
                    throw PastTheAnnuli(batch, i);
                }

                counts[(int)largest]++;
                sx += t3;
                sy += t4;
                ax += Math.Abs(t3);
                ay += Math.Abs(t4);
            }
        }

        sums[0] = sx;
        sums[1] = sy;
        sums[2] = ax;
        sums[3] = ay;
    }

    // x86-64-v4: 8 pairs a vector, two vectors in flight (16 pairs a step). The 64-bit multiply is
    // vpmullq (AVX-512DQ), the 46-bit integer to double vcvtuqq2pd.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void BatchVector512(long batch, Span<double> sums, Span<long> counts)
    {
        const int Lanes = 8;
        const int InFlight = 2 * Lanes;
        ulong seed = EpGenerator.BatchSeed(batch);
        Span<ulong> start = stackalloc ulong[2 * InFlight];
        Jumps(seed, start);
        Vector512<ulong> x0 = Vector512.Create(start[..Lanes]), y0 = Vector512.Create(start[InFlight..(InFlight + Lanes)]);
        Vector512<ulong> x1 = Vector512.Create(start[Lanes..InFlight]), y1 = Vector512.Create(start[(InFlight + Lanes)..]);
        Vector512<ulong> step = Vector512.Create(EpGenerator.Power(EpGenerator.Multiplier, 2 * InFlight));
        Vector512<ulong> mask = Vector512.Create(EpGenerator.Mask);
        Vector512<double> sx0 = Vector512<double>.Zero, sy0 = sx0, ax0 = sx0, ay0 = sx0, sx1 = sx0, sy1 = sx0, ax1 = sx0, ay1 = sx0;
        Vector512<ulong> failed = Vector512<ulong>.Zero;
        Span<ulong> packed = stackalloc ulong[Lanes];

        const int Steps = EpGenerator.PairsPerBatch / InFlight;
        for (int s = 0; s < Steps; s += FlushSteps)
        {
            Vector512<ulong> bins = Vector512<ulong>.Zero;
            for (int k = 0; k < FlushSteps; k++)
            {
                Pairs512(x0, y0, ref sx0, ref sy0, ref ax0, ref ay0, ref bins, ref failed);
                Pairs512(x1, y1, ref sx1, ref sy1, ref ax1, ref ay1, ref bins, ref failed);
                x0 = (x0 * step) & mask;
                y0 = (y0 * step) & mask;
                x1 = (x1 * step) & mask;
                y1 = (y1 * step) & mask;
            }

            bins.CopyTo(packed);
            Unpack(packed, counts);
        }

        if (failed != Vector512<ulong>.Zero)
        {
            throw PastTheAnnuli(batch, null);
        }

        sums[0] = LaneSum(sx0, sx1);
        sums[1] = LaneSum(sy0, sy1);
        sums[2] = LaneSum(ax0, ax1);
        sums[3] = LaneSum(ay0, ay1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pairs512(
        Vector512<ulong> x, Vector512<ulong> y, ref Vector512<double> sx, ref Vector512<double> sy,
        ref Vector512<double> ax, ref Vector512<double> ay, ref Vector512<ulong> bins, ref Vector512<ulong> failed)
    {
        Vector512<double> one = Vector512<double>.One;
        Vector512<double> x1 = (Avx512DQ.ConvertToVector512Double(x) * Vector512.Create(TwoPowMinus45)) - one;
        Vector512<double> x2 = (Avx512DQ.ConvertToVector512Double(y) * Vector512.Create(TwoPowMinus45)) - one;
        Vector512<double> t1 = (x1 * x1) + (x2 * x2);
        Vector512<double> accepted = Vector512.LessThanOrEqual(t1, one);
        Vector512<double> t2 = Vector512.Sqrt(Vector512.Create(-2.0) * Vector512.Log(t1) / t1);
        Vector512<double> t3 = (x1 * t2) & accepted;
        Vector512<double> t4 = (x2 * t2) & accepted;
        Vector512<double> abs3 = Vector512.Abs(t3);
        Vector512<double> abs4 = Vector512.Abs(t4);
        sx += t3;
        sy += t4;
        ax += abs3;
        ay += abs4;
        Vector512<double> largest = Avx512F.Max(abs3, abs4);
        failed |= Vector512.AndNot(accepted, Vector512.LessThan(largest, Vector512.Create((double)EpArguments.Annuli))).AsUInt64();
        Vector512<ulong> annulus = (Vector512.Floor(largest) + Vector512.Create(TwoPow52)).AsUInt64() & Vector512.Create(15UL);
        Vector512<ulong> shift = (annulus << 2) + (annulus << 1);
        bins += Avx512F.ShiftLeftLogicalVariable(Vector512.Create(1UL), shift) & accepted.AsUInt64();
    }

    // x86-64-v3: 4 pairs a vector, two in flight (8 pairs a step). AVX2 has no 64-bit multiply: the
    // multiply by the constant step is pi's Mul64 (one vpmuludq, one vpmulld by the constant with its
    // halves swapped), and a 46-bit integer becomes a double by its bits under 2^52's exponent.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void BatchVector256(long batch, Span<double> sums, Span<long> counts)
    {
        const int Lanes = 4;
        const int InFlight = 2 * Lanes;
        ulong seed = EpGenerator.BatchSeed(batch);
        Span<ulong> start = stackalloc ulong[2 * InFlight];
        Jumps(seed, start);
        Vector256<ulong> x0 = Vector256.Create(start[..Lanes]), y0 = Vector256.Create(start[InFlight..(InFlight + Lanes)]);
        Vector256<ulong> x1 = Vector256.Create(start[Lanes..InFlight]), y1 = Vector256.Create(start[(InFlight + Lanes)..]);
        ulong factor = EpGenerator.Power(EpGenerator.Multiplier, 2 * InFlight);
        Vector256<uint> c = Vector256.Create(factor).AsUInt32();
        Vector256<uint> cSwapped = Vector256.Create((factor >> 32) | (factor << 32)).AsUInt32();
        Vector256<ulong> highHalf = Vector256.Create(0xFFFF_FFFF_0000_0000UL);
        Vector256<ulong> mask = Vector256.Create(EpGenerator.Mask);
        Vector256<double> sx0 = Vector256<double>.Zero, sy0 = sx0, ax0 = sx0, ay0 = sx0, sx1 = sx0, sy1 = sx0, ax1 = sx0, ay1 = sx0;
        Vector256<ulong> failed = Vector256<ulong>.Zero;
        Span<ulong> packed = stackalloc ulong[Lanes];

        const int Steps = EpGenerator.PairsPerBatch / InFlight;
        for (int s = 0; s < Steps; s += FlushSteps)
        {
            Vector256<ulong> bins = Vector256<ulong>.Zero;
            for (int k = 0; k < FlushSteps; k++)
            {
                Pairs256(x0, y0, ref sx0, ref sy0, ref ax0, ref ay0, ref bins, ref failed);
                Pairs256(x1, y1, ref sx1, ref sy1, ref ax1, ref ay1, ref bins, ref failed);
                x0 = Mul64(x0, c, cSwapped, highHalf) & mask;
                y0 = Mul64(y0, c, cSwapped, highHalf) & mask;
                x1 = Mul64(x1, c, cSwapped, highHalf) & mask;
                y1 = Mul64(y1, c, cSwapped, highHalf) & mask;
            }

            bins.CopyTo(packed);
            Unpack(packed, counts);
        }

        if (failed != Vector256<ulong>.Zero)
        {
            throw PastTheAnnuli(batch, null);
        }

        sums[0] = LaneSum(sx0, sx1);
        sums[1] = LaneSum(sy0, sy1);
        sums[2] = LaneSum(ax0, ax1);
        sums[3] = LaneSum(ay0, ay1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pairs256(
        Vector256<ulong> x, Vector256<ulong> y, ref Vector256<double> sx, ref Vector256<double> sy,
        ref Vector256<double> ax, ref Vector256<double> ay, ref Vector256<ulong> bins, ref Vector256<ulong> failed)
    {
        Vector256<double> one = Vector256<double>.One;
        Vector256<double> twoPow52 = Vector256.Create(TwoPow52);
        Vector256<double> x1 = (((x | Vector256.Create(TwoPow52Bits)).AsDouble() - twoPow52) * Vector256.Create(TwoPowMinus45)) - one;
        Vector256<double> x2 = (((y | Vector256.Create(TwoPow52Bits)).AsDouble() - twoPow52) * Vector256.Create(TwoPowMinus45)) - one;
        Vector256<double> t1 = (x1 * x1) + (x2 * x2);
        Vector256<double> accepted = Avx.CompareLessThanOrEqual(t1, one);
        Vector256<double> t2 = Avx.Sqrt(Vector256.Create(-2.0) * Vector256.Log(t1) / t1);
        Vector256<double> t3 = (x1 * t2) & accepted;
        Vector256<double> t4 = (x2 * t2) & accepted;
        Vector256<double> abs3 = Vector256.AndNot(t3, Vector256.Create(-0.0));
        Vector256<double> abs4 = Vector256.AndNot(t4, Vector256.Create(-0.0));
        sx += t3;
        sy += t4;
        ax += abs3;
        ay += abs4;
        Vector256<double> largest = Avx.Max(abs3, abs4);
        failed |= Vector256.AndNot(accepted, Avx.CompareLessThan(largest, Vector256.Create((double)EpArguments.Annuli))).AsUInt64();
        Vector256<ulong> annulus = (Avx.RoundToNegativeInfinity(largest) + twoPow52).AsUInt64() & Vector256.Create(15UL);
        Vector256<ulong> shift = Avx2.ShiftLeftLogical(annulus, 2) + Avx2.ShiftLeftLogical(annulus, 1);
        bins += Avx2.ShiftLeftLogicalVariable(Vector256.Create(1UL), shift) & accepted.AsUInt64();
    }

    // z * c modulo 2^64 for c = c_hi 2^32 + c_lo (pi's Mul64, ManagedPiKernels): z_lo c_lo by
    // vpmuludq; the cross terms z_lo c_hi and z_hi c_lo, wanted modulo 2^32 only, are the two
    // halves of one vpmulld by c with its halves swapped, summed into the high half.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Mul64(Vector256<ulong> z, Vector256<uint> c, Vector256<uint> cSwapped, Vector256<ulong> highHalf)
    {
        Vector256<ulong> cross = Avx2.MultiplyLow(z.AsUInt32(), cSwapped).AsUInt64();
        cross = (cross + Avx2.ShiftLeftLogical(cross, 32)) & highHalf;
        return Avx2.Multiply(z.AsUInt32(), c) + cross;
    }

    // The starting states of the lanes in flight: start[p] = a^(2p+1) s (x1 of pair p) for
    // p < n, start[n + p] = a^(2p+2) s (its x2), n = start.Length / 2.
    private static void Jumps(ulong seed, Span<ulong> start)
    {
        int n = start.Length / 2;
        ulong x = seed;
        for (int p = 0; p < n; p++)
        {
            x = EpGenerator.Next(x);
            start[p] = x;
            x = EpGenerator.Next(x);
            start[n + p] = x;
        }
    }

    // The lanes of the vectors in flight, in lane order (first vector's lanes, then the second's).
    private static double LaneSum(Vector512<double> first, Vector512<double> second)
    {
        double sum = 0;
        for (int j = 0; j < Vector512<double>.Count; j++)
        {
            sum += first[j];
        }

        for (int j = 0; j < Vector512<double>.Count; j++)
        {
            sum += second[j];
        }

        return sum;
    }

    private static double LaneSum(Vector256<double> first, Vector256<double> second)
    {
        double sum = 0;
        for (int j = 0; j < Vector256<double>.Count; j++)
        {
            sum += first[j];
        }

        for (int j = 0; j < Vector256<double>.Count; j++)
        {
            sum += second[j];
        }

        return sum;
    }

    private static void Unpack(ReadOnlySpan<ulong> packed, Span<long> counts)
    {
        foreach (ulong word in packed)
        {
            for (int l = 0; l < EpArguments.Annuli; l++)
            {
                counts[l] += (long)((word >> (CounterBits * l)) & CounterMask);
            }
        }
    }

    private static EpNumericalException PastTheAnnuli(long batch, int? pair) =>
        new($"EP: a deviate of batch {batch}{(pair is int i ? $", pair {i}," : string.Empty)} lies past annulus {EpArguments.Annuli - 1} (max(|t3|, |t4|) >= {EpArguments.Annuli} or not a number)");
}
