using Microsoft.Win32.SafeHandles;

namespace Interop.Native;

/// <summary>
/// A reusable inversion of n x n matrices by a table kernel that offers a plan
/// (<see cref="NativeKernelInfo.InvPlanPrefix"/>; the cpp-threads kernels' interop_cpp_inv_plan_*):
/// the workspace and a team of <see cref="Threads"/> threads are made once by <see cref="Create"/>
/// and reused by every <see cref="Run"/>, with the statuses and results of the kernel's plain
/// inversion. The native plan is held by a SafeHandle, released once, whoever lets go last. One
/// run at a time per plan.
/// </summary>
public sealed unsafe class NativeInversePlan : IDisposable
{
    private static readonly string[] CreateArguments = ["n", "threads", "plan"];
    private static readonly string[] RunArguments = ["plan", "a"];

    private readonly NativeKernel kernel;
    private readonly PlanHandle handle;

    private NativeInversePlan(NativeKernel kernel, PlanHandle handle, int size, int threads)
    {
        this.kernel = kernel;
        this.handle = handle;
        Size = size;
        Threads = threads;
    }

    /// <summary>The order n of the matrices this plan inverts.</summary>
    public int Size { get; }

    /// <summary>The threads of each run (the caller's and Threads - 1 of the plan's own).</summary>
    public int Threads { get; }

    /// <summary>
    /// Allocates the workspace and starts the threads of <paramref name="kernel"/>'s plan. A bad
    /// <paramref name="n"/> or <paramref name="threads"/> is a <see cref="NativeKernelException"/>
    /// naming the argument; a kernel without a plan is an <see cref="InvalidOperationException"/>.
    /// </summary>
    public static NativeInversePlan Create(NativeKernel kernel, int n, int threads)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        NativeKernel.PlanFunctions functions = kernel.Plan
            ?? throw new InvalidOperationException($"{kernel.Info.Backend} has no inversion plan (no inv_plan_prefix in the kernel table)");
        IntPtr plan = IntPtr.Zero;
        int status = functions.Create(n, threads, &plan);
        var handle = new PlanHandle(plan, functions.Destroy);
        if (status != 0)
        {
            handle.Dispose();
            NativeStatus.ThrowIfFailed(status, functions.CreateSymbol, kernel.Library, CreateArguments);
        }

        return new NativeInversePlan(kernel, handle, n, threads);
    }

    /// <summary>
    /// Inverts the row-major n x n matrix <paramref name="a"/> in place. A singular matrix throws
    /// <see cref="Core.SingularMatrixException"/>, NaN or Inf <see cref="Core.NonFiniteFactorizationException"/>
    /// (<paramref name="a"/> is then unspecified); a disposed plan <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Run(Span<double> a)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        if (a.Length != (long)Size * Size)
        {
            throw new ArgumentException($"this plan inverts {Size} x {Size} matrices, got {a.Length} elements", nameof(a));
        }

        NativeKernel.PlanFunctions functions = kernel.Plan!;
        // Held for the call, as a marshaller would, so that a Dispose meanwhile cannot free the plan under it.
        bool added = false;
        int status;
        try
        {
            handle.DangerousAddRef(ref added);
            fixed (double* p = a)
            {
                status = functions.Run(handle.DangerousGetHandle(), p);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        NativeStatus.ThrowIfInversionFailed(status, functions.RunSymbol, kernel.Info.Backend, kernel.Library, RunArguments);
    }

    /// <summary>Stops the plan's threads and frees its workspace (at once, or when a run in progress ends).</summary>
    public void Dispose() => handle.Dispose();

    private sealed class PlanHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        private readonly delegate* unmanaged<IntPtr, void> destroy;

        public PlanHandle(IntPtr plan, delegate* unmanaged<IntPtr, void> destroy)
            : base(ownsHandle: true)
        {
            this.destroy = destroy;
            SetHandle(plan);
        }

        protected override bool ReleaseHandle()
        {
            destroy(handle);
            return true;
        }
    }
}
