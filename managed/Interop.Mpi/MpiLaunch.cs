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
    /// has SLURM_PROCID and SLURM_NTASKS but no step id, and is not an MPI launch).
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
            return "Slurm";
        }

        return null;
    }
}
