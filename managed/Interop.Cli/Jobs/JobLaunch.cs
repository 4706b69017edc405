using System.Globalization;
using Interop.Core;
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
/// Every wait is bounded by INTEROP_MPI_TIMEOUT seconds when it is set (at least
/// <see cref="MinimumWaitLimit"/>); unset, start-up (MPI_Init and the handshake, where ranks only
/// start at different times) waits at most <see cref="HandshakeLimit"/> and every later collective
/// at most <see cref="DefaultWaitLimit"/>. Past the limit the job ends with a message that names the
/// limit, what waited and for which rank. Open MPI's MPI_Init never returns while a rank of the job
/// is not an MPI program, so a watchdog bounds it and names the ranks that never started interop
/// (<see cref="StartedRanks"/>). Waiting ranks sleep between polls (libinterop_mpi), so they do not
/// take CPU from the ranks that compute.
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

    /// <summary>
    /// 1 s, the shortest INTEROP_MPI_TIMEOUT: healthy ranks reach MPI_Init, the handshake and
    /// MPI_Finalize apart by up to a fraction of a second on a loaded node, so a shorter limit
    /// would end healthy jobs with a timeout.
    /// </summary>
    public static readonly TimeSpan MinimumWaitLimit = TimeSpan.FromSeconds(1);

    private static readonly AsyncLocal<JobLaunch?> CurrentLaunch = new();

    private readonly CommandLineText line;
    private readonly TextWriter stderr;
    private MpiJob? mpi;
    private Exception? startFailure;
    private string? settingProblem;
    private TimeSpan waitLimit = DefaultWaitLimit;
    private bool limitFromVariable;
    private StartedRanks? started;
    private string[]? rankHosts;

    private JobLaunch(CommandLineText line, TextWriter stderr)
    {
        this.line = line;
        this.stderr = stderr;
    }

    /// <summary>The launch of the driver run in progress on this flow, if any.</summary>
    public static JobLaunch? Current => CurrentLaunch.Value;

    /// <summary>The processes of the MPI job this launch started (MPI_COMM_WORLD's size), 1 without MPI.</summary>
    public int WorldSize => mpi?.Size ?? 1;

    /// <summary>
    /// Every host of the job with its ranks, from each rank's own host name (sent in the
    /// handshake); this host alone without MPI; null under MPI before the ranks met.
    /// </summary>
    public IReadOnlyList<Schema.HostRanks>? Hosts => mpi is null
        ? [new Schema.HostRanks(Schema.Documents.HostName(), [0])]
        : rankHosts is null ? null : Schema.HostRanks.Of(rankHosts);

    /// <summary>True once this rank took part in the handshake (or needs none: no MPI).</summary>
    public bool Agreed { get; private set; }

    /// <summary>
    /// Why this launch cannot run any command (one line, without "interop: "), or null: srun
    /// started several tasks without an MPI plugin (found before MPI_Init, which would abort or
    /// make copies; <see cref="MpiLaunch.Refusal"/>), or MPI_Init made this process a 1-rank job
    /// although its launcher declared more (<see cref="MpiLaunch.SingletonRefusal"/>). Every
    /// process of such a launch is alone, so none can wait for the others: each exits by itself,
    /// and only the launcher's rank 0 says why (<see cref="JobFactory.IsLaunchRoot"/>).
    /// </summary>
    public string? Refusal { get; private set; }

    /// <summary>
    /// Starts MPI when a launcher started this process (unless the launch is refused, see
    /// <see cref="Refusal"/>); called by the driver right after parsing.
    /// </summary>
    public static JobLaunch Begin(CommandLineText line, TextWriter stderr)
    {
        Func<string, string?> environment = Environment.GetEnvironmentVariable;
        var launch = new JobLaunch(line, stderr);
        CurrentLaunch.Value = launch;
        launch.Refusal = MpiLaunch.Refusal(environment, forced: false);
        if (launch.Refusal is null && MpiLaunch.Launcher(environment) is string launcher)
        {
            launch.StartMpi(launcher);
            if (launch.mpi is MpiJob job)
            {
                launch.Refusal = MpiLaunch.SingletonRefusal(environment, job.Size);
            }
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
            // srun without an MPI plugin: MPI_Init would abort with Open MPI's page of text.
            if (MpiLaunch.Refusal(Environment.GetEnvironmentVariable, forced: true) is string refusal)
            {
                Agreed = true;
                throw new UsageException(refusal);
            }

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
        if (verdict.Code != Driver.Success)
        {
            throw new JobRefusedException(verdict.Code);
        }

        mpi.Heterogeneous = verdict.Threads;
        return mpi;
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

    /// <summary>
    /// The message of an MPI failure; for a wait that ran out, the limit by name and value, what
    /// waited and for whom, and the way out.
    /// </summary>
    public static string Explain(Exception e)
    {
        if (e is not MpiTimeoutException timeout)
        {
            return e.Message;
        }

        // The driver broadcasts from rank 0 only (its exit code, sizes): a broadcast waits for rank 0.
        string whom = timeout.Operation == "MPI_Bcast" ? "rank 0" : "the other ranks";
        return $"{LimitText(timeout.Limit, Current?.limitFromVariable ?? !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TimeoutVariable)))} " +
               $"expired while {timeout.Operation} waited for {whom} (still computing, failed or hung; set {TimeoutVariable}=SECONDS to wait longer)";
    }

    /// <summary>"the INTEROP_MPI_TIMEOUT of 2 s", or the default limit's name when the variable is not set.</summary>
    private static string LimitText(TimeSpan limit, bool fromVariable)
    {
        string seconds = limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        return fromVariable ? $"the {TimeoutVariable} of {seconds} s" : $"the MPI wait limit of {seconds} s ({TimeoutVariable} not set)";
    }

    /// <summary>The wait limit from INTEROP_MPI_TIMEOUT (the default when unset); null and a problem when it is not 1 to 1e7 seconds.</summary>
    internal static TimeSpan? ParseWaitLimit(string? text, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultWaitLimit;
        }

        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) &&
            seconds >= MinimumWaitLimit.TotalSeconds && seconds <= 1e7)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        problem = $"{TimeoutVariable} must be the seconds an MPI rank may wait for the others, from {MinimumWaitLimit.TotalSeconds:0} to 1e7 " +
                  $"(such as 600; shorter limits expire while healthy ranks are still starting), not '{text}'";
        return null;
    }

    private void StartMpi(string launcher)
    {
        try
        {
            if (ParseWaitLimit(Environment.GetEnvironmentVariable(TimeoutVariable), out settingProblem) is TimeSpan limit)
            {
                waitLimit = limit;
                limitFromVariable = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TimeoutVariable));
            }

            // The task pool reads its own variable when it runs; a bad value is a usage error of the launch, found here.
            if (settingProblem is null && TaskPool.ParsePathVariable(Environment.GetEnvironmentVariable(TaskPool.PathVariable), out string? poolProblem) is null)
            {
                settingProblem = poolProblem;
            }

            // Start-up waits only for ranks to start: INTEROP_MPI_TIMEOUT when set, else one minute.
            TimeSpan startLimit = limitFromVariable ? waitLimit : HandshakeLimit;
            started = StartedRanks.Mark(Environment.GetEnvironmentVariable);
            mpi = InitializeWithin(startLimit, launcher);
            Communicator.World.WaitLimit = startLimit;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            startFailure = e;
        }
    }

    // MPI_Init under a watchdog: Open MPI's waits for every rank of the job and never returns while
    // one is not an MPI program, and nothing can interrupt it, so past the limit this process says
    // which ranks never started interop and exits 1 (the launcher then ends the others).
    private MpiJob InitializeWithin(TimeSpan limit, string launcher)
    {
        var initialized = new ManualResetEventSlim();
        StartedRanks ranks = started!;
        var watchdog = new Thread(() =>
        {
            if (initialized.Wait(limit))
            {
                return;
            }

            int[]? missing = ranks.Missing();
            if (ranks.ShouldReport(missing))
            {
                string whom = ranks.Describe(missing) ?? "the other ranks (some rank never called MPI_Init: a program in the job that is not interop, or a rank that failed before it)";
                string where = ranks.Rank >= 0 && ranks.Size > 0 ? string.Create(CultureInfo.InvariantCulture, $" on rank {ranks.Rank} of {ranks.Size}") : string.Empty;
                stderr.WriteLine($"interop: error{where}: MPI_Init did not finish: {LimitText(limit, limitFromVariable)} expired waiting for {whom}; every rank of the job must run interop");
                stderr.Flush();
            }

            Environment.Exit(Driver.Failure);
        })
        {
            IsBackground = true,
            Name = "MPI_Init watchdog",
        };
        watchdog.Start();
        try
        {
            return MpiJob.Start(launcher);
        }
        finally
        {
            initialized.Set();
        }
    }

    private HandshakeVerdict Handshake(RankReport mine)
    {
        MpiJob job = mpi!;
        Agreed = true;
        HandshakeVerdict verdict;
        try
        {
            byte[][] all = job.GatherAll((mine with { Host = Schema.Documents.HostName() }).Encode());
            RankReport[] reports = [.. all.Select(RankReport.Decode)];
            rankHosts = [.. reports.Select(r => r.Host)];
            verdict = HandshakeVerdict.Of(reports);
            Communicator.World.WaitLimit = waitLimit;
        }
        catch (MpiTimeoutException e)
        {
            // Some rank never arrived (an MPI program that is not interop, or one that hangs): nobody can agree.
            string whom = started?.Describe(started.Missing()) ?? "the other ranks";
            AbortAfter(Driver.Failure, $"the ranks did not all start interop: {LimitText(e.Limit, limitFromVariable)} expired while {e.Operation} waited at start-up for {whom}");
            return new HandshakeVerdict(Driver.Failure, null);
        }
        catch (MpiException e)
        {
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
