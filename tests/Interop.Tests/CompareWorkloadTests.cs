using System.CommandLine;
using System.Globalization;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// Compare calibrates, measures and settles a workload it does not know by name: everything that
/// differs between workloads comes from the workload's own members, so a new one needs no edit in
/// Compare.
/// </summary>
public class CompareWorkloadTests
{
    [Test]
    public void AWorkloadCompareDoesNotKnowIsCalibratedMeasuredAndSettledByItsOwnMembers()
    {
        var tally = new TallyWorkload();
        IBackend serial = new TallyBackend("tally-serial", parallel: false);
        IBackend parallel = new TallyBackend("tally-parallel", parallel: true);
        var plan = new ComparePlan(
            Workloads: [new WorkloadPlan(tally, [serial, parallel])],
            Threads: [1, 2],
            Paths: [Isa.Auto],
            Sizes: new Dictionary<IWorkload, PlannedSize>(),
            Seed: 42,
            Repeat: RepeatPolicy.Fixed(2),
            Budget: new CompareBudget(30, 0.1))
        {
            Warmup = 1,
        };
        var job = new SingleProcessJob();

        CompareSizes sizes = new CompareCalibration(job, plan).Choose();

        // The only workload measured has the whole budget (less the probes' time), budgeted at the
        // repeats' minimum plus the warm-up.
        Assert.That(tally.Probes, Is.EqualTo(1));
        Assert.That(tally.Budget, Is.InRange(25, 30));
        Assert.That(tally.Runs, Is.EqualTo(3));
        Assert.That((sizes.Of(tally), sizes.SerialOf(tally)), Is.EqualTo((3000L, 1500L)));

        IReadOnlyList<ScheduledPoint> schedule = CompareRunner.Schedule(plan);
        Assert.That(schedule.Select(p => (p.Backend.Name, p.Threads, p.Isa)),
            Is.EqualTo(new[] { ("tally-serial", 1, "scalar"), ("tally-parallel", 1, "scalar"), ("tally-parallel", 2, "scalar") }));

        var saved = new List<int>();
        IReadOnlyList<ComparePoint> points = new CompareRunner(job, plan, sizes, new Progress<CompareProgress>()).Run(schedule, soFar => saved.Add(soFar.Count));

        Assert.That(tally.Measurers, Is.EqualTo(1), "one measurer for the run");
        Assert.That(saved, Is.EqualTo(new[] { 1, 2, 3 }), "every point saved as it finished");
        Assert.That(points.Select(p => (p.Workload, p.Backend, p.Threads, p.Size, p.Isa)), Is.EqualTo(new[]
        {
            ("tally", "tally-serial", 1, 1500L, "scalar"),
            ("tally", "tally-parallel", 1, 3000L, "scalar"),
            ("tally", "tally-parallel", 2, 3000L, "scalar"),
        }));

        // The two-thread point counted differently from the one-thread point of the same size: the
        // workload's own cross-check (not compare's) unverifies both; the serial one stands alone.
        Assert.That(points.Select(p => p.Verified), Is.EqualTo(new[] { true, false, false }));
    }

    /// <summary>A backend of the tally workload only: the catalog never sees it.</summary>
    private sealed class TallyBackend(string name, bool parallel) : IBackend
    {
        public string Name => name;

        public string Description => "a test's backend";

        public string Language => "C#";

        public int Order => 0;

        public bool IsParallel => parallel;

        public void EnsureAvailable()
        {
        }
    }

    /// <summary>
    /// Counts to its size, 100 a second, on one thread per thread asked for; miscounts by one on two
    /// threads so that its cross-check has something to find.
    /// </summary>
    private sealed class TallyWorkload : IWorkload
    {
        public int Probes { get; private set; }

        public int Measurers { get; private set; }

        public double Budget { get; private set; }

        public int Runs { get; private set; }

        public string Name => "tally";

        public string Title => "Tally";

        public string SizeName => "count";

        public string SizeMeaning => "number to count to";

        public string SizeText(string sizes) => $"to {sizes}";

        public long MaxSize => long.MaxValue;

        public string WorkUnit => "counts";

        public string ThroughputUnit => "counts/s";

        public string VerificationRule => "the same count for the same size";

        public Command CreateCommand(TextWriter stdout, TextWriter stderr) => throw new NotSupportedException("the fake has no command of its own");

        public double WorkPerRun(long size) => size;

        public bool RunsOn(IBackend backend) => backend is TallyBackend;

        public Isa PathOf(IBackend backend) => Isa.Scalar;

        public bool OnEveryRank(IBackend backend) => false;

        // Measuring and calibrating
        public IReadOnlyList<IBackend> CatalogBackends => [];

        public IReadOnlyList<IBackend> SelectBackends(BackendSelection selection) => [];

        public bool NeedsMpi(IBackend backend) => false;

        public ICompareSizeOption CreateCompareSizeOption() => throw new NotSupportedException("the tally workload has no command line");

        public double BudgetWeight => 1;

        public ISizeCalibration Probe(IJob job, ComparePlan plan)
        {
            Probes++;
            return new TallyCalibration(this);
        }

        public IPointMeasurer Measurer(IJob job, ComparePlan plan, CompareSizes sizes)
        {
            Measurers++;
            return new TallyMeasurer(this, sizes);
        }

        public IReadOnlyList<ComparePoint> Settle(IReadOnlyList<ComparePoint> points)
        {
            HashSet<long> disagreeing = [.. points.GroupBy(p => p.Size).Where(g => g.Select(p => p.Check).Distinct().Count() > 1).Select(g => g.Key)];
            return [.. points.Select(p => disagreeing.Contains(p.Size) ? p with { Verified = false } : p)];
        }

        public string PlannedText(long? size) => size is long s ? $"tally to {s}" : "tally to a calibrated count";

        public string ChosenText(ChosenSize size) => $"tally to {size.Size}";

        public IEnumerable<KeyValuePair<string, string?>> SizeParameters(ChosenSize? size) => [new(SizeName, size?.Size.ToString(CultureInfo.InvariantCulture))];

        private sealed class TallyCalibration(TallyWorkload workload) : ISizeCalibration
        {
            // Whole thousands: the budget rounded to tens of seconds, 100 counts a second.
            public (ChosenSize Size, double Seconds) Choose(double budget, int runs)
            {
                workload.Budget = budget;
                workload.Runs = runs;
                long size = (long)Math.Round(budget / 10) * 1000;
                return (new ChosenSize(size, size / 2), size / 100.0);
            }
        }

        private sealed class TallyMeasurer(TallyWorkload workload, CompareSizes sizes) : IPointMeasurer
        {
            public ComparePoint Measure(IBackend backend, int threads, string? schedule)
            {
                long size = backend.IsParallel ? sizes.Of(workload) : sizes.SerialOf(workload);
                long counted = size + (threads == 2 ? 1 : 0);
                return new ComparePoint(workload.Name, backend.Name, 1, threads, [size / 100.0 / threads], size, workload.ThroughputUnit, true,
                    $"counted={counted.ToString(CultureInfo.InvariantCulture)}") { Size = size };
            }
        }
    }
}
