using Microsoft.Win32.SafeHandles;

namespace Interop.Native;

/// <summary>An interop_cpp_inv_plan*: released with interop_cpp_inv_plan_destroy, once, whoever lets go last.</summary>
internal sealed class CppInversePlanHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    // The marshaller of the create call makes the instance and sets the pointer.
    public CppInversePlanHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        Interop.CppInvPlanDestroy(handle);
        return true;
    }
}

/// <summary>
/// A reusable inversion of n x n matrices by the cpp-threads kernels (libinterop_cpp): the workspace
/// and a team of <see cref="Threads"/> threads are made once by <see cref="Create"/> and reused by
/// every <see cref="Run"/>, the same algorithm, statuses and results as interop_inv_c. One run at a
/// time per plan. <c>using var plan = CppInversePlan.Create(n, threads); plan.Run(matrix);</c>
/// </summary>
public sealed class CppInversePlan : IDisposable
{
    /// <summary>The backend name its factorization exceptions carry.</summary>
    public const string Backend = "cpp-threads";

    private static readonly string[] CreateArguments = ["n", "threads", "plan"];
    private static readonly string[] RunArguments = ["plan", "a"];

    private readonly CppInversePlanHandle handle;

    private CppInversePlan(CppInversePlanHandle handle, int size, int threads)
    {
        this.handle = handle;
        Size = size;
        Threads = threads;
    }

    /// <summary>The order n of the matrices this plan inverts.</summary>
    public int Size { get; }

    /// <summary>The threads of each run (the caller's and Threads - 1 of the plan's own).</summary>
    public int Threads { get; }

    /// <summary>
    /// Allocates the workspace and starts the threads. A bad <paramref name="n"/> or
    /// <paramref name="threads"/> is rejected by the library and reported as a
    /// <see cref="NativeKernelException"/> naming the argument.
    /// </summary>
    public static CppInversePlan Create(int n, int threads)
    {
        CppLibrary.EnsureLoaded();
        int status = Interop.CppInvPlanCreate(n, threads, out CppInversePlanHandle handle);
        if (status != 0)
        {
            handle.Dispose();
            CppLibrary.ThrowIfFailed(status, "interop_cpp_inv_plan_create", Backend, CreateArguments);
        }

        return new CppInversePlan(handle, n, threads);
    }

    /// <summary>
    /// Inverts the row-major n x n matrix <paramref name="a"/> in place. A singular matrix throws
    /// <see cref="Core.SingularMatrixException"/>, NaN or Inf <see cref="Core.NonFiniteFactorizationException"/>
    /// (<paramref name="a"/> is then unspecified); a disposed plan <see cref="ObjectDisposedException"/>.
    /// </summary>
    public unsafe void Run(Span<double> a)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        if (a.Length != (long)Size * Size)
        {
            throw new ArgumentException($"this plan inverts {Size} x {Size} matrices, got {a.Length} elements", nameof(a));
        }

        int status;
        fixed (double* p = a)
        {
            status = Interop.CppInvPlanRun(handle, p);
        }

        CppLibrary.ThrowIfFailed(status, "interop_cpp_inv_plan_run", Backend, RunArguments);
    }

    /// <summary>Stops the plan's threads and frees its workspace (at once, or when a run in progress ends).</summary>
    public void Dispose() => handle.Dispose();
}
