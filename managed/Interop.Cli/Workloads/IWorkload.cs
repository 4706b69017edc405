using Interop.Cli.Compare;
using Interop.Cli.Jobs;
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

    /// <summary>The rule a verified point met, for compare's summary: "scaled residual &lt;= 30".</summary>
    string VerificationRule { get; }

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
}
