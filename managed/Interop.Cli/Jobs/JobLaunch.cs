using System.Globalization;
using Interop.Mpi;

namespace Interop.Cli.Jobs;

/// <summary>
/// One run of the driver under MPI, from parsing to exit. When a launcher started this process,
/// MPI starts right after parsing, on every rank, whatever the command line holds (even an error),
/// and the first collective of every path is the start-up handshake: every rank sends its command
/// line and its first error, if any (<see cref="RankReport"/>), and every rank reaches the same
/// verdict (<see cref="HandshakeVerdict"/>): rank 0 prints its line once, and every rank ends with
/// its exit code. So a usage error found on one rank only is printed, and ranks launched with
/// different commands or options (an MPMD launch, `mpiexec -n 1 interop pi : -n 1 interop inv`)
/// stop at once instead of meeting in unrelated collectives.
///
/// Every wait is bounded: the handshake waits at most <see cref="HandshakeLimit"/> (ranks only
/// start at different times there), every later collective at most INTEROP_MPI_TIMEOUT seconds
/// (<see cref="DefaultWaitLimit"/> unless set), after which the job is aborted with a message. Waiting
/// ranks sleep between polls (libinterop_mpi), so they do not take CPU from the ranks that compute.
/// </summary>
internal sealed class JobLaunch : IDisposable
{
    /// <summary>The variable that sets the wait limit of every collective after the handshake, in seconds.</summary>
    public const string TimeoutVariable = "INTEROP_MPI_TIMEOUT";

    /// <summary>
    /// 60 s: ranks reach the handshake right after MPI_Init, apart only by their own start-up (the
    /// .NET runtime, parsing, loading the libraries), a second or two on a loaded node.
    /// </summary>
    public static readonly TimeSpan HandshakeLimit = TimeSpan.FromSeconds(60);

    /// <summary>
    /// One day: after the handshake every rank runs the same code, so a long wait means rank 0 is
    /// still computing (inv runs on rank 0 alone; one inversion at the largest n takes hours on one
    /// core), never a mismatch. The limit only guarantees that no job waits forever (about the
    /// longest wall time of a cluster job); INTEROP_MPI_TIMEOUT shortens or lengthens it.
    /// </summary>
    public static readonly TimeSpan DefaultWaitLimit = TimeSpan.FromDays(1);

    private static readonly AsyncLocal<JobLaunch?> CurrentLaunch = new();

    private readonly CommandLineText line;
    private readonly TextWriter stderr;
    private MpiJob? mpi;
    private Exception? startFailure;
    private string? settingProblem;
    private TimeSpan waitLimit = DefaultWaitLimit;

    private JobLaunch(CommandLineText line, TextWriter stderr)
    {
        this.line = line;
        this.stderr = stderr;
    }

    /// <summary>The launch of the driver run in progress on this flow, if any.</summary>
    public static JobLaunch? Current => CurrentLaunch.Value;

    /// <summary>True once this rank took part in the handshake (or needs none: no MPI).</summary>
    public bool Agreed { get; private set; }

    /// <summary>Starts MPI when a launcher started this process; called by the driver right after parsing.</summary>
    public static JobLaunch Begin(CommandLineText line, TextWriter stderr)
    {
        var launch = new JobLaunch(line, stderr);
        CurrentLaunch.Value = launch;
        if (MpiLaunch.Launcher(Environment.GetEnvironmentVariable) is string launcher)
        {
            launch.StartMpi(launcher);
        }

        return launch;
    }

    /// <summary>
    /// The job of a command whose options are valid on this rank (JobFactory.Start): the single
    /// process, or the MPI job once every rank agreed. When they do not, rank 0 has printed why and
    /// this throws <see cref="JobRefusedException"/> with the exit code.
    /// </summary>
    public IJob Join(bool forceMpi)
    {
        if (startFailure is not null)
        {
            Agreed = true;
            throw startFailure;
        }

        if (mpi is null && forceMpi)
        {
            StartMpi("--mpi");
            if (startFailure is not null)
            {
                Agreed = true;
                throw startFailure;
            }
        }

        if (mpi is null)
        {
            Agreed = true;
            return new SingleProcessJob();
        }

        HandshakeVerdict verdict = settingProblem is string problem
            ? Handshake(new RankReport(Driver.UsageError, line, problem))
            : Handshake(new RankReport(Driver.Success, line, string.Empty));
        return verdict.Code == Driver.Success ? mpi : throw new JobRefusedException(verdict.Code);
    }

    /// <summary>
    /// Before output that needs no job (--help, --version): true when this process should print it
    /// (a single process, or rank 0 of ranks that agree); <paramref name="code"/> is the exit code.
    /// </summary>
    public bool ShouldPrint(out int code)
    {
        code = Driver.Success;
        if (mpi is null || Agreed)
        {
            return mpi is null || mpi.Rank == 0;
        }

        code = Handshake(new RankReport(Driver.Success, line, string.Empty)).Code;
        return code == Driver.Success && mpi.Rank == 0;
    }

    /// <summary>
    /// An error found on this rank (<paramref name="message"/> without the "interop: " prefix):
    /// before the handshake it goes into it, so it is printed once, by rank 0, and every rank exits
    /// with the verdict's code; after it, this rank prints it with its rank and ends the whole job.
    /// Without MPI it is printed here (by the launcher's rank 0 only, when MPI could not start).
    /// </summary>
    public int Fail(int code, string message)
    {
        if (mpi is null)
        {
            if (JobFactory.IsLaunchRoot())
            {
                stderr.WriteLine(Driver.Line(code, string.Empty, message));
            }

            return code;
        }

        if (!Agreed)
        {
            return Handshake(new RankReport(code, line, message)).Code;
        }

        AbortAfter(code, message);
        return code;
    }

    /// <summary>At the end of a run: ranks that never met in the handshake (a command without a job) meet now.</summary>
    public int Finish(int code)
    {
        if (mpi is null || Agreed)
        {
            return code;
        }

        int verdict = Handshake(new RankReport(code, line, code == Driver.Success ? string.Empty : $"exited with {code}")).Code;
        return verdict != Driver.Success ? verdict : code;
    }

    /// <summary>Finalizes MPI if this launch started it (a bounded barrier first, see libinterop_mpi).</summary>
    public void Dispose()
    {
        CurrentLaunch.Value = null;
        if (mpi is null)
        {
            return;
        }

        try
        {
            mpi.Dispose();
        }
        catch (MpiException e)
        {
            AbortAfter(Driver.Failure, Explain(e));
        }
    }

    /// <summary>The message of an MPI failure, with the way out when it was a wait that ran out.</summary>
    public static string Explain(Exception e) => e is MpiTimeoutException timeout
        ? $"{timeout.Message}: another rank is still computing, failed or hangs " +
          $"(set {TimeoutVariable}=SECONDS to wait longer; the limit now is {timeout.Limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s)"
        : e.Message;

    /// <summary>The wait limit after the handshake from INTEROP_MPI_TIMEOUT; null and a problem when it is not a number of seconds.</summary>
    internal static TimeSpan? ParseWaitLimit(string? text, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultWaitLimit;
        }

        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) &&
            seconds > 0 && seconds <= 1e7)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        problem = $"{TimeoutVariable} must be the seconds an MPI rank may wait for the others (above 0, at most 1e7; such as 600 or 0.5), not '{text}'";
        return null;
    }

    private void StartMpi(string launcher)
    {
        try
        {
            mpi = MpiJob.Start(launcher);
            Communicator.World.WaitLimit = HandshakeLimit;
            if (ParseWaitLimit(Environment.GetEnvironmentVariable(TimeoutVariable), out settingProblem) is TimeSpan limit)
            {
                waitLimit = limit;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            startFailure = e;
        }
    }

    private HandshakeVerdict Handshake(RankReport mine)
    {
        MpiJob job = mpi!;
        Agreed = true;
        HandshakeVerdict verdict;
        try
        {
            byte[][] all = job.GatherAll(mine.Encode());
            verdict = HandshakeVerdict.Of([.. all.Select(RankReport.Decode)]);
            Communicator.World.WaitLimit = waitLimit;
        }
        catch (MpiException e)
        {
            // Some rank never arrived (not started, or not an interop of this version): nobody can agree.
            AbortAfter(Driver.Failure, $"the ranks did not all start the same program: {Explain(e)}");
            return new HandshakeVerdict(Driver.Failure, null);
        }

        if (job.Rank == 0 && verdict.Line is not null)
        {
            stderr.WriteLine(verdict.Line);
            stderr.Flush();
        }

        return verdict;
    }

    private void AbortAfter(int code, string message)
    {
        MpiJob job = mpi!;
        stderr.WriteLine(code == Driver.UsageError
            ? $"interop on rank {job.Rank} of {job.Size}: {message}"
            : $"interop: error on rank {job.Rank} of {job.Size}: {message}");
        stderr.Flush();
        job.AbortAll(code);
    }
}

/// <summary>The ranks did not agree in the handshake: rank 0 printed why; every rank exits with <see cref="Code"/>.</summary>
internal sealed class JobRefusedException(int code) : Exception($"the MPI ranks did not agree (exit {code})")
{
    public int Code { get; } = code;
}
