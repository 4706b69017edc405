using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace Interop.Core;

/// <summary>
/// Square float64 matrices in NumPy's .npy format (versions 1.0, 2.0 and 3.0), so matrices move
/// to and from Python: np.save / np.load. Reads C or Fortran order and every spelling of float64
/// (<see cref="ByteOrder"/>; the header is read as NumPy reads it, <see cref="NpyHeader"/>) into a
/// pinned row-major buffer; writes version 1.0, little-endian, C order. A file that is not a square
/// float64 matrix is a <see cref="UsageException"/> naming what is wrong.
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The largest header accepted: NumPy writes a few hundred bytes; anything near this is not a matrix file.</summary>
    private const int MaxHeaderLength = 1 << 16;

    // Data moves in pieces of this many bytes: spans over more than 2 GiB do not exist.
    private const int Chunk = 1 << 24;

    /// <summary>
    /// Reads a square float64 matrix from a regular file, header first: a file whose header does not
    /// describe a square float64 matrix its length can hold is refused before the data is read.
    /// Files over 2 GiB are read in pieces (n up to <see cref="SpecMatrix.MaxOrder"/>).
    /// </summary>
    public static (double[] Data, int N) ReadSquare(string path)
    {
        InputFile.RequireRegular(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            return ReadSquare(stream, stream.Length, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot read: {e.Message}");
        }
    }

    /// <summary>Checks a file's header (type, shape, length) without reading its data: for validating input before any computing.</summary>
    public static int ReadOrder(string path)
    {
        InputFile.RequireRegular(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            return ReadHeader(stream, stream.Length, path).N;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot read: {e.Message}");
        }
    }

    /// <summary>
    /// Where a square float64 matrix lies in a regular file, read from its header alone (the checks of
    /// <see cref="ReadSquare(string)"/>, for orders up to <paramref name="maxOrder"/>): for reading it in place, piece by piece.
    /// </summary>
    public static Layout ReadLayout(string path, int maxOrder)
    {
        InputFile.RequireRegular(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            return ReadHeader(stream, stream.Length, path, maxOrder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot read: {e.Message}");
        }
    }

    public static (double[] Data, int N) ParseSquare(ReadOnlySpan<byte> bytes, string name)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        return ReadSquare(stream, stream.Length, name);
    }

    /// <summary>
    /// Reads a matrix of <paramref name="length"/> bytes from <paramref name="stream"/>. Every entry
    /// must be finite: NaN or infinity is bad input (named with its row and column), not a singular matrix.
    /// </summary>
    public static (double[] Data, int N) ReadSquare(Stream stream, long length, string name)
    {
        Layout header = ReadHeader(stream, length, name);
        int n = header.N;
        double[] data = SpecMatrix.Allocate(n);
        int perChunk = Chunk / sizeof(double);
        for (long start = 0; start < data.LongLength; start += perChunk)
        {
            int count = (int)Math.Min(perChunk, data.LongLength - start);
            stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan((int)start, count)));
        }

        if (header.BigEndian == BitConverter.IsLittleEndian)
        {
            Span<long> words = MemoryMarshal.Cast<double, long>(data.AsSpan());
            BinaryPrimitives.ReverseEndianness(words, words);
        }

        if (header.FortranOrder)
        {
            TransposeInPlace(data, n);
        }

        RequireFinite(data, n, name);
        return (data, n);
    }

    /// <summary>A square float64 matrix of order <see cref="N"/> in a file: its data from byte <see cref="DataOffset"/>, in this byte order and element order.</summary>
    public readonly record struct Layout(int N, long DataOffset, bool BigEndian, bool FortranOrder);

    private static Layout ReadHeader(Stream stream, long length, string name, int? maxOrder = null)
    {
        int largest = maxOrder ?? SpecMatrix.MaxOrder;
        Span<byte> prefix = stackalloc byte[12];
        if (length < 10 || stream.ReadAtLeast(prefix[..10], 10, throwOnEndOfStream: false) < 10 || !prefix[..6].SequenceEqual(Magic))
        {
            throw new UsageException($"{name}: not a .npy file (no \\x93NUMPY magic)");
        }

        int major = prefix[6];
        int headerLengthSize = (major, prefix[7]) switch
        {
            (1, 0) => 2,
            (2, 0) or (3, 0) => 4,
            _ => throw new UsageException($"{name}: unsupported .npy version {major}.{prefix[7]}"),
        };
        if (length < 8 + headerLengthSize)
        {
            throw new UsageException($"{name}: truncated .npy header");
        }

        if (headerLengthSize == 4)
        {
            stream.ReadExactly(prefix[10..12]);
        }

        long headerLength = headerLengthSize == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        long dataOffset = 8 + headerLengthSize + headerLength;
        if (dataOffset > length)
        {
            throw new UsageException($"{name}: truncated .npy header");
        }

        if (headerLength > MaxHeaderLength)
        {
            throw new UsageException($"{name}: .npy header of {headerLength} bytes is not a matrix header (at most {MaxHeaderLength})");
        }

        byte[] headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        NpyHeader.Fields fields = NpyHeader.Parse(header, pythonTwoLongs: major < 3, name);
        bool bigEndian = ByteOrder(fields.Descr, name);
        bool fortranOrder = fields.FortranOrder;
        long[] shape = fields.Shape;
        string shapeText = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        if (shape.Length != 2 || shape[0] != shape[1])
        {
            throw new UsageException($"{name}: shape ({shapeText}) is not a square matrix");
        }

        if (shape[0] < 1 || shape[0] > largest)
        {
            throw new UsageException($"{name}: matrix order {shape[0]} is out of range (1 to {largest})");
        }

        int n = (int)shape[0];
        long payload = (long)n * n * sizeof(double);
        if (length - dataOffset < payload)
        {
            throw new UsageException($"{name}: truncated: {n} x {n} float64 needs {payload} bytes of data, the file has {length - dataOffset}");
        }

        return new Layout(n, dataOffset, bigEndian, fortranOrder);
    }

    /// <summary>Throws a <see cref="UsageException"/> naming the first entry that is NaN or infinite.</summary>
    public static void RequireFinite(ReadOnlySpan<double> data, int n, string name)
    {
        int i = 0;
        // x - x is 0 for every finite x and NaN for NaN and both infinities: one vector test per block.
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<double>> blocks = MemoryMarshal.Cast<double, Vector<double>>(data);
            int block = 0;
            while (block < blocks.Length && Vector.EqualsAll(blocks[block] - blocks[block], Vector<double>.Zero))
            {
                block++;
            }

            i = block * Vector<double>.Count;
        }

        for (; i < data.Length; i++)
        {
            if (!double.IsFinite(data[i]))
            {
                string what = double.IsNaN(data[i]) ? "NaN" : data[i] > 0 ? "+infinity" : "-infinity";
                throw new UsageException($"{name}: entry ({i / n}, {i % n}) is {what}: the matrix must be finite");
            }
        }
    }

    /// <summary>Writes the matrix under a temporary name renamed to <paramref name="path"/> when complete (<see cref="OutputFile"/>).</summary>
    public static void WriteSquare(string path, double[] data, int n) =>
        OutputFile.Write(path, stream => WriteSquare(stream, data, n));

    public static void WriteSquare(Stream stream, ReadOnlySpan<double> data, int n)
    {
        if (data.Length != (long)n * n)
        {
            throw new ArgumentException($"expected {n} x {n} elements, got {data.Length}");
        }

        stream.Write(HeaderOf(n));
        WriteSquareRows(stream, data);
    }

    /// <summary>Rows of a matrix after its header (<see cref="HeaderOf"/>), as little-endian doubles: a matrix written piece by piece.</summary>
    public static void WriteSquareRows(Stream stream, ReadOnlySpan<double> data)
    {
        if (BitConverter.IsLittleEndian)
        {
            int perChunk = Chunk / sizeof(double);
            for (int start = 0; start < data.Length; start += perChunk)
            {
                stream.Write(MemoryMarshal.AsBytes(data.Slice(start, Math.Min(perChunk, data.Length - start))));
            }
        }
        else
        {
            Span<byte> b = stackalloc byte[8];
            foreach (double v in data)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(b, v);
                stream.Write(b);
            }
        }
    }

    /// <summary>
    /// The header <see cref="WriteSquare(Stream, ReadOnlySpan{double}, int)"/> writes for an n x n matrix, the data following it:
    /// version 1.0, magic, version, 2-byte header length, the dict padded with spaces to a multiple of
    /// 64 bytes (NumPy's alignment) and ended by a newline.
    /// </summary>
    public static byte[] HeaderOf(long n)
    {
        string dict = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({n}, {n}), }}";
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        int padding = (64 - (unpadded % 64)) % 64;
        string header = dict + new string(' ', padding) + "\n";
        byte[] bytes = new byte[Magic.Length + 2 + 2 + header.Length];
        Magic.CopyTo(bytes, 0);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.Latin1.GetBytes(header, bytes.AsSpan(10));
        return bytes;
    }

    private static void TransposeInPlace(double[] a, int n)
    {
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                (a[(i * n) + j], a[(j * n) + i]) = (a[(j * n) + i], a[(i * n) + j]);
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="descr"/>, the header's dtype, is big-endian float64; anything that is
    /// not float64 is a <see cref="UsageException"/> naming it. NumPy's spellings of float64: "f8"
    /// or "d", after a byte-order character: '<' little-endian, '>' big-endian, '=' native and '|'
    /// "not applicable", which NumPy reads as native for a multi-byte type (np.dtype('|f8') is
    /// float64); native, and no character at all, is this machine's order, as np.load reads it.
    /// The names "float64" and "double" are native float64 too.
    /// </summary>
    private static bool ByteOrder(NpyHeader.Value descr, string name)
    {
        string? text = descr.Kind == NpyHeader.Kind.String ? descr.Text : null;
        (char order, string type) = text switch
        {
            null => ('?', string.Empty),
            [('<' or '>' or '=' or '|') and char c, .. string rest] => (c, rest),
            _ => ('=', text),
        };
        bool float64 = type is "f8" or "d" || text is "float64" or "double";
        if (!float64)
        {
            string shown = descr.Kind == NpyHeader.Kind.String ? $"'{NpyHeader.Printable(descr.Text)}'" : NpyHeader.Printable(descr.Source);
            throw new UsageException($"{name}: element type {shown} is not float64 ('<f8'); convert with a.astype(np.float64)");
        }

        return order switch
        {
            '<' => false,
            '>' => true,
            _ => !BitConverter.IsLittleEndian,
        };
    }
}
