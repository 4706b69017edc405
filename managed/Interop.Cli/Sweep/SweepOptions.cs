using Interop.Cli.Commands;
using Interop.Core;

namespace Interop.Cli.Sweep;

/// <summary>The validated options of one `interop sweep` run.</summary>
internal sealed record SweepOptions(
    IReadOnlyList<long> Darts,
    ulong FirstSeed,
    int Seeds,
    IPiBackend Backend,
    IPiBackend Reference,
    int Threads,
    SweepFormat Format,
    string? Chart,
    bool Mpi,
    DryRun? DryRun)
{
    /// <summary>Tasks of at most this many darts are counted again by <see cref="Reference"/> and must agree exactly.</summary>
    public const long RecountLimit = 1_000_000;

    private IReadOnlyList<SweepTask>? tasks;

    /// <summary>Every (seed, darts) task in the order the pool hands them out (made when first asked for, after the options were checked).</summary>
    public IReadOnlyList<SweepTask> Tasks => tasks ??= SweepTask.All(Darts, FirstSeed, Seeds);

    /// <summary>The seeds as "42..57" (or "42" for one).</summary>
    public string SeedRange => Seeds == 1 ? $"{FirstSeed}" : $"{FirstSeed}..{FirstSeed + (ulong)(Seeds - 1)}";

    /// <summary>The line a dry run prints after "would run", and the options every rank must share.</summary>
    public string Plan(int ranks) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"sweep: {Tasks.Count:N0} pi tasks ({Seeds} seed(s) {SeedRange} x {Darts.Count} darts count(s) {Darts[0]:N0}..{Darts[^1]:N0}) on {Backend.Name}; " +
        $"{ranks} rank(s) x {Threads} thread(s); tasks of at most {RecountLimit:N0} darts recounted by {Reference.Name}");
}

/// <summary>How `interop sweep` writes its results on stdout.</summary>
internal enum SweepFormat
{
    Table,
    Csv,
    Json,
}
