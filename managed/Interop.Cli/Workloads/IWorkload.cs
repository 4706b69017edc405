using System.CommandLine;
using System.Globalization;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Cli.Schema;
using Interop.Core;

namespace Interop.Cli.Workloads;

/// <summary>
/// What compare, report and the results schema need to know about one workload, so that they ask the
/// workload instead of testing its name. Every workload lives in its own folder beside this file and is
/// listed once in <see cref="WorkloadRegistry.All"/>.
/// </summary>
internal interface IWorkload
{
    /// <summary>The name in results.json, in --workload and in file names: "pi", "inv".</summary>
    string Name { get; }

    /// <summary>The heading of its tables, charts and summary lines: "Monte Carlo pi".</summary>
    string Title { get; }

    /// <summary>The name of its size: the option, the compare parameter and the JSON key ("darts", "n").</summary>
    string SizeName { get; }

    /// <summary>What one unit of the size is, for error messages: "number of darts", "matrix order".</summary>
    string SizeMeaning { get; }

    /// <summary>Sizes as a heading says them: "1,000 / 2,000 darts", "n = 2,000".</summary>
    string SizeText(string sizes);

    /// <summary>The largest size a run may have (an inversion's order is an int).</summary>
    long MaxSize { get; }

    /// <summary>The unit of <see cref="WorkPerRun"/>: "darts", "GFLOP".</summary>
    string WorkUnit { get; }

    /// <summary>The unit of a point's throughput: <see cref="WorkUnit"/> per second ("darts/s", "GFLOP/s").</summary>
    string ThroughputUnit { get; }

    /// <summary>The work one run of size <paramref name="size"/> does, in <see cref="WorkUnit"/>.</summary>
    double WorkPerRun(long size);

    /// <summary>Whether <paramref name="backend"/> runs this workload (implements its backend interface).</summary>
    bool RunsOn(IBackend backend);

    /// <summary>The instruction-set path <paramref name="backend"/> (one that <see cref="RunsOn"/>) takes for this workload now.</summary>
    Isa PathOf(IBackend backend);

    /// <summary>
    /// Whether a point of <paramref name="backend"/> runs on every rank of an MPI job at once (pi; a
    /// distributed inversion), rather than on rank 0 alone.
    /// </summary>
    bool OnEveryRank(IBackend backend);

    /// <summary>
    /// What its --schedule hands out (pi's darts, EP's batches), for a workload whose items a schedule splits
    /// over the ranks and threads (<see cref="RankSchedule"/>); null (the default) for one that ignores
    /// compare's --schedule (inv), whose points then hold no schedule.
    /// </summary>
    ScheduleUnit? ScheduledItems => null;

    /// <summary>The rule a verified point met, for compare's summary: "scaled residual &lt;= 30".</summary>
    string VerificationRule { get; }

    /// <summary>
    /// Its own command (`interop pi`): its options, help and action. The driver adds one for each
    /// registered workload, in <see cref="WorkloadRegistry.All"/>'s order, before compare, report and env.
    /// </summary>
    Command CreateCommand(TextWriter stdout, TextWriter stderr);

    // Measuring and calibrating

    /// <summary>
    /// Every backend of the catalog that runs this workload, in the order compare runs them,
    /// available on this machine or not: the names --backend knows.
    /// </summary>
    IReadOnlyList<IBackend> CatalogBackends { get; }

    /// <summary>
    /// The backends of compare's --backend list that run this workload and are available here, in
    /// the order they run (each unavailable one left out with a note).
    /// </summary>
    IReadOnlyList<IBackend> SelectBackends(BackendSelection selection);

    /// <summary>Whether <paramref name="backend"/> needs MPI even in a single process started without a launcher.</summary>
    bool NeedsMpi(IBackend backend);

    /// <summary>compare's option for this workload's size (--darts, --size), a new one for each command declared.</summary>
    ICompareSizeOption CreateCompareSizeOption();

    /// <summary>
    /// The workload's weight in compare's budget beside the other workloads measured: its share is its
    /// weight over the sum of theirs.
    /// </summary>
    double BudgetWeight { get; }

    /// <summary>
    /// Short probe runs of this workload's points of <paramref name="plan"/> on every path (on every
    /// rank together, or on rank 0 alone, as the workload runs), from which its size is chosen for a
    /// budget. Called on every rank, for a workload whose size was not given, measured or not.
    /// </summary>
    ISizeCalibration Probe(IJob job, ComparePlan plan);

    /// <summary>
    /// What measures this workload's points of one compare run, point by point, with the sizes
    /// chosen; made once per run, before its first point, and holding what its points share.
    /// </summary>
    IPointMeasurer Measurer(IJob job, ComparePlan plan, CompareSizes sizes);

    /// <summary>
    /// This workload's points of a run as they stand after each point: checked against each other,
    /// and held against references that later points may have measured again. Same order and count.
    /// </summary>
    IReadOnlyList<ComparePoint> Settle(IReadOnlyList<ComparePoint> points);

    /// <summary>The size as compare's plan (--dry-run) says it, given or not yet known (null).</summary>
    string PlannedText(long? size);

    /// <summary>The size chosen, as compare's heading says it, with the serial baseline's when it differs.</summary>
    string ChosenText(ChosenSize size);

    /// <summary>
    /// The size's entries among the parameters of compare's results (keys as <see cref="SizeName"/>
    /// names them); values null while the size is being calibrated.
    /// </summary>
    IEnumerable<KeyValuePair<string, string?>> SizeParameters(ChosenSize? size);

    // Result fields and columns
    // Defaults are what a new workload wants: its size and own fields (ResultFields) in the point's
    // own keys, no peak columns. pi and inv override them to keep schema 6's keys and tables.

    /// <summary>
    /// The point's fields beyond the common ones (JSON keys after the common keys, results.csv columns after
    /// today's, table columns before "check"), in that order. Empty for pi and inv, whose fields are schema
    /// 6's own keys (<see cref="ToDocument"/>).
    /// </summary>
    IReadOnlyList<ResultField> ResultFields => [];

    /// <summary>Names --columns also knows its throughput column by: its JSON key ("gflops", "darts_per_second").</summary>
    IReadOnlyList<string> ThroughputNames => [];

    /// <summary>
    /// The columns of its own command's table (`interop pi`), in the table's order, with their priorities when the
    /// table must fit the terminal (<see cref="ColumnPriority"/>); its report gives the cells in the same order.
    /// <paramref name="severalRanks"/>: the run had several ranks (per-rank columns, ranks x threads). By default:
    /// backend, isa, ranks, threads, size, median, 95% CI, runs, throughput and per worker, speedup, its own fields, check.
    /// </summary>
    IReadOnlyList<TableColumn> CommandColumns(bool severalRanks) =>
    [
        CommonColumns.Backend, CommonColumns.Isa, CommonColumns.Ranks, CommonColumns.Threads, CommonColumns.SizeOf(this),
        CommonColumns.Median, CommonColumns.Ci, CommonColumns.Runs, CommonColumns.ThroughputOf(this), CommonColumns.PerWorker.As($"{ThroughputUnit}/worker"),
        CommonColumns.Speedup, .. OwnColumns, CommonColumns.Check,
    ];

    /// <summary>The columns of its compare table's own fields (<see cref="ResultFields"/>), optional, after the common ones.</summary>
    IReadOnlyList<TableColumn> OwnColumns => CommonColumns.Own(ResultFields.Select(f => (f.Heading, f.Key)));

    /// <summary>
    /// How compare's tables and sentences print its throughput: a .NET format ("0.00e0": darts/s as 1.26e9), or
    /// null for <see cref="Units.Rate"/>'s three significant digits (29.7).
    /// </summary>
    string? RateFormat => null;

    /// <summary>How report's merged table prints its throughput: "0.00e0" (2.26e9), "0.0" (48.8).</summary>
    string ReportRateFormat => "0.00e0";

    /// <summary>How compare's tables print a size: "0.0#e0" (darts as 1.5e9), "0" (an order as 2400).</summary>
    string SizeFormat => "0";

    /// <summary>How report's merged table prints a size (a narrower column than compare's).</summary>
    string ReportSizeFormat => SizeFormat;

    /// <summary>
    /// Whether its points are held against the FMA limit of their path: tables show "% of peak" and "over
    /// dgemm" and the peak lines under them; otherwise they show the throughput per worker.
    /// </summary>
    bool HasPeak => false;

    /// <summary>The matrix order OpenBLAS's dgemm ran at for the dgemm_gflops of a point of size <paramref name="size"/> (with <see cref="HasPeak"/>).</summary>
    long DgemmOrder(long size) => size;

    /// <summary>The heading of its compare table: by default the title and the size of its first point.</summary>
    string TableTitle(IReadOnlyList<ComparePoint> points) =>
        string.Create(CultureInfo.InvariantCulture, $"{Title}, {SizeName} = {points[0].Size}");

    /// <summary>The title of its charts: by default the title and every size its points ran (else the run's parameter).</summary>
    string ChartTitle(IReadOnlyList<ComparePoint> points, IReadOnlyList<KeyValuePair<string, string?>> parameters)
    {
        long[] sizes = [.. points.Select(p => p.Size).Where(s => s > 0).Distinct().Order()];
        string text = sizes.Length > 0 ? string.Join(", ", sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)))
            : parameters.FirstOrDefault(p => p.Key == SizeName).Value ?? "?";
        return $"{Title}, {SizeText(text)}";
    }

    /// <summary>
    /// The line under its compare table when <paramref name="everyRank"/> (backends that ran on every rank)
    /// ran beside backends on rank 0 alone; null: no line.
    /// </summary>
    string? MixedRanksNote(IEnumerable<string> everyRank) => null;

    /// <summary>
    /// <paramref name="common"/> (a point of results.json with the common fields filled) with this workload's
    /// own: by default its size under <see cref="SizeName"/> and each of <see cref="ResultFields"/> that
    /// <paramref name="p"/> holds, after the common keys.
    /// </summary>
    MeasuredPoint ToDocument(MeasuredPoint common, ComparePoint p) =>
        common with { OwnFields = OwnFieldsJson.Write(SizeName, p.Size, [.. ResultFields.Where(f => p.OwnFields.ContainsKey(f.Key)).Select(f => new KeyValuePair<string, double>(f.Key, p.OwnFields[f.Key]))]) };

    /// <summary>
    /// <paramref name="common"/> (a compare point read from results.json with the common fields filled) with
    /// this workload's own fields from <paramref name="document"/>: by default its size and <see cref="ResultFields"/>.
    /// </summary>
    ComparePoint FromDocument(ComparePoint common, MeasuredPoint document) =>
        common with
        {
            Size = OwnFieldsJson.Integer(document, SizeName) ?? 0,
            OwnFields = ResultFields.Where(f => OwnFieldsJson.Number(document, f.Key) is not null).ToDictionary(f => f.Key, f => OwnFieldsJson.Number(document, f.Key)!.Value),
        };

    /// <summary>
    /// The first of its own fields of <paramref name="p"/> (read from a file) that makes no sense, as the field
    /// and the problem ("inside", "is -1: ..."); null when all do.
    /// </summary>
    (string Field, string Problem)? CheckFields(ComparePoint p) => null;
}
