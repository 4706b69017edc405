using System.Numerics;
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
/// bit-for-bit the scalar loop's, and with them whether a pair is accepted. log is fdlibm's, inlined
/// (<see cref="EpLog"/>: below 1 ulp, but not libm's bits, so the sums agree with the scalar loop's
/// within 1e-8, not bit for bit); division and sqrt are IEEE, correctly rounded. The
/// accepted pairs of a chunk are packed before log, so each lane's sums run over the packed pairs
/// k = lane (mod lanes) of the batch, in order; they are added over the lanes in lane order at the
/// end of the batch: an order fixed by the path, never by the threads. The histogram is kept in
/// packed 6-bit counters per lane (one 64-bit word: bin l at bits 6l..6l+5), added to q before any
/// counter can pass 63.
/// </summary>
public static class ManagedEpKernels
{
    private const double TwoPow52 = 4503599627370496.0;
    private const ulong TwoPow52Bits = 0x4330_0000_0000_0000;
    private const double TwoPowMinus45 = 2.0 * EpGenerator.Scale;

    // Pairs a chunk of the vector kernels takes through their two passes (their buffers: 6 KiB in all).
    private const int ChunkPairs = 256;

    // Packed vectors of the Vector256 kernel between unpacks of its counters: 32 increments a lane.
    private const int Half = ChunkPairs / 2;

    // The permutations that move the lanes of a 4-bit mask to the front, in order (vpermps indices:
    // double lane i is floats 2i and 2i+1).
    private static readonly int[] LeftPack = [.. Enumerable.Range(0, 16).SelectMany(mask =>
    {
        int[] lanes = [.. Enumerable.Range(0, 4).Where(i => (mask & (1 << i)) != 0), .. Enumerable.Range(0, 4).Where(i => (mask & (1 << i)) == 0)];
        return lanes.SelectMany(i => new[] { 2 * i, (2 * i) + 1 });
    })];
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
        if (path == Isa.Auto || !ManagedIsa.Supports(path))
        {
            throw new ArgumentOutOfRangeException(nameof(path), $"this CPU has no {IsaNames.Name(path)} path for the C# kernels");
        }

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

    /// <summary>One batch by the kernel of <paramref name="path"/> (one this CPU has: <see cref="RunParallel"/> checks): its four sums into <paramref name="sums"/>, its counts added to <paramref name="counts"/>.</summary>
    internal static void Batch(Isa path, long batch, Span<double> sums, Span<long> counts)
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

    // x86-64-v4: 8 pairs a vector, two vectors in flight (16 pairs a step); the 64-bit multiply is
    // vpmullq (AVX-512DQ), the 46-bit integer to double vcvtuqq2pd. A chunk of pairs goes in two
    // passes: (1) draw the pairs and pack the accepted ones (vcompresspd), so that log, division and
    // sqrt run on full vectors of accepted pairs only (a fifth of the pairs is rejected); (2) log,
    // t2, t3, t4, the sums and the counts.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void BatchVector512(long batch, Span<double> sums, Span<long> counts)
    {
        const int Lanes = 8;
        const int InFlight = 2 * Lanes;
        ulong* start = stackalloc ulong[2 * InFlight];
        Jumps(EpGenerator.BatchSeed(batch), new Span<ulong>(start, 2 * InFlight));
        Vector512<ulong> x0 = Vector512.Load(start), x1 = Vector512.Load(start + Lanes);
        Vector512<ulong> y0 = Vector512.Load(start + InFlight), y1 = Vector512.Load(start + InFlight + Lanes);
        Vector512<ulong> step = Vector512.Create(EpGenerator.Power(EpGenerator.Multiplier, 2 * InFlight));
        Vector512<ulong> mask = Vector512.Create(EpGenerator.Mask);
        double* packedX1 = stackalloc double[ChunkPairs + Lanes];
        double* packedX2 = stackalloc double[ChunkPairs + Lanes];
        double* packedT1 = stackalloc double[ChunkPairs + Lanes];
        ulong* packedBins = stackalloc ulong[Lanes];
        Vector512<double> sx = Vector512<double>.Zero, sy = sx, ax = sx, ay = sx;
        Vector512<ulong> failed = Vector512<ulong>.Zero;

        for (int chunk = 0; chunk < EpGenerator.PairsPerBatch; chunk += ChunkPairs)
        {
            int n = 0;
            for (int k = 0; k < ChunkPairs; k += InFlight)
            {
                n = Pack512(x0, y0, packedX1, packedX2, packedT1, n);
                n = Pack512(x1, y1, packedX1, packedX2, packedT1, n);
                x0 = (x0 * step) & mask;
                y0 = (y0 * step) & mask;
                x1 = (x1 * step) & mask;
                y1 = (y1 * step) & mask;
            }

            // At most ChunkPairs / Lanes = 32 increments per lane: within a 6-bit counter.
            Vector512<ulong> bins = Vector512<ulong>.Zero;
            for (int k = 0; k < n; k += Lanes)
            {
                // The last vector's lanes past the n accepted pairs hold stale values: masked out.
                Vector512<double> live = Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)(n - k))).AsDouble();
                Vector512<double> t1 = Vector512.Load(packedT1 + k);
                Vector512<double> t2 = Vector512.Sqrt(Vector512.Create(-2.0) * EpLog.Log(t1) / t1);
                Vector512<double> t3 = (Vector512.Load(packedX1 + k) * t2) & live;
                Vector512<double> t4 = (Vector512.Load(packedX2 + k) * t2) & live;
                Vector512<double> abs3 = Vector512.Abs(t3);
                Vector512<double> abs4 = Vector512.Abs(t4);
                sx += t3;
                sy += t4;
                ax += abs3;
                ay += abs4;
                Vector512<double> largest = Avx512F.Max(abs3, abs4);
                // t1 = 0 (x1 = x2 = 0) is the scalar loop's NaN: EpLog takes no 0, so it is flagged by t1.
                Vector512<double> inRange = Vector512.LessThan(largest, Vector512.Create((double)EpArguments.Annuli)) & Vector512.GreaterThan(t1, Vector512<double>.Zero);
                failed |= Vector512.AndNot(live, inRange).AsUInt64();
                Vector512<ulong> annulus = (Vector512.Floor(largest) + Vector512.Create(TwoPow52)).AsUInt64() & Vector512.Create(15UL);
                Vector512<ulong> shift = (annulus << 2) + (annulus << 1);
                bins += Avx512F.ShiftLeftLogicalVariable(Vector512.Create(1UL), shift) & live.AsUInt64();
            }

            bins.Store(packedBins);
            Unpack(new ReadOnlySpan<ulong>(packedBins, Lanes), counts);
        }

        if (failed != Vector512<ulong>.Zero)
        {
            throw PastTheAnnuli(batch, null);
        }

        sums[0] = LaneSum(sx);
        sums[1] = LaneSum(sy);
        sums[2] = LaneSum(ax);
        sums[3] = LaneSum(ay);
    }

    // Draws 8 pairs from states x (x1's) and y (x2's), appends the accepted ones (t1 <= 1) to the
    // packed x1, x2 and t1 at n, and returns the new n.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int Pack512(Vector512<ulong> x, Vector512<ulong> y, double* packedX1, double* packedX2, double* packedT1, int n)
    {
        Vector512<double> one = Vector512<double>.One;
        Vector512<double> x1 = (Avx512DQ.ConvertToVector512Double(x) * Vector512.Create(TwoPowMinus45)) - one;
        Vector512<double> x2 = (Avx512DQ.ConvertToVector512Double(y) * Vector512.Create(TwoPowMinus45)) - one;
        Vector512<double> t1 = (x1 * x1) + (x2 * x2);
        Vector512<double> accepted = Vector512.LessThanOrEqual(t1, one);
        Avx512F.CompressStore(packedX1 + n, accepted, x1);
        Avx512F.CompressStore(packedX2 + n, accepted, x2);
        Avx512F.CompressStore(packedT1 + n, accepted, t1);
        return n + BitOperations.PopCount(accepted.ExtractMostSignificantBits());
    }

    // x86-64-v3: 4 pairs a vector, two in flight (8 pairs a step), in the same two passes as the
    // AVX-512 kernel. AVX2 has no 64-bit multiply: the multiply by the constant step is pi's Mul64 (one
    // vpmuludq, one vpmulld by the constant with its halves swapped); a 46-bit integer becomes a double
    // by its bits under 2^52's exponent; and it has no compress: the accepted lanes are packed by a
    // permutation looked up by their mask (LeftPack).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void BatchVector256(long batch, Span<double> sums, Span<long> counts)
    {
        const int Lanes = 4;
        const int InFlight = 2 * Lanes;
        ulong* start = stackalloc ulong[2 * InFlight];
        Jumps(EpGenerator.BatchSeed(batch), new Span<ulong>(start, 2 * InFlight));
        Vector256<ulong> x0 = Vector256.Load(start), x1 = Vector256.Load(start + Lanes);
        Vector256<ulong> y0 = Vector256.Load(start + InFlight), y1 = Vector256.Load(start + InFlight + Lanes);
        ulong factor = EpGenerator.Power(EpGenerator.Multiplier, 2 * InFlight);
        Vector256<uint> c = Vector256.Create(factor).AsUInt32();
        Vector256<uint> cSwapped = Vector256.Create((factor >> 32) | (factor << 32)).AsUInt32();
        Vector256<ulong> highHalf = Vector256.Create(0xFFFF_FFFF_0000_0000UL);
        Vector256<ulong> mask = Vector256.Create(EpGenerator.Mask);
        double* packedX1 = stackalloc double[ChunkPairs + Lanes];
        double* packedX2 = stackalloc double[ChunkPairs + Lanes];
        double* packedT1 = stackalloc double[ChunkPairs + Lanes];
        ulong* packedBins = stackalloc ulong[Lanes];
        Vector256<double> sx = Vector256<double>.Zero, sy = sx, ax = sx, ay = sx;
        Vector256<ulong> failed = Vector256<ulong>.Zero;

        fixed (int* leftPack = LeftPack)
        {
            for (int chunk = 0; chunk < EpGenerator.PairsPerBatch; chunk += ChunkPairs)
            {
                int n = 0;
                for (int k = 0; k < ChunkPairs; k += InFlight)
                {
                    n = Pack256(x0, y0, packedX1, packedX2, packedT1, leftPack, n);
                    n = Pack256(x1, y1, packedX1, packedX2, packedT1, leftPack, n);
                    x0 = Mul64(x0, c, cSwapped, highHalf) & mask;
                    y0 = Mul64(y0, c, cSwapped, highHalf) & mask;
                    x1 = Mul64(x1, c, cSwapped, highHalf) & mask;
                    y1 = Mul64(y1, c, cSwapped, highHalf) & mask;
                }

                // At most ChunkPairs / Lanes = 64 increments per lane: over a 6-bit counter, so
                // the counts are unpacked halfway too.
                Vector256<ulong> bins = Vector256<ulong>.Zero;
                for (int k = 0; k < n; k += Lanes)
                {
                    Vector256<double> live = Avx2.CompareGreaterThan(Vector256.Create((long)(n - k)), Vector256.Create(0L, 1L, 2L, 3L)).AsDouble();
                    Vector256<double> t1 = Vector256.Load(packedT1 + k);
                    Vector256<double> t2 = Avx.Sqrt(Vector256.Create(-2.0) * EpLog.Log(t1) / t1);
                    Vector256<double> t3 = (Vector256.Load(packedX1 + k) * t2) & live;
                    Vector256<double> t4 = (Vector256.Load(packedX2 + k) * t2) & live;
                    Vector256<double> abs3 = Vector256.AndNot(t3, Vector256.Create(-0.0));
                    Vector256<double> abs4 = Vector256.AndNot(t4, Vector256.Create(-0.0));
                    sx += t3;
                    sy += t4;
                    ax += abs3;
                    ay += abs4;
                    Vector256<double> largest = Avx.Max(abs3, abs4);
                    Vector256<double> inRange = Avx.CompareLessThan(largest, Vector256.Create((double)EpArguments.Annuli)) & Avx.CompareGreaterThan(t1, Vector256<double>.Zero);
                    failed |= Vector256.AndNot(live, inRange).AsUInt64();
                    Vector256<ulong> annulus = (Avx.RoundToNegativeInfinity(largest) + Vector256.Create(TwoPow52)).AsUInt64() & Vector256.Create(15UL);
                    Vector256<ulong> shift = Avx2.ShiftLeftLogical(annulus, 2) + Avx2.ShiftLeftLogical(annulus, 1);
                    bins += Avx2.ShiftLeftLogicalVariable(Vector256.Create(1UL), shift) & live.AsUInt64();
                    if ((k & (Half - 1)) == Half - Lanes)
                    {
                        bins.Store(packedBins);
                        Unpack(new ReadOnlySpan<ulong>(packedBins, Lanes), counts);
                        bins = Vector256<ulong>.Zero;
                    }
                }

                bins.Store(packedBins);
                Unpack(new ReadOnlySpan<ulong>(packedBins, Lanes), counts);
            }
        }

        if (failed != Vector256<ulong>.Zero)
        {
            throw PastTheAnnuli(batch, null);
        }

        sums[0] = LaneSum(sx);
        sums[1] = LaneSum(sy);
        sums[2] = LaneSum(ax);
        sums[3] = LaneSum(ay);
    }

    // Draws 4 pairs and appends the accepted ones at n (see Pack512): the lanes are moved to the front
    // by vpermps with the permutation of their 4-bit mask, and the whole vector is stored (the lanes
    // past the accepted ones are overwritten by the next store, or never read).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int Pack256(Vector256<ulong> x, Vector256<ulong> y, double* packedX1, double* packedX2, double* packedT1, int* leftPack, int n)
    {
        Vector256<double> one = Vector256<double>.One;
        Vector256<double> twoPow52 = Vector256.Create(TwoPow52);
        Vector256<double> x1 = (((x | Vector256.Create(TwoPow52Bits)).AsDouble() - twoPow52) * Vector256.Create(TwoPowMinus45)) - one;
        Vector256<double> x2 = (((y | Vector256.Create(TwoPow52Bits)).AsDouble() - twoPow52) * Vector256.Create(TwoPowMinus45)) - one;
        Vector256<double> t1 = (x1 * x1) + (x2 * x2);
        int accepted = Avx.MoveMask(Avx.CompareLessThanOrEqual(t1, one));
        Vector256<int> permutation = Avx.LoadVector256(leftPack + (8 * accepted));
        Avx.Store(packedX1 + n, Avx2.PermuteVar8x32(x1.AsSingle(), permutation).AsDouble());
        Avx.Store(packedX2 + n, Avx2.PermuteVar8x32(x2.AsSingle(), permutation).AsDouble());
        Avx.Store(packedT1 + n, Avx2.PermuteVar8x32(t1.AsSingle(), permutation).AsDouble());
        return n + BitOperations.PopCount((uint)accepted);
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

    // The lanes in lane order: a fixed order, whatever the threads.
    private static double LaneSum(Vector512<double> lanes)
    {
        double sum = 0;
        for (int j = 0; j < Vector512<double>.Count; j++)
        {
            sum += lanes[j];
        }

        return sum;
    }

    private static double LaneSum(Vector256<double> lanes)
    {
        double sum = 0;
        for (int j = 0; j < Vector256<double>.Count; j++)
        {
            sum += lanes[j];
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
