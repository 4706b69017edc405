using System.Text;

namespace Interop.Cli.Jobs;

/// <summary>FNV-1a of a string: string.GetHashCode differs between processes, and ranks must agree.</summary>
internal static class StableHash
{
    public static long Of(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 1099511628211UL);
        }

        return (long)hash;
    }

    /// <summary>
    /// Throws on every rank whose <paramref name="workload"/> differs from rank 0's: an MPMD launch
    /// (`mpiexec -n 1 interop ... : -n 1 interop ...`) with different options would otherwise
    /// compute a sum of unrelated pieces.
    /// </summary>
    public static void RequireSameOnAllRanks(IJob job, string workload)
    {
        long[] all = job.GatherAll(Of(workload));
        if (all[job.Rank] != all[0])
        {
            throw new InvalidOperationException($"this rank's workload options differ from rank 0's ({workload}); every rank must be given the same options");
        }
    }
}
