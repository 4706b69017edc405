using Interop.Core;
using Interop.Mpi;

namespace Interop.Cli.Jobs;

/// <summary>Starts the right kind of job: MPI when a launcher started this process (or --mpi), else one process.</summary>
internal static class JobFactory
{
    private static readonly string[] RankVariables = ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"];

    /// <summary>
    /// The job of a command whose options are valid here. Under MPI (started by the driver right
    /// after parsing, see <see cref="JobLaunch"/>) this is where the ranks meet in the start-up
    /// handshake; when they disagree it throws <see cref="JobRefusedException"/> (rank 0 printed why).
    /// </summary>
    public static IJob Start(bool forceMpi)
    {
        if (JobLaunch.Current is JobLaunch launch)
        {
            return launch.Join(forceMpi);
        }

        // Outside Driver.Run (a command called directly): no handshake.
        if (MpiLaunch.Refusal(Environment.GetEnvironmentVariable, forceMpi) is string refusal)
        {
            throw new UsageException(refusal);
        }

        string? launcher = MpiLaunch.Launcher(Environment.GetEnvironmentVariable);
        return launcher is null && !forceMpi ? new SingleProcessJob() : MpiJob.Start(launcher ?? "--mpi");
    }

    /// <summary>
    /// Whether this process is rank 0 as far as the launcher's variables tell, before MPI starts:
    /// notes printed before the handshake, and errors when MPI could not start at all.
    /// </summary>
    public static bool IsLaunchRoot() =>
        RankVariables.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrEmpty(v)) is not string rank
        || rank == "0";
}
