using System.Diagnostics.CodeAnalysis;
using Interop.Core;

namespace Interop.Backends;

/// <summary>
/// Every backend in this assembly, found by reflection, so adding a backend is adding one class
/// here: the driver and the report only ever see this catalog.
/// </summary>
public static class BackendCatalog
{
    private static readonly Lazy<IReadOnlyList<IPiBackend>> PiBackends = new(DiscoverPi);

    public static IReadOnlyList<IPiBackend> Pi => PiBackends.Value;

    /// <summary>
    /// Resolves a comma-separated list such as "c-openmp,managed-serial" or "all" to backends, in
    /// the order given (duplicates dropped). Unknown names are a usage error listing the valid ones.
    /// </summary>
    public static IReadOnlyList<IPiBackend> SelectPi(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
        {
            throw new UsageException($"--backend needs at least one name: {Known()}");
        }

        var selected = new List<IPiBackend>();
        foreach (string name in names)
        {
            IEnumerable<IPiBackend> matches = name.Equals("all", StringComparison.OrdinalIgnoreCase)
                ? Pi
                : [Pi.FirstOrDefault(b => b.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                    ?? throw new UsageException($"unknown backend '{name}'; known: {Known()}")];
            selected.AddRange(matches.Where(b => !selected.Contains(b)));
        }

        return selected;
    }

    private static string Known() => "all, " + string.Join(", ", Pi.Select(b => b.Name));

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The driver is not trimmed.")]
    private static IReadOnlyList<IPiBackend> DiscoverPi() =>
        [.. typeof(BackendCatalog).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IPiBackend).IsAssignableFrom(t))
            .Select(t => (IPiBackend)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Order)];
}
