using System.Text;
using Interop.Core;

namespace Interop.Tests;

public sealed class NpyFileTests
{
    private static byte[] Npy(string dict, byte[] payload, int major = 1)
    {
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.Add((byte)major);
        bytes.Add(0);
        string header = dict + "\n";
        if (major == 1)
        {
            bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        }
        else
        {
            bytes.AddRange(BitConverter.GetBytes((uint)header.Length));
        }

        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        bytes.AddRange(payload);
        return [.. bytes];
    }

    private static byte[] Doubles(params double[] values) => [.. values.SelectMany(BitConverter.GetBytes)];

    [Test]
    public void WriteThenReadRoundTripsExactly()
    {
        double[] data = [1.5, -2.25, double.Epsilon, 1e300, 0.1, -0.0, 3, 4, 5];
        using var stream = new MemoryStream();
        NpyFile.WriteSquare(stream, data, 3);
        byte[] bytes = stream.ToArray();
        Assert.That((8 + 2 + BitConverter.ToUInt16(bytes, 8)) % 64, Is.Zero, "data starts 64-byte aligned, as NumPy writes it");
        (double[] back, int n) = NpyFile.ParseSquare(bytes, "x.npy");
        Assert.That(n, Is.EqualTo(3));
        Assert.That(back, Is.EqualTo(data));
    }

    [Test]
    public void FortranOrderIsTransposedToRowMajor()
    {
        byte[] file = Npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", Doubles(1, 2, 3, 4));
        (double[] data, _) = NpyFile.ParseSquare(file, "f.npy");
        Assert.That(data, Is.EqualTo(new double[] { 1, 3, 2, 4 }));
    }

    [Test]
    public void BigEndianAndVersion2HeadersAreRead()
    {
        byte[] payload = [.. Doubles(1, 2, 3, 4).Chunk(8).SelectMany(c => c.Reverse())];
        byte[] file = Npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", payload, major: 2);
        (double[] data, _) = NpyFile.ParseSquare(file, "b.npy");
        Assert.That(data, Is.EqualTo(new double[] { 1, 2, 3, 4 }));
    }

    [TestCase("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", "not a square matrix")]
    [TestCase("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", "not a square matrix")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", "not float64")]
    [TestCase("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", "not float64")]
    [TestCase("{'fortran_order': False, 'shape': (2, 2), }", "malformed")]
    [TestCase("{'descr': '<f8', 'fortran_order': False, 'shape': (a, b), }", "malformed shape")]
    [TestCase("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }", "truncated")]
    public void MalformedFilesAreUsageErrors(string dict, string expected)
    {
        byte[] file = Npy(dict, Doubles(1, 2, 3, 4));
        var e = Assert.Throws<UsageException>(() => NpyFile.ParseSquare(file, "bad.npy"));
        Assert.That(e!.Message, Does.StartWith("bad.npy: ").And.Contain(expected));
    }

    [Test]
    public void NotANpyFileOrATruncatedHeaderIsAUsageError()
    {
        Assert.That(Assert.Throws<UsageException>(() => NpyFile.ParseSquare("hello world"u8.ToArray(), "t.txt"))!.Message, Does.Contain("not a .npy file"));
        byte[] file = Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", Doubles(1));
        Assert.That(Assert.Throws<UsageException>(() => NpyFile.ParseSquare(file.AsSpan(0, 20), "short.npy"))!.Message, Does.Contain("truncated"));
    }

    [Test]
    public void AMissingFileIsAUsageError()
    {
        var e = Assert.Throws<UsageException>(() => NpyFile.ReadSquare("/nonexistent/a.npy"));
        Assert.That(e!.Message, Is.EqualTo("/nonexistent/a.npy: no such file"));
    }
}
