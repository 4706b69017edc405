using Interop.Core;
using Interop.Native;

namespace Interop.Backends;

/// <summary>
/// Forces one instruction-set path on every backend at once (--isa, INTEROP_ISA): the C# kernels,
/// every kernel library of the native kernel table (each through its own <c>_select</c>, when it
/// loads: a switch loads no library, see <see cref="NativeKernelLibrary.Request"/>) and, if
/// libinterop_native is not loaded yet, OpenBLAS (which is told the path even for auto: see
/// <see cref="NativeIsa.PrepareOpenBlas"/>). A path this CPU lacks is a usage error. A kernel library
/// that lacks a path the CPU has runs its widest lower one (<see cref="NativeKernelLibrary.Select"/>).
/// Each backend's <c>PiIsa</c>/<c>InvIsa</c> then says what it really runs.
/// </summary>
public static class IsaSwitch
{
    public static void Apply(Isa isa) => Apply(isa, NativeKernelTable.Default);

    /// <summary>As <see cref="Apply(Isa)"/>, over the libraries of <paramref name="table"/>.</summary>
    internal static void Apply(Isa isa, NativeKernelTable table)
    {
        ManagedIsa.Select(isa);
        NativeIsa.PrepareOpenBlas(isa, ManagedIsa.Best, ManagedIsa.IsAmd);
        foreach (NativeKernelLibraryInfo library in table.Libraries)
        {
            // Applied now to a loaded library, else when (and if) a backend loads it: a library not
            // built or not loadable is then left out with the loader's own message.
            NativeKernelLibrary.For(library).Request(isa);
        }
    }
}
