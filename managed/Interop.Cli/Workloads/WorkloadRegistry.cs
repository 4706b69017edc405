using Interop.Cli.Workloads.Inv;
using Interop.Cli.Workloads.Pi;

namespace Interop.Cli.Workloads;

/// <summary>
/// Every workload the driver knows, in the order of compare's tables and of "--workload all". One list
/// written out here, not found by reflection, so that Native AOT keeps it whole.
/// </summary>
internal static class WorkloadRegistry
{
    /// <summary>The workloads, in table order.</summary>
    public static IReadOnlyList<IWorkload> All { get; } = [PiWorkload.Instance, InvWorkload.Instance];

    /// <summary>The workload called <paramref name="name"/>, or null when none is.</summary>
    public static IWorkload? Find(string? name) => All.FirstOrDefault(w => w.Name == name);

    /// <summary>
    /// The workload called <paramref name="name"/>: a name that came from the driver itself or from a
    /// results file the reader has checked, so an unknown one is a mistake in the driver.
    /// </summary>
    public static IWorkload Named(string name) =>
        Find(name) ?? throw new ArgumentException($"'{name}' is not a workload", nameof(name));
}
