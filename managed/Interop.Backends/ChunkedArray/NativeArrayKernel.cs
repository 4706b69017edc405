using Interop.Core;
using Interop.Native;

namespace Interop.Backends.ChunkedArray;

/// <summary>
/// A native row's array kernel: the row's "array" symbol (interop_array_&lt;lang&gt;,
/// native/include/interop_array.h) got through <see cref="NativeKernel.EntryPoint"/> and called with
/// its own signature. The arguments are checked here first (<see cref="ArrayArguments.Check"/>: the
/// same exceptions as the managed kernels); a status the kernel still returns becomes an exception as
/// the other workloads' do (<see cref="NativeKernel.ThrowIfFailed"/>).
/// </summary>
public sealed unsafe class NativeArrayKernel(NativeKernel kernel) : IArrayKernel
{
    // The entry point, bound on first use; its type is the ABI the check in the tests holds against
    // the header (AbiCheckTests finds this field by its attribute).
    [KernelEntryPoint(ArrayKernels.Workload)]
    private delegate* unmanaged<int, long, long, ulong, long, long, double*, long, double*, long, double*, double*, long, double*, ulong*, int, int> array;

    public string Backend => kernel.Info.Backend;

    public Isa Path => kernel.Library.ActiveIsa;

    public void EnsureAvailable() => Bind();

    public ArrayPassResult Run(in ArrayCall call, int threads)
    {
        ArrayArguments.Check(call, threads);
        Bind();
        double sum = 0;
        ulong checksum = 0;
        int status = array((int)call.Pass, call.N, call.Chunk, call.Seed, call.RowBegin, call.RowEnd, call.X, call.Ldx, call.Xt, call.Ldxt,
            call.M, call.Out, call.Ldout, &sum, &checksum, threads);
        kernel.ThrowIfFailed(status, ArrayKernels.Workload, ArrayArguments.Names);
        return new ArrayPassResult(sum, checksum);
    }

    private void Bind()
    {
        if (array == null)
        {
            array = (delegate* unmanaged<int, long, long, ulong, long, long, double*, long, double*, long, double*, double*, long, double*, ulong*, int, int>)kernel.EntryPoint(ArrayKernels.Workload);
        }
    }
}
