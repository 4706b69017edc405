using System.Globalization;

namespace Interop.Cli.Jobs;

/// <summary>
/// Which ranks of an Open MPI job started interop, as far as this node can tell, so that a start-up
/// wait that runs out can name the ranks that never joined (a program in an MPMD job that is not
/// interop: `mpiexec -n 1 interop pi : -n 1 /bin/true`). MPI cannot say: Open MPI's MPI_Init waits
/// for every rank of the job and never returns while one of them does not call it. So every
/// interop rank leaves an empty file named after its rank, before MPI_Init, in the job's session
/// folder that mpiexec creates on each node and removes at the end of the job
/// (OMPI_MCA_orte_jobfam_session_dir). Ranks on other nodes cannot be seen; with no such folder
/// (another launcher) nothing is known and nothing is named.
/// </summary>
internal sealed class StartedRanks
{
    private const string Prefix = "interop-started-rank-";

    private readonly string? folder;

    private StartedRanks(string? folder, int rank, int size, int nodes)
    {
        this.folder = folder;
        Rank = rank;
        Size = size;
        Nodes = nodes;
    }

    /// <summary>This rank as the launcher numbered it (-1 when it did not say).</summary>
    public int Rank { get; }

    /// <summary>The ranks of the job as the launcher counted them (0 when it did not say).</summary>
    public int Size { get; }

    /// <summary>The nodes of the job (0 when the launcher did not say).</summary>
    public int Nodes { get; }

    /// <summary>Leaves this rank's mark (Open MPI only); never fails: without it, ranks are just not named.</summary>
    public static StartedRanks Mark(Func<string, string?> environment)
    {
        int Number(string name) =>
            int.TryParse(environment(name), NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : -1;

        int rank = Number("OMPI_COMM_WORLD_RANK");
        int size = Math.Max(0, Number("OMPI_COMM_WORLD_SIZE"));
        int nodes = Math.Max(0, Number("OMPI_MCA_orte_num_nodes"));
        string? folder = environment("OMPI_MCA_orte_jobfam_session_dir");
        if (rank < 0 || size == 0 || string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
        {
            return new StartedRanks(null, rank, size, nodes);
        }

        try
        {
            File.WriteAllBytes(Path.Combine(folder, Prefix + rank.ToString(CultureInfo.InvariantCulture)), []);
            return new StartedRanks(folder, rank, size, nodes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new StartedRanks(null, rank, size, nodes);
        }
    }

    /// <summary>The ranks of the job with no mark on this node (in order), or null when nothing is known.</summary>
    public int[]? Missing()
    {
        if (folder is null)
        {
            return null;
        }

        try
        {
            return [.. Enumerable.Range(0, Size).Where(r => !File.Exists(Path.Combine(folder, Prefix + r.ToString(CultureInfo.InvariantCulture))))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether this rank is the one to print a start-up failure: the lowest rank that started
    /// interop, as far as this node sees (every rank when nothing is known), so the job says it once.
    /// </summary>
    public bool ShouldReport(int[]? missing) =>
        missing is null || Enumerable.Range(0, Math.Max(0, Rank)).All(missing.Contains);

    /// <summary>
    /// "rank 1, which never started interop" and the like, for a wait that ran out at start-up;
    /// null when no rank can be named.
    /// </summary>
    public string? Describe(int[]? missing)
    {
        if (missing is null || missing.Length == 0)
        {
            return null;
        }

        string ranks = HandshakeVerdict.RankList(missing);
        return Nodes > 1
            ? $"{ranks}, not started as interop on this node (ranks on other nodes cannot be seen from here)"
            : $"{ranks}, which never started interop";
    }
}
