using Interop.Backends;
using Interop.Core;

namespace Interop.Tests;

/// <summary>Every backend, at several thread counts, against the spec and against each other.</summary>
public sealed class PiBackendTests
{
    private static IEnumerable<IPiBackend> Backends() => BackendCatalog.All<IPiBackend>();

    // Written from the spec without the project's SplitMix64 class, so a shared mistake cannot hide.
    private static long ReferenceCount(ulong seed, long begin, long end)
    {
        long inside = 0;
        for (long k = begin; k < end; k++)
        {
            ulong z = unchecked(seed + (((ulong)k + 1) * 0x9E3779B97F4A7C15UL));
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            z ^= z >> 31;
            ulong x = (uint)(z >> 32) >> 1;
            ulong y = (uint)z >> 1;
            if ((x * x) + (y * y) < (1UL << 62))
            {
                inside++;
            }
        }

        return inside;
    }

    [TestCaseSource(nameof(Backends))]
    public void MatchesTheSpecReferenceValues(IPiBackend backend)
    {
        foreach (int threads in new[] { 1, 2, 3 })
        {
            Assert.That(backend.CountInside(42, new IndexRange(0, 1_000_000), threads), Is.EqualTo(785_402), $"{threads} threads");
            Assert.That(backend.CountInside(0, new IndexRange(0, 1_000), threads), Is.EqualTo(784), $"{threads} threads");
        }
    }

    [TestCaseSource(nameof(Backends))]
    public void MatchesTheReferenceOnOddRangesSeedsAndThreadCounts(IPiBackend backend)
    {
        ulong[] seeds = [0, 1, 7, 42, 0xDEADBEEF, ulong.MaxValue];
        long[] begins = [0, 1, 33, 999_983, long.MaxValue - 70_001];
        long[] lengths = [0, 1, 7, 31, 32, 33, 65, 4097, 70_001];
        foreach (ulong seed in seeds)
        {
            foreach (long begin in begins)
            {
                foreach (long length in lengths)
                {
                    long expected = ReferenceCount(seed, begin, begin + length);
                    foreach (int threads in new[] { 1, 2, 5 })
                    {
                        Assert.That(backend.CountInside(seed, new IndexRange(begin, begin + length), threads), Is.EqualTo(expected),
                            $"{backend.Name}: seed {seed}, [{begin}, {begin + length}), {threads} threads");
                    }
                }
            }
        }
    }

    [Test]
    public void AllBackendsAgreeOnALargerRunAtEveryThreadCount()
    {
        var darts = new IndexRange(12_345, 12_345 + 10_000_019);
        long expected = BackendCatalog.All<IPiBackend>()[0].CountInside(2024, darts, 1);
        foreach (IPiBackend backend in Backends())
        {
            for (int threads = 1; threads <= 4; threads++)
            {
                Assert.That(backend.CountInside(2024, darts, threads), Is.EqualTo(expected), $"{backend.Name}, {threads} threads");
            }
        }
    }

    /// <summary>The paths this CPU has, for forcing each in turn with <see cref="ManagedIsa.Select"/>.</summary>
    private static IEnumerable<Isa> Paths() => IsaNames.Paths.Where(ManagedIsa.Supports);

    [TestCaseSource(nameof(Paths))]
    public void EveryPathGivesTheScalarCountOnOddRanges(Isa isa)
    {
        ulong[] seeds = [0, 99, ulong.MaxValue];
        long[] begins = [0, 5, long.MaxValue - 100_003];
        long[] lengths = [0, 1, 3, 15, 16, 17, 33, 100_003];
        var parallel = new ManagedParallelBackend();
        try
        {
            ManagedIsa.Select(isa);
            Assert.That(parallel.PiIsa, Is.EqualTo(isa));
            Assert.That(parallel.Description, Does.Contain(ManagedPiKernels.KernelName));
            foreach (ulong seed in seeds)
            {
                foreach (long begin in begins)
                {
                    foreach (long length in lengths)
                    {
                        var darts = new IndexRange(begin, begin + length);
                        Assert.That(ManagedPiKernels.Count(seed, darts), Is.EqualTo(ManagedPiKernels.CountScalar(seed, darts)),
                            $"{IsaNames.Name(isa)}: seed {seed}, {darts}");
                    }
                }
            }

            Assert.That(parallel.CountInside(42, new IndexRange(0, 1_000_000), 2), Is.EqualTo(785_402));
        }
        finally
        {
            ManagedIsa.Select(Isa.Auto);
        }
    }

    [Test]
    public void TheKernelFollowsTheActivePath()
    {
        try
        {
            ManagedIsa.Select(Isa.Scalar);
            Assert.That(ManagedPiKernels.KernelName, Is.EqualTo("scalar"));
            ManagedIsa.Select(Isa.Auto);
            Assert.That(ManagedPiKernels.KernelName, Is.EqualTo(ManagedIsa.Best switch
            {
                Isa.Avx512 => "Vector512",
                Isa.Avx2 => "Vector256",
                _ => "scalar",
            }));
        }
        finally
        {
            ManagedIsa.Select(Isa.Auto);
        }
    }

    [Test]
    public void CatalogListsEveryBackendBaselineFirst()
    {
        Assert.That(BackendCatalog.All<IPiBackend>().Select(b => b.Name),
            Is.EqualTo(Catalog.PiNames));
    }

    [Test]
    public void SelectionKeepsTheGivenOrderAndDropsDuplicates()
    {
        Assert.That(BackendCatalog.Select<IPiBackend>("c-openmp, managed-serial,c-openmp").Select(b => b.Name),
            Is.EqualTo(new[] { "c-openmp", "managed-serial" }));
        Assert.That(BackendCatalog.Select<IPiBackend>("all"), Has.Count.EqualTo(BackendCatalog.All<IPiBackend>().Count));
    }

    [Test]
    public void UnknownBackendIsAUsageErrorListingTheKnownOnes()
    {
        var e = Assert.Throws<UsageException>(() => BackendCatalog.Select<IPiBackend>("cuda"));
        Assert.That(e!.Message, Does.Contain("unknown backend 'cuda'").And.Contain("c-openmp"));
    }

    [Test]
    public void AnExceptionOnAWorkerThreadReachesTheCaller()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ParallelRanges.SumOverThreads(new IndexRange(0, 100), 4,
            part => part.Begin >= 50 ? throw new InvalidOperationException("boom") : part.Length));
        Assert.That(e!.Message, Is.EqualTo("boom"));
    }

    [Test]
    public void NativeKernelsReportBadArgumentsAsExceptions()
    {
        var e = Assert.Throws<Interop.Native.NativeKernelException>(
            () => BackendCatalog.Select<IPiBackend>("c-openmp")[0].CountInside(1, new IndexRange(0, 10), 0));
        Assert.That(e!.Status, Is.EqualTo(-4));
        Assert.That(e.Message, Does.Contain("threads"));
        e = Assert.Throws<Interop.Native.NativeKernelException>(
            () => BackendCatalog.Select<IPiBackend>("fortran-openmp")[0].CountInside(1, new IndexRange(-1, 10), 1));
        Assert.That(e!.Status, Is.EqualTo(-2));
    }
}
