using System.Runtime.InteropServices;

namespace Interop.Mpi.Tests;

/// <summary>A multi-byte record with padding, for the broadcasts and gathers: every field is rank-specific.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Record
{
    public long Id;
    public double Value;
    public int Rank;
    public short Tag;
    public byte Flag;

    public static Record For(int rank, int index) => new()
    {
        Id = (1L << 40) * (rank + 1) + index,
        Value = rank * 1.5 - index * 0.25,
        Rank = rank,
        Tag = (short)(rank * 100 + index),
        Flag = (byte)(rank * 7 + index),
    };

    public readonly bool SameAs(Record other) =>
        Id == other.Id && Value.Equals(other.Value) && Rank == other.Rank && Tag == other.Tag && Flag == other.Flag;

    public override readonly string ToString() => $"{{Id={Id}, Value={Value}, Rank={Rank}, Tag={Tag}, Flag={Flag}}}";
}
