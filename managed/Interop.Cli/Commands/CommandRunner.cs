using System.Text;
using Interop.Cli.Jobs;
using Interop.Cli.Noise;
using Interop.Cli.Schema;
using Interop.Core;

namespace Interop.Cli.Commands;

/// <summary>
/// Runs an <see cref="ICommandRun"/> the same way for pi, inv and compare: the backends loaded
/// first, the job started (MPI under a launcher), rank 0's path checks shared with every rank, the
/// trace recorded around the measuring, the report written in the chosen format, and the verdict
/// turned into the exit code (a failed check: one "interop: error:" line, exit 1). A failure on
/// any rank ends the whole job (<see cref="Driver.RunInJob"/>).
/// </summary>
internal static class CommandRunner
{
    public static int Run(ICommandRun run, TextWriter stdout, TextWriter stderr)
    {
        foreach (IBackend backend in run.Backends)
        {
            backend.EnsureAvailable();
        }

        if (SizeScale.Note() is string scaled)
        {
            Notices.Note(stderr, scaled);
        }

        // An output written to standard output (--output /dev/stdout) has it to itself: the report
        // (the table, or --json) goes to stderr, so that the two never mix.
        if (OutputFile.IsStandardOutput(run.Output) || OutputFile.IsStandardOutput(run.Trace))
        {
            stdout = stderr;
        }

        // A dry run starts MPI only where a launcher did (so its ranks still meet and agree);
        // outside one it plans for --ranks without starting anything.
        using IJob job = JobFactory.Start(run.DryRun is null && run.Mpi);
        // Rank 0 writes every file, so it checks the paths; every rank learns its verdict and
        // refuses alike (one line from the launch root, exit 2 everywhere).
        string problem = job.IsRoot ? run.CheckBeforeRunning(job, stderr) ?? string.Empty : string.Empty;
        string verdict = Encoding.UTF8.GetString(job.GatherAll(Encoding.UTF8.GetBytes(problem))[0]);
        if (verdict.Length > 0)
        {
            throw new UsageException(verdict);
        }

        if (run.DryRun is DryRun dry)
        {
            return Describe(run, dry, job, stdout, stderr);
        }

        return Driver.RunInJob(job, stderr, () =>
        {
            run.Begin(job, stderr);
            TextWriter console = !job.IsRoot ? TextWriter.Null : run.Format.IsText ? stdout : stderr;
            TraceFile.Begin(run.Trace, job);
            // How busy the machine was while measuring: every rank watches its node (collectives, so
            // every rank starts and finishes it at the same point); rank 0 warns and records it.
            LoadWatch load = LoadWatch.Start(job, run.ThreadsPerRank);
            IRunReport? report = run.Measure(job, console, stderr, load);
            MachineLoad machine = load.Finish(job);
            TraceFile.Finish(run.Trace, job);
            return job.IsRoot && report is not null ? Conclude(run, new LoadedReport(report, machine), stdout, stderr) : Driver.Success;
        });
    }

    private static int Describe(ICommandRun run, DryRun dry, IJob job, TextWriter stdout, TextWriter stderr)
    {
        run.Begin(job, stderr);
        string plan = run.Plan(job.Size > 1 ? job.Size : Math.Max(dry.Ranks, 1));
        if (job.IsRoot)
        {
            stdout.WriteLine(DryRun.Line(plan));
        }

        return Driver.Success;
    }

    private static int Conclude(ICommandRun run, LoadedReport report, TextWriter stdout, TextWriter stderr)
    {
        // A failed check says its one line alone; a busy machine is recorded in the document either way.
        if (report.Verdict.Passed && NoiseRule.Warning(report.Load) is string busy)
        {
            Notices.Warn(stderr, busy);
        }

        run.Format.Write(stdout, report);
        if (!run.Format.IsText && run.TextBesideData)
        {
            report.WriteText(stderr);
        }

        if (!report.Verdict.Passed)
        {
            stderr.WriteLine(Driver.Line(Driver.Failure, string.Empty, report.Verdict.Failure!));
            return Driver.Failure;
        }

        run.Commit();
        return Driver.Success;
    }
}

/// <summary>A run's report with the machine's load added to its document (a run that recorded it itself keeps the same).</summary>
internal sealed class LoadedReport(IRunReport report, MachineLoad load) : IRunReport
{
    public MachineLoad Load => load;

    public Verdict Verdict => report.Verdict;

    public ResultDocument Document() => report.Document() with { MachineLoad = load };

    public string CheckLine => report.CheckLine;

    public void WriteText(TextWriter output) => report.WriteText(output);
}
