using Interop.Core;
using Interop.Native;

namespace Interop.Backends;

/// <summary>
/// The backend of one native kernel row (native/kernels.json): C, Fortran and any other language
/// built into a kernel library are this one class, named, ordered and described by their row and
/// bound by symbol, so adding a language adds a row, not an adapter. A row names its symbol per
/// workload and may leave one out: the catalog then does not offer this backend for that workload
/// (<see cref="Runs"/>), though the class implements every workload's interface.
/// </summary>
public sealed class NativeKernelBackend(NativeKernel kernel) : IPiBackend, IInvBackend
{
    public string Name => kernel.Info.Backend;

    public string Description => kernel.Info.Description;

    public string Language => kernel.Info.Language;

    public int Order => kernel.Info.Order;

    public bool IsParallel => true;

    /// <summary>The row and its library.</summary>
    public NativeKernel Kernel => kernel;

    public void EnsureAvailable() => kernel.EnsureBound();

    /// <summary>
    /// Whether the row runs the workload of backend interface <paramref name="workload"/>: whether it
    /// names a symbol for the key the interface declares (<see cref="KernelTableWorkloadAttribute"/>:
    /// "pi" for <see cref="IPiBackend"/>, "inv" for <see cref="IInvBackend"/>). An interface that
    /// declares none (<see cref="IBackend"/> itself) is not a workload of the table.
    /// </summary>
    public bool Runs(Type workload) =>
        workload.GetCustomAttributes(typeof(KernelTableWorkloadAttribute), inherit: false) is [KernelTableWorkloadAttribute key]
            ? kernel.Info.Offers(key.Key)
            : workload.IsInstanceOfType(this);

    public long CountInside(ulong seed, IndexRange darts, int threads) => kernel.CountInside(seed, darts, threads);

    public void Invert(Span<double> a, int n, int threads) => kernel.Invert(a, n, threads, Name);

    public Isa PiIsa => kernel.Library.ActiveIsa;

    public Isa InvIsa => kernel.Library.ActiveIsa;
}
