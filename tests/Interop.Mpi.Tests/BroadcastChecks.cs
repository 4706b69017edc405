namespace Interop.Mpi.Tests;

/// <summary>Broadcast from every root (bytes, records, doubles), of 8 MiB, and of nothing.</summary>
internal static class BroadcastChecks
{
    public static void Register(CheckList checks, CollectiveContext context)
    {
        Communicator world = context.World;
        for (int root = 0; root < context.Size; root++)
        {
            int r = root;
            checks.Add($"broadcast root={root}", () => Broadcast(world, context.Rank, r));
        }

        checks.Add("broadcast 8 MiB", () => BroadcastLarge(world, context.Rank, context.Size - 1));
        checks.Add("broadcast empty", () => { world.Broadcast(Span<byte>.Empty, 0); return null; });
    }

    private static byte Pattern(int root, int k) => (byte)((root * 31) + (k * 7) + (k >> 8));

    private static string? Broadcast(Communicator world, int rank, int root)
    {
        // Bytes of an odd length, records and doubles: all from `root`, garbage elsewhere.
        byte[] bytes = new byte[1000 + 7 + root];
        for (int k = 0; k < bytes.Length; k++)
        {
            bytes[k] = rank == root ? Pattern(root, k) : (byte)0xEE;
        }

        var records = new Record[5];
        double[] doubles = new double[3];
        for (int k = 0; k < records.Length; k++)
        {
            records[k] = rank == root ? Record.For(root, k) : Record.For(-1, -1);
        }

        for (int k = 0; k < doubles.Length; k++)
        {
            doubles[k] = rank == root ? Math.PI * (root + k) : double.NaN;
        }

        world.Broadcast(bytes.AsSpan(), root);
        world.Broadcast(records.AsSpan(), root);
        world.Broadcast(doubles.AsSpan(), root);
        for (int k = 0; k < bytes.Length; k++)
        {
            if (bytes[k] != Pattern(root, k))
            {
                return $"byte {k} is {bytes[k]}, expected {Pattern(root, k)}";
            }
        }

        for (int k = 0; k < records.Length; k++)
        {
            if (!records[k].SameAs(Record.For(root, k)))
            {
                return $"record {k} is {records[k]}, expected {Record.For(root, k)}";
            }
        }

        for (int k = 0; k < doubles.Length; k++)
        {
            if (!doubles[k].Equals(Math.PI * (root + k)))
            {
                return $"double {k} is {doubles[k]}, expected {Math.PI * (root + k)}";
            }
        }

        return null;
    }

    private static string? BroadcastLarge(Communicator world, int rank, int root)
    {
        long[] data = new long[1 << 20];
        for (int k = 0; k < data.Length; k++)
        {
            data[k] = rank == root ? (k * 2654435761L) ^ root : -1;
        }

        world.Broadcast(data.AsSpan(), root);
        for (int k = 0; k < data.Length; k++)
        {
            if (data[k] != ((k * 2654435761L) ^ root))
            {
                return $"element {k} is {data[k]}";
            }
        }

        return null;
    }
}
