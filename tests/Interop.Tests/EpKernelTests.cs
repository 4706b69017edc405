using System.Runtime.Intrinsics;
using System.Text.Json;
using Interop.Backends;
using Interop.Backends.Ep;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// EP's kernels on every backend that runs EP (the managed ones, and each native row whose table row
/// names an "ep" symbol and whose library this build has) and every path this CPU has (as .NET and
/// each library declare it, not this machine's): class S verified by both of NPB's variants, q0..q9
/// the same everywhere (and NPB's own), the sums bit-identical across threads for one backend and
/// path, and within 1e-8 of the scalar loop across paths and backends.
/// </summary>
[NonParallelizable]
public sealed class EpKernelTests
{
    // q0..q9 that NPB's own EP printed for class S (NPB 3.3.1 and 3.4.2 alike: /work/wt/EP-REFERENCE.md).
    private static readonly long[] NpbCountsS = [6_140_517, 5_865_300, 1_100_361, 68_546, 1_648, 17, 0, 0, 0, 0];

    private static readonly Lazy<(double[] Sums, long[] Counts)> SerialS = new(() => RunAll(Serial, EpClass.S, 1));

    private static IEpKernel Serial => EpKernels.For(BackendCatalog.Select<IPiBackend>("managed-serial")[0])!;

    [TearDown]
    public void Restore() => IsaSwitch.Apply(Isa.Auto);

    [Test]
    public void ClassSOnManagedSerialVerifiesByBothVariantsWithNpbsOwnCounts()
    {
        (double[] sums, long[] counts) = SerialS.Value;
        EpResult result = EpResult.Reduce(sums, counts);
        Assert.That(counts, Is.EqualTo(NpbCountsS));
        Assert.That(result.Pairs, Is.EqualTo(13_176_389));
        Assert.That(EpVerification.Verify(EpClass.S, result, EpVariant.Npb34), Has.Property("Kind").EqualTo(EpVerdictKind.Passed));
        Assert.That(EpVerification.Verify(EpClass.S, result, EpVariant.Npb33), Has.Property("Kind").EqualTo(EpVerdictKind.Passed));
        Assert.That(Serial.Path, Is.EqualTo(Isa.Scalar));
    }

    [Test]
    public void ClassSOnEveryBackendPathAndOneToThreeThreadsVerifiesWithTheSameCountsAndThreadIndependentSums()
    {
        (double[] serialSums, long[] serialCounts) = SerialS.Value;
        EpResult serial = EpResult.Reduce(serialSums, serialCounts);
        string[] built = BuiltLibraries();
        int checkedRuns = 0;
        foreach (IBackend backend in EpKernels.Backends)
        {
            IEpKernel kernel = EpKernels.For(backend)!;
            if (backend is NativeKernelBackend row && !built.Contains(row.Kernel.Info.Library.Name))
            {
                Assert.Throws<BackendUnavailableException>(kernel.EnsureAvailable, $"{backend.Name}: its library is not in this build");
                continue;
            }

            kernel.EnsureAvailable();
            foreach (Isa path in PathsOf(backend))
            {
                IsaSwitch.Apply(path);
                double[]? firstSums = null;
                for (int threads = 1; threads <= 3; threads++)
                {
                    string where = $"{backend.Name}, {IsaNames.Name(kernel.Path)}, {threads} thread(s)";
                    (double[] sums, long[] counts) = RunAll(kernel, EpClass.S, threads);
                    EpResult result = EpResult.Reduce(sums, counts);
                    Assert.That(EpVerification.Verify(EpClass.S, result, EpVariant.Npb34).Detail, Does.Contain("within"), where);
                    Assert.That(EpVerification.Verify(EpClass.S, result, EpVariant.Npb33).Passed, Is.True, where);
                    if (!counts.SequenceEqual(serialCounts))
                    {
                        Assert.Fail($"{where}: q0..q9 {string.Join(" ", counts)} differ from the scalar loop's {string.Join(" ", serialCounts)}; {PairsAcrossAnAnnulus(kernel.Path)}");
                    }

                    foreach ((double value, double reference) in new[] { (result.Sx, serial.Sx), (result.Sy, serial.Sy), (result.SumAbsX, serial.SumAbsX), (result.SumAbsY, serial.SumAbsY) })
                    {
                        Assert.That(EpVerification.RelativeError(value, reference), Is.LessThanOrEqualTo(1e-8), $"{where}: against the scalar loop");
                    }

                    firstSums ??= sums;
                    Assert.That(sums, Is.EqualTo(firstSums), $"{where}: each batch's sums bit for bit those of 1 thread");
                    checkedRuns++;
                }
            }
        }

        Assert.That(checkedRuns, Is.GreaterThanOrEqualTo(3 * (1 + IsaNames.Paths.Count(ManagedIsa.Supports))), "managed-serial and managed-parallel on every path ran");
    }

    [Test]
    public void ClassWVerifiesOnManagedSerialAndOnManagedParallelsBestPath()
    {
        IEpKernel parallel = EpKernels.For(BackendCatalog.Select<IPiBackend>("managed-parallel")[0])!;
        (double[] serialSums, long[] serialCounts) = RunAll(Serial, EpClass.W, 1);
        (double[] sums, long[] counts) = RunAll(parallel, EpClass.W, 2);
        foreach (EpResult result in new[] { EpResult.Reduce(serialSums, serialCounts), EpResult.Reduce(sums, counts) })
        {
            Assert.That(EpVerification.Verify(EpClass.W, result, EpVariant.Npb34).Passed, Is.True);
            Assert.That(EpVerification.Verify(EpClass.W, result, EpVariant.Npb33).Passed, Is.True);
            Assert.That(result.Counts, Is.EqualTo(new long[] { 12_281_576, 11_729_692, 2_202_726, 137_368, 3_371, 36, 0, 0, 0, 0 }), "NPB's own q for W");
        }
    }

    /// <summary>Batches split over ranks (as NPB's MPI EP splits them), gathered in batch order, give one run's bits.</summary>
    [Test]
    public void BatchesRunInPiecesAndGatheredInBatchOrderReduceToTheSameBits()
    {
        IEpKernel parallel = EpKernels.For(BackendCatalog.Select<IPiBackend>("managed-parallel")[0])!;
        const long Batches = 7;
        var whole = new double[4 * Batches];
        var counts = new long[10];
        parallel.Run(0, Batches, 2, whole, counts);
        var pieces = new double[4 * Batches];
        var total = new long[10];
        foreach (IndexRange rank in RangeSplitter.Split(new IndexRange(0, Batches), 3))
        {
            var own = new long[10];
            parallel.Run(rank.Begin, rank.Length, 1, pieces.AsSpan((int)(4 * rank.Begin), (int)(4 * rank.Length)), own);
            for (int l = 0; l < 10; l++)
            {
                total[l] += own[l];
            }
        }

        Assert.That(pieces, Is.EqualTo(whole));
        Assert.That(total, Is.EqualTo(counts));
        Assert.That(EpResult.Reduce(pieces, total), Is.EqualTo(EpResult.Reduce(whole, counts)).Using<EpResult>(SameBits));
    }

    [Test]
    public void BadArgumentsAreRefusedBeforeAnyWorkOnEveryBackend()
    {
        foreach (IBackend backend in EpKernels.Backends.Where(b => b is not NativeKernelBackend row || BuiltLibraries().Contains(row.Kernel.Info.Library.Name)))
        {
            IEpKernel kernel = EpKernels.For(backend)!;
            var sums = new double[8];
            var counts = new long[10];
            Assert.That(Thrown(() => kernel.Run(-1, 1, 1, sums, counts)), Is.EqualTo("firstBatch"), backend.Name);
            Assert.That(Thrown(() => kernel.Run(0, -1, 1, sums, counts)), Is.EqualTo("batches"), backend.Name);
            Assert.That(Thrown(() => kernel.Run(0, 1, 0, sums, counts)), Is.EqualTo("threads"), backend.Name);
            Assert.That(Thrown(() => kernel.Run(0, 3, 1, sums, counts)), Is.EqualTo("batchSums"), backend.Name);
            Assert.That(Thrown(() => kernel.Run(0, 1, 1, sums, new long[9])), Is.EqualTo("counts"), backend.Name);
            Assert.That(Thrown(() => kernel.Run(EpGenerator.MaxBatches - 1, 2, 1, sums, counts)), Is.EqualTo("batches"), backend.Name);
            Assert.That(sums, Is.All.Zero, $"{backend.Name}: nothing ran");

            // No batches: no sums, and q0..q9 overwritten with zeros.
            counts[3] = 99;
            kernel.Run(EpGenerator.MaxBatches, 0, 2, [], counts);
            Assert.That(counts, Is.All.Zero, backend.Name);
        }
    }

    [Test]
    public void OnlyTheManagedBackendsAndRowsNamingAnEpSymbolRunEp()
    {
        foreach (IBackend backend in BackendCatalog.All<IBackend>())
        {
            bool expected = backend.Name is "managed-serial" or "managed-parallel"
                || (backend is NativeKernelBackend row && row.Kernel.Info.Offers("ep"));
            Assert.That(EpKernels.Runs(backend), Is.EqualTo(expected), backend.Name);
        }

        Assert.That(EpKernels.Backends.Select(b => b.Name), Does.Not.Contain("lapack").And.Not.Contain("scalapack"));
    }

    [Test]
    public void ANativeRowWhoseLibraryLacksItsEpSymbolIsUnavailableSayingSo()
    {
        int abi = NativeKernelTable.Default.Library("interop_native").AbiVersion;
        string json = $$$"""
            {"libraries": [{"name": "interop_native", "abi_symbol": "interop_abi_version", "abi_version": {{{abi}}}, "isa_prefix": "interop_isa", "isa_paths": ["scalar"]}],
             "kernels": [{"backend": "test-ep", "id": "tep", "order": 99, "language": "C", "description": "d", "library": "interop_native", "symbols": {"ep": "interop_ep_nowhere"}}]}
            """;
        NativeKernelInfo row = NativeKernelTable.Parse(json).Kernels.Single();
        IBackend backend = BackendCatalog.Build(NativeKernelTable.Parse(json)).Single(b => b.Name == "test-ep");
        IEpKernel kernel = EpKernels.For(backend)!;
        Assert.That(kernel, Is.TypeOf<NativeEpKernel>());
        Assert.That(BackendCatalog.Of<IPiBackend>([backend]), Is.Empty, "an EP-only row is not offered for pi");
        var e = Assert.Throws<BackendUnavailableException>(kernel.EnsureAvailable);
        Assert.That(e!.Message, Does.Contain("has no symbol interop_ep_nowhere"));
        Assert.Throws<BackendUnavailableException>(() => kernel.Run(0, 1, 1, new double[4], new long[10]));
        Assert.That(row.Offers("ep"), Is.True);
    }

    private static string? Thrown(TestDelegate run) => Assert.Throws(Is.InstanceOf<ArgumentException>(), run) is ArgumentException e ? e.ParamName : null;

    private static bool SameBits(EpResult a, EpResult b) =>
        BitConverter.DoubleToInt64Bits(a.Sx) == BitConverter.DoubleToInt64Bits(b.Sx) && BitConverter.DoubleToInt64Bits(a.Sy) == BitConverter.DoubleToInt64Bits(b.Sy)
        && BitConverter.DoubleToInt64Bits(a.SumAbsX) == BitConverter.DoubleToInt64Bits(b.SumAbsX) && BitConverter.DoubleToInt64Bits(a.SumAbsY) == BitConverter.DoubleToInt64Bits(b.SumAbsY)
        && a.Counts.SequenceEqual(b.Counts);

    private static (double[] Sums, long[] Counts) RunAll(IEpKernel kernel, EpClass size, int threads)
    {
        var sums = new double[4 * size.Batches];
        var counts = new long[10];
        kernel.Run(0, size.Batches, threads, sums, counts);
        return (sums, counts);
    }

    // The paths a backend's EP kernel can be switched to on this CPU: managed-serial only scalar; the
    // others each path .NET supports here that their library (native) declares.
    private static IEnumerable<Isa> PathsOf(IBackend backend) => backend switch
    {
        ManagedSerialBackend => [Isa.Scalar],
        NativeKernelBackend row => IsaNames.Paths.Where(p => ManagedIsa.Supports(p) && row.Kernel.Library.Runs(p)),
        _ => IsaNames.Paths.Where(ManagedIsa.Supports),
    };

    // When a vector path's q differs from the scalar loop's, the pairs of class S whose annulus
    // the vector kernels' log moves (against Math.Log): the test names them rather than only failing.
    private static string PairsAcrossAnAnnulus(Isa path)
    {
        var moved = new List<string>();
        for (long batch = 0; batch < EpClass.S.Batches && moved.Count < 5; batch++)
        {
            ulong x = EpGenerator.BatchSeed(batch);
            for (int i = 0; i < EpGenerator.PairsPerBatch; i++)
            {
                double x1 = (2.0 * EpGenerator.Randlc(ref x)) - 1.0;
                double x2 = (2.0 * EpGenerator.Randlc(ref x)) - 1.0;
                double t1 = (x1 * x1) + (x2 * x2);
                if (t1 > 1.0)
                {
                    continue;
                }

                double log = path == Isa.Avx512 ? EpLog.Log(Vector512.Create(t1))[0] : path == Isa.Avx2 ? EpLog.Log(Vector256.Create(t1))[0] : Math.Log(t1);
                if (Annulus(x1, x2, t1, Math.Log(t1)) != Annulus(x1, x2, t1, log))
                {
                    moved.Add($"batch {batch} pair {i} (t1 = {t1:R})");
                }
            }
        }

        return moved.Count == 0 ? "no pair's annulus moves by the vector log" : "pairs the vector log moves across an annulus: " + string.Join(", ", moved);

        static int Annulus(double x1, double x2, double t1, double log)
        {
            double t2 = Math.Sqrt(-2.0 * log / t1);
            return (int)Math.Max(Math.Abs(x1 * t2), Math.Abs(x2 * t2));
        }
    }

    private static string[] BuiltLibraries()
    {
        string path = Path.Combine(Environment.GetEnvironmentVariable("INTEROP_NATIVE_DIR")!, "interop-native-build.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("kernel_libraries").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
