using System.Buffers.Binary;
using System.Text;
using CsCheck;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// Property tests of the .npy reader (issue 20): every valid way to write a float64 square matrix
/// reads as that matrix; any other file, made by mutating valid ones or from random header text,
/// is refused with one line naming the file (a <see cref="UsageException"/>, exit 2), never another
/// exception, a crash or a hang; and `interop inv --input` on such files exits 0 with an inverse
/// or 2 with exactly one line on stderr.
/// </summary>
[Category("Property")]
public sealed class NpyPropertyTests : TempFolderTest
{
    /// <summary>A float64 matrix written in one of the ways NumPy (or the format's specification) allows.</summary>
    internal sealed record Variant(int N, double[] Values, string Descr, bool Fortran, int Major, int[] KeyOrder, char Quote, string ShapeForm, string Space, int Padding)
    {
        private static readonly string[] Keys = ["descr", "fortran_order", "shape"];

        public bool BigEndian => Descr[0] == '>' || (Descr[0] is not '<' && !BitConverter.IsLittleEndian);

        public string Header
        {
            get
            {
                string shape = string.Format(ShapeForm, N);
                string[] values = [$"{Quote}{Descr}{Quote}", Fortran ? "True" : "False", shape];
                string[] entries = [.. KeyOrder.Select(k => $"{Quote}{Keys[k]}{Quote}:{Space}{values[k]}")];
                return "{" + string.Join("," + Space, entries) + "}" + new string(' ', Padding) + "\n";
            }
        }

        public byte[] Bytes()
        {
            var payload = new byte[Values.Length * 8];
            for (int k = 0; k < Values.Length; k++)
            {
                // Fortran order stores column after column: element (i, j) of the matrix goes to j * n + i.
                int at = Fortran ? ((k % N) * N) + (k / N) : k;
                Span<byte> slot = payload.AsSpan(at * 8, 8);
                if (BigEndian)
                {
                    BinaryPrimitives.WriteDoubleBigEndian(slot, Values[k]);
                }
                else
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(slot, Values[k]);
                }
            }

            return File(Header, payload, Major);
        }

        public override string ToString() => $"n={N} header={Header.TrimEnd()} version={Major}.0";
    }

    internal static byte[] File(string header, byte[] payload, int major)
    {
        byte[] text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(header);
        var bytes = new List<byte>(text.Length + payload.Length + 12) { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.Add((byte)major);
        bytes.Add(0);
        bytes.AddRange(major == 1 ? BitConverter.GetBytes((ushort)text.Length) : BitConverter.GetBytes((uint)text.Length));
        bytes.AddRange(text);
        bytes.AddRange(payload);
        return [.. bytes];
    }

    private static readonly string[] Float64Spellings = ["<f8", "=f8", "|f8", "f8", ">f8", "<d", ">d", "=d", "|d", "d", "float64", "double"];
    private static readonly string[] ShapeForms = ["({0}, {0})", "({0},{0})", "({0}, {0},)", "( {0} , {0} )", "({0},\t{0})"];
    private static readonly int[][] KeyOrders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

    private static Gen<double[]> Matrix(int n, bool invertible) =>
        (invertible ? Gen.Double[-1, 1] : Gen.Long.Select(BitConverter.Int64BitsToDouble).Where(double.IsFinite))
            .Array[n * n]
            .Select(a =>
            {
                if (invertible)
                {
                    for (int i = 0; i < n; i++)
                    {
                        a[(i * n) + i] += 2 * n; // strictly diagonally dominant: regular, well conditioned
                    }
                }

                return a;
            });

    internal static Gen<Variant> Variants(bool invertible) =>
        from n in Gen.Int[1, 6]
        from values in Matrix(n, invertible)
        from descr in Gen.OneOf(Float64Spellings)
        from fortran in Gen.Bool
        from major in Gen.Int[1, 3]
        from keys in Gen.OneOf(KeyOrders)
        from quote in Gen.OneOf('\'', '"')
        from shape in Gen.OneOf(ShapeForms)
        from space in Gen.OneOf(" ", "", "  ", "\t")
        from padding in Gen.Int[0, 70]
        select new Variant(n, values, descr, fortran, major, keys, quote, shape, space, padding);

    /// <summary>A valid file after 1 to 4 mutations, most in its header (where the reader decides).</summary>
    internal static Gen<byte[]> Mutated =>
        from variant in Variants(invertible: true)
        from mutations in Gen.Int[1, 4]
        from picks in Gen.Select(Gen.Int[0, 6], Gen.Int[0, int.MaxValue], Gen.Byte, Gen.OneOf("(){}[],:'\"\\\nL-+. \0\u0080\u00ff"u8.ToArray())).Array[mutations]
        select Mutate(variant.Bytes(), picks);

    private static byte[] Mutate(byte[] file, (int Kind, int Where, byte Random, byte Special)[] picks)
    {
        var bytes = new List<byte>(file);
        int headerEnd = Math.Min(bytes.Count, 10 + BitConverter.ToUInt16(file, 8));
        foreach ((int kind, int where, byte random, byte special) in picks)
        {
            if (bytes.Count == 0)
            {
                break;
            }

            int inHeader = where % Math.Max(1, headerEnd);
            int anywhere = where % bytes.Count;
            switch (kind)
            {
                case 0: bytes[anywhere] = random; break;
                case 1: bytes[inHeader % bytes.Count] = special; break;
                case 2: bytes.Insert(inHeader % bytes.Count, special); break;
                case 3: bytes.RemoveAt(inHeader % bytes.Count); break;
                case 4: bytes.RemoveRange(anywhere, bytes.Count - anywhere); break; // truncated
                case 5: bytes[Math.Min(bytes.Count - 1, 6 + (where % 6))] = random; break; // version and header length
                default: bytes[inHeader % bytes.Count] = (byte)(bytes[inHeader % bytes.Count] ^ (1 << (where % 8))); break;
            }
        }

        return [.. bytes];
    }

    private static readonly string[] Tokens =
    [
        "{", "}", "(", ")", "[", "]", ",", ":", " ", "\n", "\t", "'", "\"", "\\", "L", "-1", "0", "3", "99999999999999999999",
        "'descr'", "'shape'", "'fortran_order'", "\"descr\"", "True", "False", "None", "'<f8'", "'>f8'", "'=f8'", "'|f8'", "'<f4'",
        "(3, 3)", "(3,)", "()", "[('a', '<f8')]", "é", "\u2028", "\0",
    ];

    /// <summary>Header text of random tokens, inside a well-formed file with room for a 3 x 3 matrix.</summary>
    internal static Gen<byte[]> RandomHeaders =>
        from tokens in Gen.OneOf(Tokens).Array[0, 40]
        from major in Gen.Int[1, 3]
        select File(string.Concat(tokens), new byte[72], major);

    [Test]
    public void EveryValidSpellingOrderAndLayoutReadsAsTheMatrixWritten()
    {
        PropertyCheck.Run(Variants(invertible: false), variant =>
        {
            (double[] data, int n) = NpyFile.ParseSquare(variant.Bytes(), "p.npy");
            Assert.That(n, Is.EqualTo(variant.N));
            Assert.That(data, Is.EqualTo(variant.Values));
        }, suiteSeed: "npy-valid", suiteCases: 1000);
    }

    [Test]
    public void AMutatedFileIsReadOrRefusedWithOneLine()
    {
        PropertyCheck.Run(Mutated, ReadOrRefuse, suiteSeed: "npy-mutated", suiteCases: 1500, print: Convert.ToHexString);
    }

    [Test]
    public void RandomHeaderTextIsReadOrRefusedWithOneLine()
    {
        PropertyCheck.Run(RandomHeaders, ReadOrRefuse, suiteSeed: "npy-random-header", suiteCases: 1000, print: b => Encoding.Latin1.GetString(b));
    }

    /// <summary>
    /// `interop inv --input F --output G`, in process, on valid and mutated files: exit 0 with an
    /// inverse of what the reader reads from F, or exit 2 with exactly one line on stderr and no
    /// .NET exception text. A mutation of the data can leave a singular matrix, a runtime failure
    /// of the inversion (exit 1) that names it in one line; nothing else is allowed.
    /// </summary>
    [Test]
    public void InvOnValidAndMutatedFilesExitsZeroWithTheInverseOrTwoWithOneLine()
    {
        string input = Path.Combine(Folder, "in.npy");
        string output = Path.Combine(Folder, "out.npy");
        Gen<byte[]> files = Gen.Frequency((1, Variants(invertible: true).Select(v => v.Bytes())), (3, Mutated));
        PropertyCheck.Run(files, bytes =>
        {
            System.IO.File.WriteAllBytes(input, bytes);
            System.IO.File.Delete(output);
            var (code, _, error) = Cli.Run("inv", "--input", input, "--output", output);
            if (code == 0)
            {
                (double[] a, int n) = NpyFile.ReadSquare(input);
                (double[] x, int m) = NpyFile.ReadSquare(output);
                Assert.That(m, Is.EqualTo(n));
                Assert.That(ResidualOfProduct(a, x, n), Is.LessThan(1e-6), "A X = I");
                return;
            }

            Assert.That(error, Does.EndWith("\n").And.Not.Contain("Exception").And.Not.Contain("   at "), $"exit {code}");
            Assert.That(error.TrimEnd('\n'), Does.Not.Contain('\n').And.Not.Contain('\r'), $"exit {code}: one line");
            Assert.That(code == 2 || (code == 1 && error.Contains("singular", StringComparison.Ordinal)), $"exit {code}: {error}");
            Assert.That(System.IO.File.Exists(output), Is.False, "no output from a refused input");
        }, suiteSeed: "npy-inv", suiteCases: 60, print: Convert.ToHexString, runsDriver: true);
    }

    private static void ReadOrRefuse(byte[] bytes)
    {
        try
        {
            (double[] data, int n) = NpyFile.ParseSquare(bytes, "m.npy");
            Assert.That(data, Has.Length.EqualTo(n * n));
            Assert.That(data.All(double.IsFinite), "a matrix read is finite");
        }
        catch (UsageException e)
        {
            Assert.That(e.Message, Does.StartWith("m.npy: "));
            Assert.That(e.Message, Does.Not.Contain('\n').And.Not.Contain('\r'), "one line");
        }
    }

    // max |(A X - I)_ij| / (max |A| max |X|): small for a good inverse of any scale.
    private static double ResidualOfProduct(double[] a, double[] x, int n)
    {
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = i == j ? -1 : 0;
                for (int k = 0; k < n; k++)
                {
                    sum += a[(i * n) + k] * x[(k * n) + j];
                }

                worst = Math.Max(worst, Math.Abs(sum));
            }
        }

        double scale = Math.Max(1, a.Max(Math.Abs) * x.Max(Math.Abs));
        return worst / scale;
    }
}
