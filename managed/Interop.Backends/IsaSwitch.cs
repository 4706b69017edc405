using Interop.Core;
using Interop.Native;

namespace Interop.Backends;

/// <summary>
/// Forces one instruction-set path on every backend at once (--isa, INTEROP_ISA): the C# kernels,
/// the C and Fortran kernels and, if the native library is not loaded yet, OpenBLAS (which is told
/// the path even for auto: see <see cref="NativeIsa.PrepareOpenBlas"/>). A path this CPU
/// lacks is a usage error. Each backend's <c>PiIsa</c>/<c>InvIsa</c> then says what it really runs.
/// </summary>
public static class IsaSwitch
{
    public static void Apply(Isa isa)
    {
        ManagedIsa.Select(isa);
        NativeIsa.PrepareOpenBlas(isa, ManagedIsa.Best, ManagedIsa.IsAmd);
        try
        {
            NativeIsa.Select(isa);
        }
        catch (BackendUnavailableException)
        {
            // No native library: the managed backends follow the switch; the native ones are left
            // out later with the loader's own message.
        }
    }
}
