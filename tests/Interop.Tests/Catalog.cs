using Interop.Backends;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// What the tests expect of the backend catalog, from its sources: the managed backends and lapack
/// by name, every native kernel from the kernel table (native/kernels.json), so a new table row
/// needs no test edit.
/// </summary>
internal static class Catalog
{
    /// <summary>The pi backends: the two managed ones, then the table's kernels in their order.</summary>
    public static string[] PiNames =>
        [.. new (string Name, int Order)[] { ("managed-serial", 0), ("managed-parallel", 1) }.Concat(TableRows).OrderBy(b => b.Order).Select(b => b.Name)];

    /// <summary>The inversion backends: the pi backends and lapack, in order.</summary>
    public static string[] InvNames =>
        [.. new (string Name, int Order)[] { ("managed-serial", 0), ("managed-parallel", 1), ("lapack", 4) }.Concat(TableRows).OrderBy(b => b.Order).Select(b => b.Name)];

    /// <summary>Measured points of a compare of <typeparamref name="T"/>'s backends over <paramref name="threadCounts"/> counts (serial backends once).</summary>
    public static int Points<T>(int threadCounts)
        where T : IBackend => BackendCatalog.All<T>().Sum(b => b.IsParallel ? threadCounts : 1);

    private static IEnumerable<(string Name, int Order)> TableRows => NativeKernelTable.Default.Kernels.Select(k => (k.Backend, k.Order));
}
