using Interop.Cli.Workloads.Inv;
using Interop.Cli.Workloads.Pi;

namespace Interop.Cli.Workloads;

/// <summary>
/// Every workload the driver knows, in the order of compare's tables and of "--workload all". One list
/// written out here, not found by reflection, so that Native AOT keeps it whole.
/// </summary>
internal static class WorkloadRegistry
{
    // The driver's own workloads: the list Native AOT keeps whole.
    private static readonly IReadOnlyList<IWorkload> Builtin = [PiWorkload.Instance, InvWorkload.Instance, Ep.EpWorkload.Instance, ChunkedArray.ArrayWorkload.Instance];

    private static readonly Lock Gate = new();

    /// <summary>The workloads, in table order: the driver's own, then any a test registered.</summary>
    public static IReadOnlyList<IWorkload> All { get; private set; } = Builtin;

    /// <summary>
    /// Adds <paramref name="workload"/> after the others until the returned object is disposed: for a test
    /// (`using var _ = WorkloadRegistry.Register(fake);`), which shows that compare, report and the schema
    /// take a workload they were not written for. The driver itself registers none.
    /// </summary>
    public static IDisposable Register(IWorkload workload)
    {
        lock (Gate)
        {
            if (Find(workload.Name) is not null)
            {
                throw new ArgumentException($"a workload called '{workload.Name}' is registered already", nameof(workload));
            }

            All = [.. All, workload];
        }

        return new Registration(workload);
    }

    private sealed class Registration(IWorkload workload) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            lock (Gate)
            {
                if (!disposed)
                {
                    All = [.. All.Where(w => !ReferenceEquals(w, workload))];
                    disposed = true;
                }
            }
        }
    }

    /// <summary>The workload called <paramref name="name"/>, or null when none is.</summary>
    public static IWorkload? Find(string? name) => All.FirstOrDefault(w => w.Name == name);

    /// <summary>
    /// The workload called <paramref name="name"/>: a name that came from the driver itself or from a
    /// results file the reader has checked, so an unknown one is a mistake in the driver.
    /// </summary>
    public static IWorkload Named(string name) =>
        Find(name) ?? throw new ArgumentException($"'{name}' is not a workload", nameof(name));
}
