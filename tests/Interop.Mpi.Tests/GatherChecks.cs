namespace Interop.Mpi.Tests;

/// <summary>Gather of records to every root, allgather, and both with empty blocks.</summary>
internal static class GatherChecks
{
    private const int RecordsPerRank = 3;

    public static void Register(CheckList checks, CollectiveContext context)
    {
        Communicator world = context.World;
        for (int root = 0; root < context.Size; root++)
        {
            int r = root;
            checks.Add($"gather records root={root}", () => Gather(world, context.Rank, context.Size, r));
        }

        checks.Add("allgather records", () => Allgather(world, context.Rank, context.Size));
        checks.Add("gather and allgather empty blocks", () => GatherEmpty(world, context.Size));
    }

    private static Record[] MyRecords(int rank) =>
        Enumerable.Range(0, RecordsPerRank).Select(i => Record.For(rank, i)).ToArray();

    private static string? CheckGathered(ReadOnlySpan<Record> all, int size)
    {
        for (int r = 0; r < size; r++)
        {
            for (int i = 0; i < RecordsPerRank; i++)
            {
                Record got = all[(r * RecordsPerRank) + i];
                if (!got.SameAs(Record.For(r, i)))
                {
                    return $"block of rank {r}, record {i} is {got}, expected {Record.For(r, i)}";
                }
            }
        }

        return null;
    }

    private static string? Gather(Communicator world, int rank, int size, int root)
    {
        Record[] receive = rank == root ? new Record[RecordsPerRank * size] : [];
        world.Gather<Record>(MyRecords(rank), receive, root);
        return rank == root ? CheckGathered(receive, size) : null;
    }

    private static string? Allgather(Communicator world, int rank, int size)
    {
        var receive = new Record[RecordsPerRank * size];
        world.Allgather<Record>(MyRecords(rank), receive);
        return CheckGathered(receive, size);
    }

    private static string? GatherEmpty(Communicator world, int size)
    {
        world.Gather(ReadOnlySpan<Record>.Empty, Span<Record>.Empty, size - 1);
        world.Allgather(ReadOnlySpan<long>.Empty, Span<long>.Empty);
        return null;
    }
}
