using Interop.Core;

namespace Interop.Native;

/// <summary>
/// One kernel row of the table bound by symbol: the entry points its row names (pi, inversion, or
/// both) as unmanaged function pointers into its library (resolved once), called directly as
/// [LibraryImport] would (the
/// arguments are blittable, so neither marshals anything), with statuses turned into exceptions in
/// <see cref="NativeStatus"/>. The matrix is the caller's pinned memory: nothing is copied.
/// Any other workload's entry point is <see cref="EntryPoint"/>: that workload's own code casts it to
/// its own <c>delegate* unmanaged</c> signature, so a new workload adds no binding here.
/// </summary>
public sealed unsafe class NativeKernel
{
    private static readonly string[] PiArguments = ["seed", "begin", "end", "threads", "inside"];

    private readonly Lock gate = new();
    [KernelEntryPoint(NativeKernelTable.Pi)]
    private delegate* unmanaged<ulong, long, long, int, long*, int> pi;

    [KernelEntryPoint(NativeKernelTable.Inv)]
    private delegate* unmanaged<long, double*, int, int> inv;

    private PlanFunctions? plan;
    private volatile bool bound;

    // The entry points EntryPoint resolved, by workload key (under gate).
    private readonly Dictionary<string, nint> entryPoints = [];

    // The plan the last inversions used, kept for the next one of the same order and threads (its
    // workspace and threads are what a plan is for); replaced when either changes.
    private NativeInversePlan? reusable;

    public NativeKernel(NativeKernelInfo info)
    {
        Info = info;
        Library = NativeKernelLibrary.For(info.Library);
    }

    public NativeKernelInfo Info { get; }

    public NativeKernelLibrary Library { get; }

    /// <summary>Loads the library and resolves the entry points the row names; throws <see cref="BackendUnavailableException"/> if it cannot.</summary>
    public void EnsureBound()
    {
        if (bound)
        {
            return;
        }

        lock (gate)
        {
            if (!bound)
            {
                // A workload the row leaves out stays null: its backend is not offered for it (BackendCatalog).
                if (Info.Symbol(NativeKernelTable.Pi) is string piSymbol)
                {
                    pi = (delegate* unmanaged<ulong, long, long, int, long*, int>)Library.Export(piSymbol);
                }

                if (Info.Symbol(NativeKernelTable.Inv) is string invSymbol)
                {
                    inv = (delegate* unmanaged<long, double*, int, int>)Library.Export(invSymbol);
                }

                if (Info.InvPlanPrefix is string prefix)
                {
                    plan = new PlanFunctions(
                        (delegate* unmanaged<long, int, IntPtr*, int>)Library.Export(prefix + "_create"),
                        (delegate* unmanaged<IntPtr, double*, int>)Library.Export(prefix + "_run"),
                        (delegate* unmanaged<IntPtr, void>)Library.Export(prefix + "_destroy"),
                        prefix);
                }

                bound = true;
            }
        }
    }

    /// <summary>Counts the darts in <paramref name="darts"/> that land inside, with <paramref name="threads"/> threads.</summary>
    public long CountInside(ulong seed, IndexRange darts, int threads)
    {
        string symbol = Entry(NativeKernelTable.Pi);
        EnsureBound();
        long inside = 0;
        int status = pi(seed, darts.Begin, darts.End, threads, &inside);
        NativeStatus.ThrowIfFailed(status, symbol, Library, PiArguments);
        return inside;
    }

    /// <summary>
    /// The address of the row's entry point for <paramref name="workload"/> (a key of its
    /// <c>symbols</c>), resolved on first use: the library loaded and checked as for any call. A row
    /// that names no symbol for the workload, a library that cannot be loaded or that lacks the symbol
    /// is a <see cref="BackendUnavailableException"/> saying which. The caller casts the address to the
    /// workload's <c>delegate* unmanaged</c> signature and turns its statuses into exceptions
    /// (<see cref="ThrowIfFailed"/>).
    /// </summary>
    public nint EntryPoint(string workload)
    {
        string symbol = Entry(workload);
        lock (gate)
        {
            if (!entryPoints.TryGetValue(workload, out nint address))
            {
                address = Library.Export(symbol);
                entryPoints[workload] = address;
            }

            return address;
        }
    }

    /// <summary>
    /// Throws for a status other than 0 of <paramref name="workload"/>'s entry point, as pi's are
    /// (<see cref="NativeKernelException"/>: a rejected argument named from <paramref name="argumentNames"/>,
    /// no memory, the library's own message for an internal failure, a positive status as a numerical failure).
    /// </summary>
    public void ThrowIfFailed(int status, string workload, params string[] argumentNames) =>
        NativeStatus.ThrowIfFailed(status, Info.Symbol(workload) ?? workload, Library, argumentNames);

    /// <summary>The kernel's inversion plan functions (bound), or null when it has none.</summary>
    internal PlanFunctions? Plan
    {
        get
        {
            EnsureBound();
            return plan;
        }
    }

    /// <summary>
    /// Inverts the n x n row-major matrix in place; a failing pivot is a <see cref="SingularMatrixException"/>.
    /// A kernel with a plan runs it, reusing the last plan of the same order and threads.
    /// </summary>
    public void Invert(Span<double> a, int n, int threads, string backend)
    {
        NativeInverse.CheckLength(a, n);
        string symbol = Entry(NativeKernelTable.Inv);
        EnsureBound();
        if (plan is not null)
        {
            lock (gate)
            {
                if (reusable is null || reusable.Size != n || reusable.Threads != threads)
                {
                    reusable?.Dispose();
                    reusable = null;
                    reusable = NativeInversePlan.Create(this, n, threads);
                }

                reusable.Run(a);
                return;
            }
        }

        fixed (double* p = a)
        {
            NativeStatus.ThrowIfInversionFailed(inv(n, p, threads), symbol, backend, Library);
        }
    }

    // The row's symbol for a workload it is asked to run; one it leaves out is never called (no null pointer).
    private string Entry(string workload) =>
        Info.Symbol(workload) ?? throw new BackendUnavailableException($"{Info.Backend} does not run {workload}: its row in the kernel table names no '{workload}' symbol");

    /// <summary>A plan's create, run and destroy entry points (<c>prefix_create</c>, ...).</summary>
    internal sealed class PlanFunctions(
        delegate* unmanaged<long, int, IntPtr*, int> create,
        delegate* unmanaged<IntPtr, double*, int> run,
        delegate* unmanaged<IntPtr, void> destroy,
        string prefix)
    {
        public delegate* unmanaged<long, int, IntPtr*, int> Create { get; } = create;

        public delegate* unmanaged<IntPtr, double*, int> Run { get; } = run;

        public delegate* unmanaged<IntPtr, void> Destroy { get; } = destroy;

        public string CreateSymbol => prefix + "_create";

        public string RunSymbol => prefix + "_run";
    }
}
