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
}
