using Interop.Cli;
using Interop.Cli.Compare;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// The one speedup definition (<see cref="Speedups"/>): over the same backend on 1 rank x 1 thread
/// (same path, same size) where measured, else over the reference it names; and compare --quick's
/// tables saying they are a smoke run.
/// </summary>
public sealed class SpeedupTests
{
    // One point: `seconds` for `size` units of work (work per run = size).
    private static SpeedupPoint Point(string backend, string isa, int ranks, int threads, double seconds, long size = 1000) =>
        new(backend, isa, ranks, threads, size, size, TimingStats.From([seconds * 0.999, seconds, seconds * 1.001]));

    private static Speedup? Of(SpeedupPoint p, params SpeedupPoint[] all) => Speedups.Of(p, all, x => x);

    [Test]
    public void WithItsOwnOneByOnePointASpeedupIsOverThatPoint()
    {
        SpeedupPoint serial = Point("managed-serial", "scalar", 1, 1, 8.0);
        SpeedupPoint one = Point("c-openmp", "avx2", 1, 1, 2.0);
        SpeedupPoint two = Point("c-openmp", "avx2", 1, 2, 1.0);
        Speedup s = Of(two, serial, one, two)!;
        Assert.That((s.SameBackend, s.ReferenceName), Is.EqualTo((true, "c-openmp avx2 1 x 1")));
        Assert.That(s.Ratio.Value, Is.EqualTo(2.0).Within(1e-12), "the reference's time over this point's");
        Assert.That(s.Ratio.Lower, Is.LessThan(2.0).And.GreaterThan(0));

        Speedup self = Of(one, serial, one, two)!;
        Assert.That((self.SameBackend, self.Ratio.Value, self.Ratio.HasInterval), Is.EqualTo((true, 1.0, false)), "a 1x1 point is its own reference, exactly");
        Assert.That(Speedups.Legend([(serial, Of(serial, serial, one, two)), (one, self), (two, s)]),
            Is.EqualTo("speedup: time of the same backend on 1 rank x 1 thread (same isa and size) over the row's"));
    }

    [Test]
    public void WithoutItsOwnOneByOnePointTheReferenceIsNamed()
    {
        // pi, inv and ep run one thread count: only managed-serial has a 1x1 point.
        SpeedupPoint serial = Point("managed-serial", "scalar", 1, 1, 8.0);
        SpeedupPoint two = Point("c-openmp", "avx2", 1, 2, 1.0);
        // Another path's or another size's 1x1 point of the same backend is not its reference.
        SpeedupPoint otherPath = Point("c-openmp", "scalar", 1, 1, 4.0);
        SpeedupPoint otherSize = Point("c-openmp", "avx2", 1, 1, 4.0, size: 500);
        Speedup s = Of(two, serial, two, otherPath, otherSize)!;
        Assert.That((s.SameBackend, s.ReferenceName), Is.EqualTo((false, "managed-serial scalar 1 x 1")));
        Assert.That(s.Ratio.Value, Is.EqualTo(8.0).Within(1e-12));
        Assert.That(Speedups.Legend([(serial, Of(serial, serial, two)), (two, Of(two, serial, two))]),
            Is.EqualTo("speedup: against managed-serial scalar 1 x 1 (no own 1 x 1 point)"));

        // Mixed: the line says both.
        SpeedupPoint one = Point("rust-threads", "avx2", 1, 1, 2.0);
        SpeedupPoint oneTwo = Point("rust-threads", "avx2", 1, 2, 1.0);
        SpeedupPoint[] all = [serial, two, one, oneTwo];
        Assert.That(Speedups.Legend(all.Select(p => (p, Of(p, all)))), Is.EqualTo("speedup: against the backend's own 1 x 1; else managed-serial scalar 1 x 1"));
    }

    [Test]
    public void UnderMpiTheFallbackIsManagedSerialAtItsFewestWorkersAndWithoutItThereIsNone()
    {
        // mpiexec -n 2 interop pi: every backend on 2 ranks.
        SpeedupPoint serial = Point("managed-serial", "scalar", 2, 1, 4.0);
        SpeedupPoint c = Point("c-openmp", "avx2", 2, 2, 1.0);
        Speedup s = Of(c, serial, c)!;
        Assert.That((s.ReferenceName, s.Ratio.Value), Is.EqualTo(("managed-serial scalar 2 x 1", 4.0)));
        Assert.That(Of(c, c), Is.Null, "no reference at all: no speedup");
        Assert.That(Speedups.Legend([(c, null)]), Is.Null);
    }

    [Test]
    public void CompareSpeedupsAndEfficiencyFollowTheSameDefinition()
    {
        ComparePoint Pi(string backend, int threads, double seconds) =>
            new("pi", backend, 1, threads, [seconds * 0.999, seconds, seconds * 1.001], 1e9, "darts/s", true, "inside=1") { Isa = "avx2", Size = 1_000_000_000 };
        CompareRun run = new(DateTimeOffset.UnixEpoch, 1, [new("isa", "avx2")], [], [],
            [Pi("managed-serial", 1, 8.0), Pi("c-openmp", 1, 2.0), Pi("c-openmp", 2, 1.25), Pi("fortran-openmp", 2, 1.0)]);
        ComparePoint c2 = run.Points[2];
        Assert.That(CompareMetrics.Speedup(run, c2), Is.EqualTo(1.6).Within(1e-9));
        Assert.That(CompareMetrics.Efficiency(run, c2), Is.EqualTo(0.8).Within(1e-9));
        // fortran-openmp has no 1x1 point: over managed-serial, and no efficiency (that is a backend's own scaling).
        Assert.That(CompareMetrics.SpeedupOf(run, run.Points[3])!.ReferenceName, Is.EqualTo("managed-serial avx2 1 x 1"));
        Assert.That(CompareMetrics.Speedup(run, run.Points[3]), Is.EqualTo(8.0).Within(1e-9));
        Assert.That(CompareMetrics.Efficiency(run, run.Points[3]), Is.Null);

        var output = new StringWriter();
        CompareTables.Write(output, run, ColumnChoice.Every);
        Assert.That(output.ToString(), Does.Contain("speedup: against the backend's own 1 x 1; else managed-serial avx2 1 x 1"));
        Assert.That(output.ToString(), Does.Contain("95% CI: the median's, from log(times), never below 0"));
        Assert.That(output.ToString(), Does.Not.Contain("smoke run"));
    }

    [Test]
    public void QuickTablesSayTheyAreASmokeRun()
    {
        ComparePoint Pi(string backend, int threads, params double[] seconds) =>
            new("pi", backend, 1, threads, seconds, 1e9, "darts/s", true, "inside=1") { Isa = "avx2", Size = 1_000_000_000 };
        CompareRun run = new(DateTimeOffset.UnixEpoch, 1, [new("isa", "avx2")], [], [], [Pi("managed-serial", 1, 8.0, 8.1), Pi("c-openmp", 1, 1.0, 1.1)]);
        var output = new StringWriter();
        CompareTables.Write(output, run, ColumnChoice.Every, smokeRun: true);
        Assert.That(output.ToString().Split('\n')[0], Is.EqualTo("Monte Carlo pi (smoke run: --quick, 2 runs per point; ratios not conclusive)"));
    }
}
