using Interop.Backends;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// Every backend on every instruction-set path this CPU has, forced with the same switch as --isa:
/// bit-identical pi counts and verified inverses on odd sizes, whose edge tiles differ per path
/// (micro-tiles of 4x4, 8x6, 16x12 ... leave different remainders).
/// </summary>
[NonParallelizable]
public sealed class IsaBackendTests
{
    private static readonly int[] Orders = [1, 2, 3, 5, 7, 13, 25, 49, 97, 131, 193, 301];

    private static IEnumerable<TestCaseData> PiCases() =>
        from path in ExpectedPaths.OfThisCpu()
        from backend in BackendCatalog.All<IPiBackend>()
        select new TestCaseData(backend, path).SetArgDisplayNames(backend.Name, IsaNames.Name(path));

    private static IEnumerable<TestCaseData> InvCases() =>
        from path in ExpectedPaths.OfThisCpu()
        from backend in BackendCatalog.All<IInvBackend>()
        select new TestCaseData(backend, path).SetArgDisplayNames(backend.Name, IsaNames.Name(path));

    [TearDown]
    public void BackToAuto() => IsaSwitch.Apply(Isa.Auto);

    [TestCaseSource(nameof(PiCases))]
    public void CountsTheSpecsDartsOnEveryPath(IPiBackend backend, Isa path)
    {
        IsaSwitch.Apply(path);
        Assert.That(backend.PiIsa, Is.EqualTo(ExpectedPaths.For(backend.Name, "pi", path)));
        var reference = new ManagedSerialBackend();
        foreach ((long begin, long length) in new[] { (0L, 1_000_000L), (3L, 1L), (17L, 63L), (1_000_003L, 100_019L), (long.MaxValue - 4_099, 4_099L) })
        {
            var darts = new IndexRange(begin, begin + length);
            long expected = reference.CountInside(42, darts, 1);
            foreach (int threads in new[] { 1, 3 })
            {
                Assert.That(backend.CountInside(42, darts, threads), Is.EqualTo(expected), $"{backend.Name} [{IsaNames.Name(path)}] {darts}, {threads} thread(s)");
            }
        }

        Assert.That(backend.CountInside(42, new IndexRange(0, 1_000_000), 2), Is.EqualTo(785_402));
    }

    [TestCaseSource(nameof(InvCases))]
    public void InvertsOddSizesOnEveryPath(IInvBackend backend, Isa path)
    {
        IsaSwitch.Apply(path);
        if (backend is not LapackBackend)
        {
            Assert.That(backend.InvIsa, Is.EqualTo(ExpectedPaths.For(backend.Name, "inv", path)));
        }

        foreach (int n in Orders)
        {
            double[] a = SpecMatrix.Generate(n, 7, 2);
            foreach (int threads in new[] { 1, 2 })
            {
                double[] x = SpecMatrix.Allocate(n);
                a.CopyTo(x, 0);
                backend.Invert(x, n, threads);
                Assert.That(NativeInverse.Residual(a, x, n, 2), Is.InRange(0.0, InvResult.ResidualThreshold), $"{backend.Name} [{IsaNames.Name(path)}] n={n} threads={threads}");
            }
        }
    }
}
