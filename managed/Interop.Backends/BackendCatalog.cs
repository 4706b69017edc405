using System.Collections.Concurrent;
using Interop.Core;
using Interop.Native;

namespace Interop.Backends;

/// <summary>
/// Every backend: one per row of the native kernel table (native/kernels.json, as
/// <see cref="NativeKernelBackend"/>), and every other backend class in this assembly, found by
/// reflection; so adding a native kernel is adding a row, and adding another backend is adding one
/// class here: the driver and the report only ever see this catalog. A backend that implements
/// several workload interfaces (<see cref="IPiBackend"/>, <see cref="IInvBackend"/>) is one backend
/// that runs several workloads; a native row runs those its row names a symbol for
/// (<see cref="NativeKernelBackend.Runs"/>), and is offered for no other.
/// </summary>
public static class BackendCatalog
{
    private static readonly Lazy<IReadOnlyList<IBackend>> Everything = new(Discover);
    private static readonly ConcurrentDictionary<Type, object> ByWorkload = new();

    /// <summary>The backends that run workload <typeparamref name="T"/>, baseline first.</summary>
    public static IReadOnlyList<T> All<T>()
        where T : IBackend =>
        (IReadOnlyList<T>)ByWorkload.GetOrAdd(typeof(T), _ => Of<T>(Everything.Value));

    /// <summary>The backends among <paramref name="backends"/> that run workload <typeparamref name="T"/>, in their order.</summary>
    internal static T[] Of<T>(IEnumerable<IBackend> backends)
        where T : IBackend =>
        [.. backends.OfType<T>().Where(b => b is not NativeKernelBackend row || row.Runs(typeof(T)))];

    /// <summary>
    /// Resolves a comma-separated list such as "c-openmp,managed-serial" or "all" to backends of
    /// workload <typeparamref name="T"/>, in the order given (duplicates dropped). Unknown names are a
    /// usage error listing the valid ones.
    /// </summary>
    public static IReadOnlyList<T> Select<T>(string list)
        where T : IBackend =>
        Select(list, All<T>());

    /// <summary>
    /// Resolves <paramref name="list"/> as <see cref="Select{T}(string)"/> does, among <paramref name="known"/>
    /// alone ('all' is every one of them): for a workload that runs on some of a workload interface's backends.
    /// </summary>
    public static IReadOnlyList<T> Select<T>(string list, IReadOnlyList<T> known)
        where T : IBackend
    {
        string names = "all, " + string.Join(", ", known.Select(b => b.Name));
        string[] requested = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (requested.Length == 0)
        {
            throw new UsageException($"--backend needs at least one name: {names}");
        }

        var selected = new List<T>();
        foreach (string name in requested)
        {
            IEnumerable<T> matches = name.Equals("all", StringComparison.OrdinalIgnoreCase)
                ? known
                : [known.FirstOrDefault(b => b.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                    ?? throw new UsageException($"unknown backend '{name}' for this workload; known: {names}")];
            selected.AddRange(matches.Where(b => !selected.Contains(b)));
        }

        return selected;
    }

    private static IReadOnlyList<IBackend> Discover() => Build(NativeKernelTable.Default);

    /// <summary>The catalog over kernel table <paramref name="table"/> (the embedded one, or a test's own), in order.</summary>
    internal static IReadOnlyList<IBackend> Build(NativeKernelTable table) =>
        [.. typeof(BackendCatalog).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IBackend).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IBackend)Activator.CreateInstance(t)!)
            .Concat(table.Kernels.Select(row => new NativeKernelBackend(new NativeKernel(row))))
            .OrderBy(b => b.Order)];
}
