using System.CommandLine;
using Interop.Core;

namespace Interop.Cli;

/// <summary>
/// One column of a console table (pi, inv, ep, compare, report): its heading, the names --columns
/// knows it by (a short one, the CSV column or JSON key where one exists; the heading is always
/// one), and its priority when the table must fit the terminal (<see cref="TextTable"/>).
/// </summary>
/// <param name="Heading">The heading printed above it.</param>
/// <param name="Names">Names for --columns besides the heading (a short one first, the one messages list, then the CSV column or JSON key).</param>
/// <param name="Priority">
/// Below <see cref="ColumnPriority.Optional"/>: essential, shown whenever the table is fitted (lower first;
/// given up highest first only where not even the essential ones fit). From it on: optional, added in
/// increasing order while the table fits.
/// </param>
/// <param name="RightAligned">Numbers are right-aligned, names left-aligned.</param>
internal sealed record TableColumn(string Heading, IReadOnlyList<string> Names, int Priority, bool RightAligned = true)
{
    /// <summary>
    /// A shorter form of a cell, for a fitted table that has no room for the full one (the check column's
    /// "ok inside=785404" as "ok"); null: the cells are never shortened. The full text stays in --columns all,
    /// CSV and JSON.
    /// </summary>
    public Func<string, string>? Shorten { get; init; }

    /// <summary>The heading over shortened cells where the full one would promise more ("median s" for "median s (min-max)").</summary>
    public string? ShortHeading { get; init; }

    public bool IsEssential => Priority < ColumnPriority.Optional;

    /// <summary>The name messages list it by.</summary>
    public string Name => Names.Count > 0 ? Names[0] : Heading;

    /// <summary>Whether --columns' <paramref name="name"/> names this column (its heading or one of its names, any case).</summary>
    public bool Matches(string name) =>
        Heading.Equals(name, StringComparison.OrdinalIgnoreCase) || Names.Any(n => n.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>This column under another heading (a workload's unit) with more names, same priority.</summary>
    public TableColumn As(string heading, params string[] names) => this with { Heading = heading, Names = [.. Names, .. names] };

    /// <summary>A check cell cut to its verdict: "ok", "FAILED", "MISMATCH" (its first word).</summary>
    public static string Verdict(string cell) => cell.Split(' ', 2)[0];
}

/// <summary>
/// The priorities of the columns tables share, in one place: the essential ones (backend, check,
/// median, speedup, ranks and threads, isa, % of peak, 95% CI; listed here in the order they are
/// given up last), then the optional ones in the order a fitted table adds them, then each
/// workload's own columns in their declared order, then the per-rank MPI columns.
/// </summary>
internal static class ColumnPriority
{
    public const int Backend = 0;
    public const int Check = 1;
    public const int Median = 2;
    public const int Speedup = 3;
    public const int Shape = 4;
    public const int Isa = 5;
    public const int Peak = 6;
    public const int Ci = 7;

    /// <summary>The first optional priority: a fitted table adds optional columns from here up while they fit.</summary>
    public const int Optional = 10;

    public const int Throughput = Optional;
    public const int Runs = Optional + 2;
    public const int Size = Optional + 3;
    public const int Efficiency = Optional + 4;
    public const int OverManaged = Optional + 5;
    public const int PerWorker = Optional + 6;
    public const int OverDgemm = Optional + 7;
    public const int Host = Optional + 8;

    /// <summary>A workload's own columns: <see cref="Own"/> + their index in its declaration.</summary>
    public const int Own = Optional + 20;

    /// <summary>The per-rank columns of an MPI run (compute time spread, imbalance, MPI time).</summary>
    public const int PerRank = Optional + 40;

    /// <summary>The columns of a task-pool schedule (each rank's chunks, items and busy time), after the per-rank ones.</summary>
    public const int TaskPool = Optional + 50;
}

/// <summary>The columns every table has, or most: declared once, each table picks its own.</summary>
internal static class CommonColumns
{
    public static readonly TableColumn Backend = new("backend", ["backend"], ColumnPriority.Backend, RightAligned: false);
    public static readonly TableColumn Isa = new("isa", ["isa"], ColumnPriority.Isa, RightAligned: false);
    public static readonly TableColumn Ranks = new("ranks", ["ranks"], ColumnPriority.Shape);
    public static readonly TableColumn Threads = new("threads", ["threads"], ColumnPriority.Shape);

    /// <summary>"1x2": ranks x threads in one column.</summary>
    public static readonly TableColumn Shape = new("ranks x threads", ["ranks", "threads", "workers"], ColumnPriority.Shape);

    public static readonly TableColumn Median = new("median", ["median", "seconds_median"], ColumnPriority.Median);

    /// <summary>"±5.8% noisy": shortened to "±5.8%" (the noise warning under the table names the noisy points).</summary>
    public static readonly TableColumn Ci = new("95% CI", ["ci", "seconds_ci_lower", "seconds_ci_upper"], ColumnPriority.Ci)
    {
        Shorten = cell => cell.Split(' ', 2)[0],
    };

    public static readonly TableColumn Runs = new("runs", ["runs", "repeats"], ColumnPriority.Runs);

    /// <summary>A point's size; a workload's table heads it with its size's name (darts, n, m).</summary>
    public static readonly TableColumn Size = new("size", ["size"], ColumnPriority.Size);

    /// <summary>The workload's rate; a workload's table heads it with its unit (<see cref="TableColumn.As"/>).</summary>
    public static readonly TableColumn Throughput = new("throughput", ["throughput"], ColumnPriority.Throughput);

    public static readonly TableColumn PerWorker = new("throughput per worker", ["throughput_per_worker"], ColumnPriority.PerWorker);

    public static readonly TableColumn Peak = new("% of peak", ["peak", "fraction_of_peak"], ColumnPriority.Peak);

    public static readonly TableColumn OverDgemm = new("over dgemm", ["over_dgemm"], ColumnPriority.OverDgemm);

    /// <summary>"1.07x ± 0.03 (within noise)": shortened to the ratio and its interval, which show whether it includes 1.</summary>
    public static readonly TableColumn Speedup = new("speedup", ["speedup", "speedup_vs_managed_serial"], ColumnPriority.Speedup)
    {
        Shorten = cell => cell.Replace(" (within noise)", string.Empty, StringComparison.Ordinal),
    };

    public static readonly TableColumn Efficiency = new("efficiency", ["efficiency"], ColumnPriority.Efficiency);

    public static readonly TableColumn OverManaged = new("native/managed", ["over_managed"], ColumnPriority.OverManaged);

    /// <summary>"ok inside=785404": shortened to the verdict.</summary>
    public static readonly TableColumn Check = new("check", ["check", "verified"], ColumnPriority.Check, RightAligned: false)
    {
        Shorten = TableColumn.Verdict,
    };

    /// <summary>The per-rank columns of an MPI run of pi or ep: the spread of the ranks' compute times, the imbalance, the time in MPI.</summary>
    public static readonly IReadOnlyList<TableColumn> PerRank =
    [
        new("rank compute min-max", ["rank_compute_seconds"], ColumnPriority.PerRank),
        new("imbalance", ["load_imbalance"], ColumnPriority.PerRank + 1),
        new("mpi time", ["mpi_seconds"], ColumnPriority.PerRank + 2),
    ];

    /// <summary>
    /// The columns of a run under a task-pool schedule (--schedule dynamic or guided): the spread over
    /// the ranks of the chunks each took, the items in them (headed by the workload's size name, pi's
    /// darts) and the seconds its pool threads were busy.
    /// </summary>
    public static IReadOnlyList<TableColumn> TaskPool(string items) =>
    [
        new("rank chunks min-max", ["rank_chunks"], ColumnPriority.TaskPool),
        new($"rank {items} min-max", ["rank_items"], ColumnPriority.TaskPool + 1),
        new("rank busy min-max", ["rank_busy_seconds"], ColumnPriority.TaskPool + 2),
    ];

    /// <summary>The throughput column of <paramref name="workload"/>: headed by its unit, known by its JSON key too.</summary>
    public static TableColumn ThroughputOf(Workloads.IWorkload workload) =>
        Throughput.As(workload.ThroughputUnit, [.. workload.ThroughputNames]);

    /// <summary>The size column of <paramref name="workload"/>, headed <paramref name="heading"/> (by default its size's name).</summary>
    public static TableColumn SizeOf(Workloads.IWorkload workload, string? heading = null) =>
        Size.As(heading ?? workload.SizeName, workload.SizeName);

    /// <summary>A workload's own columns, optional, in their declared order after the common ones.</summary>
    public static IReadOnlyList<TableColumn> Own(IEnumerable<(string Heading, string Name)> columns) =>
        [.. columns.Select((c, i) => new TableColumn(c.Heading, [c.Name], ColumnPriority.Own + i))];
}

/// <summary>
/// Which columns a console table shows (--columns): those that fit the terminal (the default), all of
/// them, or those named (with the backend, which names each row).
/// </summary>
internal sealed class ColumnChoice
{
    public const string AllName = "all";

    private readonly IReadOnlyList<string>? names;

    private ColumnChoice(bool all, IReadOnlyList<string>? names)
    {
        All = all;
        this.names = names;
    }

    /// <summary>The default: essential columns first, the others while the table fits.</summary>
    public static ColumnChoice Fit { get; } = new(false, null);

    /// <summary>--columns all: every column, at full width.</summary>
    public static ColumnChoice Every { get; } = new(true, null);

    public bool All { get; }

    /// <summary>Whether the table is fitted to the terminal (neither all nor a named list).</summary>
    public bool Fitted => !All && names is null;

    /// <summary>With a named list: whether <paramref name="column"/> is shown (the first column, naming the rows, always is).</summary>
    public bool Shows(TableColumn column, bool first) => All || first || names is null || names.Any(column.Matches);

    /// <summary>
    /// --columns' value: null (not given: fit), "all", or comma-separated names each of which names one of
    /// <paramref name="known"/>; an unknown name is a usage error listing the valid ones.
    /// </summary>
    public static ColumnChoice Parse(string? text, IEnumerable<TableColumn> known)
    {
        if (text is null)
        {
            return Fit;
        }

        string[] given = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (given.Length == 1 && given[0].Equals(AllName, StringComparison.OrdinalIgnoreCase))
        {
            return Every;
        }

        TableColumn[] columns = [.. known];
        string? unknown = given.FirstOrDefault(n => !columns.Any(c => c.Matches(n)));
        if (given.Length == 0 || unknown is not null)
        {
            string valid = string.Join(", ", [AllName, .. columns.Select(c => c.Name).Distinct(StringComparer.OrdinalIgnoreCase)]);
            throw new UsageException(unknown is null
                ? $"--columns needs 'all' or column names: {valid}"
                : $"--columns: unknown column '{unknown}'; valid names: {valid} (or a heading)");
        }

        return new ColumnChoice(false, given);
    }

    /// <summary>--columns, the same option on pi, inv, ep, compare and report.</summary>
    public static Option<string?> CreateOption() => new("--columns")
    {
        Description = "Columns of the console table: 'all', or comma-separated names (results.csv's column names or the headings, e.g. median,ci,speedup). " +
            "Default: the essential ones, then others while the table fits the terminal (COLUMNS, else 100 when not a terminal). CSV and JSON always have every column.",
    };
}
