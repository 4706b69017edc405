using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Interop.Core;

/// <summary>
/// Square float64 matrices in NumPy's .npy format (versions 1.0, 2.0 and 3.0), so matrices move
/// to and from Python: np.save / np.load. Reads C or Fortran order and either byte order into a
/// pinned row-major buffer; writes version 1.0, little-endian, C order. A file that is not a square
/// float64 matrix is a <see cref="UsageException"/> naming what is wrong.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static (double[] Data, int N) ReadSquare(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot read: {e.Message}");
        }

        return ParseSquare(bytes, path);
    }

    public static (double[] Data, int N) ParseSquare(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
        {
            throw new UsageException($"{name}: not a .npy file (no \\x93NUMPY magic)");
        }

        int major = bytes[6];
        int headerLengthSize = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new UsageException($"{name}: unsupported .npy version {major}.{bytes[7]}"),
        };
        if (bytes.Length < 8 + headerLengthSize)
        {
            throw new UsageException($"{name}: truncated .npy header");
        }

        long headerLength = headerLengthSize == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        long dataOffset = 8 + headerLengthSize + headerLength;
        if (dataOffset > bytes.Length)
        {
            throw new UsageException($"{name}: truncated .npy header");
        }

        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes.Slice(8 + headerLengthSize, (int)headerLength));
        string descr = Field(DescrPattern(), header, "descr", name);
        bool fortranOrder = Field(FortranPattern(), header, "fortran_order", name) == "True";
        string shapeText = Field(ShapePattern(), header, "shape", name);

        bool bigEndian = descr switch
        {
            "<f8" => false,
            ">f8" => true,
            _ => throw new UsageException($"{name}: element type '{descr}' is not float64 ('<f8'); convert with a.astype(np.float64)"),
        };
        long[] shape = [.. shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v
                : throw new UsageException($"{name}: malformed shape ({shapeText})"))];
        if (shape.Length != 2 || shape[0] != shape[1])
        {
            throw new UsageException($"{name}: shape ({shapeText}) is not a square matrix");
        }

        if (shape[0] < 1 || shape[0] > SpecMatrix.MaxOrder)
        {
            throw new UsageException($"{name}: matrix order {shape[0]} is out of range (1 to {SpecMatrix.MaxOrder})");
        }

        int n = (int)shape[0];
        long payload = (long)n * n * sizeof(double);
        if (bytes.Length - dataOffset < payload)
        {
            throw new UsageException($"{name}: truncated: {n} x {n} float64 needs {payload} bytes of data, the file has {bytes.Length - dataOffset}");
        }

        double[] data = SpecMatrix.Allocate(n);
        ReadOnlySpan<byte> raw = bytes.Slice((int)dataOffset, (int)payload);
        raw.CopyTo(MemoryMarshal.AsBytes(data.AsSpan()));
        if (bigEndian == BitConverter.IsLittleEndian)
        {
            Span<long> words = MemoryMarshal.Cast<double, long>(data.AsSpan());
            BinaryPrimitives.ReverseEndianness(words, words);
        }

        if (fortranOrder)
        {
            TransposeInPlace(data, n);
        }

        return (data, n);
    }

    public static void WriteSquare(string path, ReadOnlySpan<double> data, int n)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
            WriteSquare(stream, data, n);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot write: {e.Message}");
        }
    }

    public static void WriteSquare(Stream stream, ReadOnlySpan<double> data, int n)
    {
        if (data.Length != (long)n * n)
        {
            throw new ArgumentException($"expected {n} x {n} elements, got {data.Length}");
        }

        // Version 1.0: magic, version, 2-byte header length, header padded with spaces to a
        // multiple of 64 bytes (NumPy's alignment) and ended by a newline.
        string dict = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({n}, {n}), }}";
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        int padding = (64 - (unpadded % 64)) % 64;
        string header = dict + new string(' ', padding) + "\n";
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(header));
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data));
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

    private static string Field(Regex pattern, string header, string key, string name)
    {
        Match m = pattern.Match(header);
        return m.Success ? m.Groups[1].Value.Trim() : throw new UsageException($"{name}: malformed .npy header (no '{key}')");
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
