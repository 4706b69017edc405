using Interop.Backends;
using Interop.Cli.Workloads;
using Interop.Cli.Workloads.Inv;
using Interop.Cli.Workloads.Pi;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>The workload objects say what the name switches they replace said.</summary>
public sealed class WorkloadRegistryTests
{
    [Test]
    public void TheRegistryListsEachWorkloadOnceAndEveryKeyOfTheKernelTableIsOne()
    {
        // The table takes any identifier as a workload key (it cannot see the driver's registry): a
        // key no registered workload answers to would be a row's symbol that nothing ever calls.
        Assert.That(WorkloadRegistry.All.Select(w => w.Name), Is.Unique);
        Assert.That(NativeKernelTable.Default.Workloads, Is.SubsetOf(WorkloadRegistry.All.Select(w => w.Name)).And.Contains("pi").And.Contains("inv"));
        Assert.That(WorkloadRegistry.Named("inv"), Is.SameAs(InvWorkload.Instance));
        Assert.That(WorkloadRegistry.Find("no-such-workload"), Is.Null);
        Assert.Throws<ArgumentException>(() => WorkloadRegistry.Named("no-such-workload"));
    }

    [Test]
    public void AWorkloadRunsOnExactlyTheBackendsTheCatalogOffersForIt()
    {
        foreach (IBackend backend in BackendCatalog.All<IBackend>())
        {
            Assert.That(PiWorkload.Instance.RunsOn(backend), Is.EqualTo(BackendCatalog.All<IPiBackend>().Contains(backend)), backend.Name);
            bool inv = BackendCatalog.All<IInvBackend>().Contains(backend) || BackendCatalog.All<IDistributedInvBackend>().Contains(backend);
            Assert.That(InvWorkload.Instance.RunsOn(backend), Is.EqualTo(inv), backend.Name);
            Assert.That(PiWorkload.Instance.OnEveryRank(backend), Is.True, backend.Name);
            Assert.That(InvWorkload.Instance.OnEveryRank(backend), Is.EqualTo(backend is IDistributedInvBackend), backend.Name);
        }
    }

    [Test]
    public void WorkAndUnitsAreTodaysDartsAndTwoNCubedGflop()
    {
        Assert.That(PiWorkload.Instance.WorkPerRun(1_000_003), Is.EqualTo(1_000_003.0));
        Assert.That(InvWorkload.Instance.WorkPerRun(1000), Is.EqualTo(2.0));
        Assert.That(InvWorkload.Instance.WorkPerRun(50_000), Is.EqualTo(250_000.0), "2n^3 in doubles, no int overflow");
        Assert.That((PiWorkload.Instance.ThroughputUnit, InvWorkload.Instance.ThroughputUnit), Is.EqualTo(("darts/s", "GFLOP/s")));
    }
}
