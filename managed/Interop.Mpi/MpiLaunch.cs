using System.Globalization;

namespace Interop.Mpi;

/// <summary>
/// The one place that decides whether this process is an MPI job. A process started by an MPI
/// launcher (or told to use MPI) initializes MPI; any other run must never load libinterop_mpi or
/// libmpi, so everything here reads environment variables only.
/// </summary>
public static class MpiLaunch
{
    /// <summary>
    /// True when <paramref name="forced"/> (say a --mpi flag) or when a launcher's variables are in
    /// <paramref name="environment"/> (see <see cref="Launcher"/>).
    /// </summary>
    public static bool Detect(Func<string, string?> environment, bool forced)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return forced || Launcher(environment) is not null;
    }

    /// <summary><see cref="Detect"/> over this process's environment.</summary>
    public static bool DetectFromProcess(bool forced) => Detect(Environment.GetEnvironmentVariable, forced);

    /// <summary>
    /// The launcher that started this process, named for reports, or null when none did:
    /// "Open MPI" (mpiexec/mpirun/orterun set OMPI_COMM_WORLD_SIZE and OMPI_COMM_WORLD_RANK),
    /// "PMI" (MPICH's Hydra, Intel MPI and other PMI-1/2 launchers set PMI_RANK and PMI_SIZE),
    /// "PMIx" (PRRTE, Open MPI 5, srun --mpi=pmix set PMIX_RANK),
    /// "Slurm" (srun sets SLURM_PROCID and SLURM_STEP_ID for each task; a batch script's own shell
    /// has SLURM_PROCID and SLURM_NTASKS but no step id, and is not an MPI launch). A Slurm step
    /// without an MPI plugin's variables (<see cref="IsPluginlessSrun"/>) of one task is not an MPI
    /// launch either: there is no job to join, and Open MPI's MPI_Init would fail there (not built
    /// with Slurm's PMI), so `srun -n 1 interop env` runs as one process; one of several tasks is
    /// "Slurm", and <see cref="Refusal"/> refuses it before MPI starts.
    /// A variable set to an empty string counts as unset.
    /// </summary>
    public static string? Launcher(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        bool Has(string name) => !string.IsNullOrEmpty(environment(name));

        if (Has("OMPI_COMM_WORLD_SIZE") && Has("OMPI_COMM_WORLD_RANK"))
        {
            return "Open MPI";
        }

        if (Has("PMI_RANK") && Has("PMI_SIZE"))
        {
            return "PMI";
        }

        if (Has("PMIX_RANK"))
        {
            return "PMIx";
        }

        if (Has("SLURM_PROCID") && Has("SLURM_STEP_ID"))
        {
            // A malformed task count is refused by Refusal; as a launch it counts as several tasks.
            return StepTasks(environment, out _) == 1 ? null : "Slurm";
        }

        return null;
    }

    /// <summary>
    /// True when srun started this process as a task of a job step (SLURM_PROCID and SLURM_STEP_ID)
    /// and no MPI plugin set its variables (PMIX_RANK of --mpi=pmix, PMI_RANK of pmi2, Open MPI's
    /// OMPI_COMM_WORLD_*): the tasks are independent processes that cannot form an MPI job.
    /// </summary>
    public static bool IsPluginlessSrun(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        bool Has(string name) => !string.IsNullOrEmpty(environment(name));
        return Has("SLURM_PROCID") && Has("SLURM_STEP_ID") &&
               !Has("PMIX_RANK") && !Has("PMI_RANK") && !Has("OMPI_COMM_WORLD_RANK") && !Has("OMPI_COMM_WORLD_SIZE");
    }

    /// <summary>
    /// Why this launch cannot run, decided before MPI starts (one line, without the "interop: "
    /// prefix), or null when it can. srun without an MPI plugin starts each task as an independent
    /// process: with several tasks each would be a 1-rank copy measuring alone (Open MPI's MPI_Init
    /// aborts there; MPICH's makes singletons), and a forced MPI start (<paramref name="forced"/>,
    /// --mpi) fails even for one task. A task count that is not a whole number from 1 up is named.
    /// </summary>
    public static string? Refusal(Func<string, string?> environment, bool forced)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!IsPluginlessSrun(environment))
        {
            return null;
        }

        int tasks = StepTasks(environment, out string? problem);
        if (problem is not null)
        {
            return problem;
        }

        if (tasks > 1)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"srun started {tasks} tasks without an MPI plugin; each would be a 1-rank copy: use srun --mpi=pmix (srun --mpi=list shows the plugins)");
        }

        return forced
            ? "--mpi under srun without an MPI plugin: MPI cannot start in this task; use srun --mpi=pmix (srun --mpi=list shows the plugins), or leave out --mpi to run as one process"
            : null;
    }

    /// <summary>
    /// The ranks the launcher that started this process says the job has, with the variable that
    /// says it ("OMPI_COMM_WORLD_SIZE=2"), or null when it does not say (or says nothing usable):
    /// the size variable of the launcher <see cref="Launcher"/> names (Open MPI's
    /// OMPI_COMM_WORLD_SIZE, PMI_SIZE, and for Slurm's PMIx plugin, whose namespaces are named
    /// "slurm.pmix.JOB.STEP", the step's SLURM_STEP_NUM_TASKS or SLURM_NTASKS; another PMIx
    /// launcher started inside a Slurm step inherits that step's counts, which say nothing of its
    /// own job). After MPI_Init a world of one rank under a launcher that declared more means N
    /// singletons, not one N-rank job (<see cref="SingletonRefusal"/>).
    /// </summary>
    public static (int Size, string Source)? DeclaredSize(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        (int, string)? Read(string name) =>
            int.TryParse(environment(name), NumberStyles.None, CultureInfo.InvariantCulture, out int size) && size > 0
                ? (size, string.Create(CultureInfo.InvariantCulture, $"{name}={size}"))
                : null;

        bool Has(string name) => !string.IsNullOrEmpty(environment(name));
        return Launcher(environment) switch
        {
            "Open MPI" => Read("OMPI_COMM_WORLD_SIZE"),
            "PMI" => Read("PMI_SIZE"),
            "PMIx" when Has("SLURM_STEP_ID") && (environment("PMIX_NAMESPACE") ?? string.Empty).StartsWith("slurm.pmix.", StringComparison.Ordinal) =>
                Read("SLURM_STEP_NUM_TASKS") ?? Read("SLURM_NTASKS"),
            "Slurm" => Read("SLURM_STEP_NUM_TASKS") ?? Read("SLURM_NTASKS"),
            _ => null,
        };
    }

    /// <summary>
    /// Why a job whose MPI_COMM_WORLD has <paramref name="worldSize"/> ranks cannot run (one line,
    /// without the "interop: " prefix), or null when it can: a world of one rank where the launcher
    /// declared more (<see cref="DeclaredSize"/>) means each process MPI_Init made a job of its own
    /// (the MPI library does not speak the launcher's protocol: MPICH's mpiexec starting an Open MPI
    /// program, or srun with a plugin this MPI lacks), and N copies would each measure alone and
    /// write the same results.
    /// </summary>
    public static string? SingletonRefusal(Func<string, string?> environment, int worldSize)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (worldSize != 1 || DeclaredSize(environment) is not (int declared and > 1, string source))
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"the launcher started {declared} processes ({source}) but MPI made each a 1-rank job of its own, not one {declared}-rank job: start interop with the mpiexec of the MPI library it uses, or under Slurm with srun --mpi=pmix");
    }

    // The tasks of this Slurm step: SLURM_STEP_NUM_TASKS (srun sets it for every step), else the
    // job's SLURM_NTASKS; 1 when neither is set. A value that is not a count gives a problem naming it.
    private static int StepTasks(Func<string, string?> environment, out string? problem)
    {
        problem = null;
        foreach (string name in (string[])["SLURM_STEP_NUM_TASKS", "SLURM_NTASKS"])
        {
            string? text = environment(name);
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int tasks) && tasks > 0)
            {
                return tasks;
            }

            problem = $"{name} must be the number of tasks srun started (a whole number from 1), not '{text}'";
            return 0;
        }

        return 1;
    }
}
