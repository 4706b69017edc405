using Interop.Mpi;

namespace Interop.Cli.Jobs;

/// <summary>Starts the right kind of job: MPI when a launcher started this process (or --mpi), else one process.</summary>
internal static class JobFactory
{
    private static readonly string[] RankVariables = ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"];

    public static IJob Start(bool forceMpi)
    {
        string? launcher = MpiLaunch.Launcher(Environment.GetEnvironmentVariable);
        return launcher is null && !forceMpi ? new SingleProcessJob() : MpiJob.Start(launcher ?? "--mpi");
    }

    /// <summary>
    /// Whether this process is rank 0 as far as the launcher's variables tell, before MPI starts:
    /// errors found while parsing (identical on every rank) are printed once, by rank 0.
    /// </summary>
    public static bool IsLaunchRoot() =>
        RankVariables.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrEmpty(v)) is not string rank
        || rank == "0";
}
