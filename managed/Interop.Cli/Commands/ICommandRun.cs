using Interop.Core;
using Interop.Cli.Jobs;
using Interop.Cli.Noise;

namespace Interop.Cli.Commands;

/// <summary>
/// One command's run, as <see cref="CommandRunner"/> drives it: what it needs before computing,
/// the measuring, and the report. The runner owns what every command shares: loading the
/// backends, the job, the trace, the output format, the exit code and the one-line errors. A new
/// workload is one such class (with its report and its command-line options); it never touches the
/// runner or the formats.
/// </summary>
internal interface ICommandRun : IDisposable
{
    /// <summary>The backends it runs; each is loaded (and refused with its loader's message) before the job starts.</summary>
    IReadOnlyList<IBackend> Backends { get; }

    /// <summary>--mpi: start MPI even without a launcher.</summary>
    bool Mpi { get; }

    /// <summary>--trace: the Chrome trace file, or null.</summary>
    string? Trace { get; }

    /// <summary>--dry-run: check everything and say what would run, run nothing; null for a real run.</summary>
    DryRun? DryRun { get; }

    /// <summary>--output: the data file it writes, or null (its report then goes to stderr if this is standard output).</summary>
    string? Output => null;

    /// <summary>How the report is written on stdout (--format, --json).</summary>
    IResultFormat Format { get; }

    /// <summary>
    /// With a data format (json, csv) on stdout, whether the human text still goes to stderr
    /// (compare: a long run's tables are not lost to a pipe); pi and inv write only the data.
    /// </summary>
    bool TextBesideData => false;

    /// <summary>
    /// On rank 0, after the job started and before anything runs: a usage problem with a path or
    /// size (exit 2 on every rank), or null. Every rank learns rank 0's answer.
    /// </summary>
    string? CheckBeforeRunning(IJob job, TextWriter stderr) => null; // a run whose options were all checked while parsing

    /// <summary>
    /// For --dry-run: what would run on <paramref name="ranks"/> ranks, as one line (sizes, backends,
    /// threads, repeats); a combination that cannot run there (a scalapack grid for another number
    /// of ranks) is a <see cref="UsageException"/>.
    /// </summary>
    string Plan(int ranks);

    /// <summary>
    /// The most threads one rank of the run uses at once: with the ranks on a node, the CPUs the
    /// machine-load check counts as the job's (<see cref="NoiseRule"/>).
    /// </summary>
    int ThreadsPerRank { get; }

    /// <summary>On every rank, before measuring: agreement checks and warnings.</summary>
    void Begin(IJob job, TextWriter stderr);

    /// <summary>
    /// Measures (every rank that takes part), and returns the report on rank 0 (null elsewhere).
    /// Progress goes to <paramref name="stderr"/>; the human text of a run whose format is not
    /// text goes to <paramref name="console"/> (stderr then, so stdout holds only the data).
    /// <paramref name="load"/> watches the machine from just before this call; a run that writes
    /// its results before returning (compare's folder) calls <see cref="LoadWatch.Finish"/> first,
    /// on every rank; the runner finishes it otherwise and adds it to the report's document.
    /// </summary>
    IRunReport? Measure(IJob job, TextWriter console, TextWriter stderr, LoadWatch load);

    /// <summary>After the report was written and its verdict passed (rank 0): e.g. put the --output file in place.</summary>
    void Commit()
    {
    }
}
