using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// The instruction-set path a backend runs when a path is forced, from what the sources declare and
/// never from the machine the test was written on: a kernel-table row runs the widest path of its
/// library's list (as the build wrote it) not above the forced one; managed-serial's pi is the
/// spec's scalar loop on every path; every other backend follows the switch.
/// </summary>
internal static class ExpectedPaths
{
    /// <summary>The paths this CPU runs (under the test cap, INTEROP_TEST_ISA_MAX), widest first.</summary>
    public static IEnumerable<Isa> OfThisCpu() => IsaNames.Paths.Where(ManagedIsa.Supports);

    /// <summary>The path <paramref name="backend"/> runs <paramref name="workload"/> ("pi" or "inv") on when <paramref name="forced"/> is forced.</summary>
    public static Isa For(string backend, string workload, Isa forced)
    {
        if (backend == "managed-serial" && workload == "pi")
        {
            return Isa.Scalar;
        }

        return NativeKernelTable.Default.Kernels.FirstOrDefault(k => k.Backend == backend) is NativeKernelInfo row
            ? row.Library.IsaPaths.Where(p => p <= forced).Max()
            : forced;
    }
}
