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

    private static byte[] BigEndian(params double[] values) => [.. Doubles(values).Chunk(8).SelectMany(c => c.Reverse())];

    /// <summary>
    /// Every spelling of float64 NumPy writes or reads (issue 20, class 18): '=' (native) and '|'
    /// (not applicable, which NumPy reads as native for float64) and none are this machine's order,
    /// as np.load reads them; '>' is swapped on read.
    /// </summary>
    [TestCase("<f8")]
    [TestCase("=f8")]
    [TestCase("|f8")]
    [TestCase("f8")]
    [TestCase("<d")]
    [TestCase("=d")]
    [TestCase("|d")]
    [TestCase("d")]
    [TestCase("float64")]
    [TestCase("double")]
    [TestCase(">f8")]
    [TestCase(">d")]
    public void EveryFloat64SpellingIsReadInItsByteOrder(string descr)
    {
        bool big = descr[0] == '>' || (descr[0] is not '<' && !BitConverter.IsLittleEndian);
        double[] values = [1.5, -2, 1e300, double.Epsilon];
        foreach (int major in new[] { 1, 2, 3 })
        {
            byte[] file = Npy($"{{'descr': '{descr}', 'fortran_order': False, 'shape': (2, 2), }}", big ? BigEndian(values) : Doubles(values), major);
            Assert.That(NpyFile.ParseSquare(file, "x.npy").Data, Is.EqualTo(values), $"{descr}, version {major}.0");
        }
    }

    [TestCase("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 2), }", true)]
    [TestCase("{'descr': '=f8', 'fortran_order': True, 'shape': (2, 2)}", false)]
    [TestCase("{\"shape\": (2,2), \"fortran_order\": True, \"descr\": \"|f8\"}", false)]
    public void FortranOrderInAnyByteOrderAndKeyOrderIsTransposed(string dict, bool big)
    {
        byte[] file = Npy(dict, big ? BigEndian(1, 2, 3, 4) : Doubles(1, 2, 3, 4), major: 3);
        Assert.That(NpyFile.ParseSquare(file, "f.npy").Data, Is.EqualTo(new double[] { 1, 3, 2, 4 }));
    }

    [TestCase("(2,2)")]
    [TestCase("(2, 2,)")]
    [TestCase("( 2 ,\t2 )")]
    [TestCase("(2L, 2L)")]
    public void EveryTupleFormOfTheShapeIsRead(string shape)
    {
        byte[] file = Npy($"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}", Doubles(1, 2, 3, 4));
        Assert.That(NpyFile.ParseSquare(file, "s.npy"), Is.EqualTo((new double[] { 1, 2, 3, 4 }, 2)));
    }

    [TestCase("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", "not a square matrix")]
    [TestCase("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", "not a square matrix")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", "not float64")]
    [TestCase("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", "not float64")]
    [TestCase("{'fortran_order': False, 'shape': (2, 2), }", "malformed")]
    [TestCase("{'descr': '<f8', 'fortran_order': False, 'shape': (a, b), }", "malformed shape")]
    [TestCase("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }", "truncated")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", "element type '<f4' is not float64")]
    [TestCase("{'descr': '>i8', 'fortran_order': False, 'shape': (2, 2), }", "element type '>i8' is not float64")]
    [TestCase("{'descr': '<c16', 'fortran_order': False, 'shape': (2, 2), }", "element type '<c16' is not float64")]
    [TestCase("{'descr': '>float64', 'fortran_order': False, 'shape': (2, 2), }", "element type '>float64' is not float64")]
    [TestCase("{'descr': '<f8 ', 'fortran_order': False, 'shape': (2, 2), }", "element type '<f8 ' is not float64")]
    [TestCase("{'descr': [('a', '<f8'), ('b', '<f8')], 'fortran_order': False, 'shape': (2,), }", "element type [('a', '<f8'), ('b', '<f8')] is not float64")]
    [TestCase("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), 'extra': 1}", "unexpected key 'extra'")]
    [TestCase("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2, 2)}", "'descr' given twice")]
    [TestCase("{'descr': '<f8', 'fortran_order': 1, 'shape': (2, 2)}", "fortran_order is 1, not True or False")]
    [TestCase("{'descr': '<f8', 'fortran_order': False, 'shape': (2)}", "malformed shape (2)")]
    [TestCase("{'descr': '<f8', 'fortran_order': False, 'shape': (-2, -2)}", "malformed shape")]
    [TestCase("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2)} junk", "text after the dict")]
    [TestCase("{'descr': '<f8', 'fortran_order': False 'shape': (2, 2)}", "expected ',' or '}'")]
    [TestCase("{'descr': '<f8\n', 'fortran_order': False, 'shape': (2, 2)}", "a line break inside a string")]
    public void MalformedFilesAreUsageErrors(string dict, string expected)
    {
        byte[] file = Npy(dict, Doubles(1, 2, 3, 4));
        var e = Assert.Throws<UsageException>(() => NpyFile.ParseSquare(file, "bad.npy"));
        Assert.That(e!.Message, Does.StartWith("bad.npy: ").And.Contain(expected).And.Not.Contain("\n"));
    }

    [Test]
    public void AnUnsupportedVersionOrDeeplyNestedHeaderIsAUsageError()
    {
        byte[] file = Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", Doubles(1));
        file[7] = 1;
        Assert.That(Assert.Throws<UsageException>(() => NpyFile.ParseSquare(file, "v.npy"))!.Message, Is.EqualTo("v.npy: unsupported .npy version 1.1"));

        // Nesting that would exhaust the stack of a recursive reader: refused, not a crash.
        string deep = new string('(', 30_000) + new string(')', 30_000);
        file = Npy($"{{'descr': {deep}, 'fortran_order': False, 'shape': (1, 1), }}", Doubles(1), major: 2);
        Assert.That(Assert.Throws<UsageException>(() => NpyFile.ParseSquare(file, "d.npy"))!.Message, Does.Contain("nested deeper than"));
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

/// <summary>
/// Files NumPy itself writes, in every layout np.save and np.lib.format produce (C and Fortran
/// order, little- and big-endian, versions 1.0, 2.0 and 3.0) and the native-order spellings '=f8'
/// and '|f8' (issue 20, class 18): each reads as the same matrix, and `interop inv --input` gives
/// the same inverse from each, which is NumPy's.
/// </summary>
public sealed class NpyNumPyFixtureTests : TempFolderTest
{
    private const string Script = """
        import sys, numpy as np
        from numpy.lib import format as fmt
        folder = sys.argv[1]
        n = 6
        a = np.array([[((i * 7 + j * 3) % 11) / 4.0 - 1.3 for j in range(n)] for i in range(n)]) + 9.0 * np.eye(n)
        np.save(f"{folder}/c.npy", a)
        np.save(f"{folder}/fortran.npy", np.asfortranarray(a))
        np.save(f"{folder}/big.npy", a.astype(">f8"))
        np.save(f"{folder}/big-fortran.npy", np.asfortranarray(a.astype(">f8")))
        for major in (2, 3):
            with open(f"{folder}/v{major}.npy", "wb") as f:
                fmt.write_array(f, a, version=(major, 0))
        c = open(f"{folder}/c.npy", "rb").read()
        for name, descr in (("native", b"'=f8'"), ("not-applicable", b"'|f8'")):
            open(f"{folder}/{name}.npy", "wb").write(c.replace(b"'<f8'", descr, 1))
            assert np.array_equal(np.load(f"{folder}/{name}.npy"), a)
        np.save(f"{folder}/numpy-inverse.npy", np.linalg.inv(a))
        """;

    private static readonly string[] Variants = ["c", "fortran", "big", "big-fortran", "v2", "v3", "native", "not-applicable"];

    [Test]
    public void EveryLayoutNumPyWritesReadsAsTheSameMatrixAndGivesTheSameInverse()
    {
        WriteFixtures();
        (double[] reference, int n) = NpyFile.ReadSquare(Path.Combine(Folder, "c.npy"));
        (double[] numpyInverse, _) = NpyFile.ReadSquare(Path.Combine(Folder, "numpy-inverse.npy"));
        double[]? firstInverse = null;
        foreach (string variant in Variants)
        {
            string input = Path.Combine(Folder, variant + ".npy");
            Assert.That(NpyFile.ReadSquare(input), Is.EqualTo((reference, n)), variant);
            string output = Path.Combine(Folder, variant + "-inverse.npy");
            var (code, _, error) = Cli.Run("inv", "--input", input, "--output", output);
            Assert.That(code, Is.Zero, $"{variant}: {error}");
            (double[] inverse, _) = NpyFile.ReadSquare(output);
            firstInverse ??= inverse;
            Assert.That(inverse, Is.EqualTo(firstInverse), $"{variant}: the same inverse as from c.npy");
            Assert.That(inverse, Is.EqualTo(numpyInverse).Within(1e-12), $"{variant}: NumPy's inverse");
        }
    }

    private void WriteFixtures()
    {
        foreach (string python in new[] { "/usr/bin/python3", "python3" })
        {
            var start = new System.Diagnostics.ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(Script);
            start.ArgumentList.Add(Folder);
            try
            {
                using var process = System.Diagnostics.Process.Start(start)!;
                string error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode == 0)
                {
                    return;
                }

                if (!error.Contains("No module named 'numpy'", StringComparison.Ordinal))
                {
                    Assert.Fail($"{python} failed writing the fixtures: {error}");
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed under this name: try the next
            }
        }

        Assert.Ignore("no python3 with NumPy here to write the fixtures (the byte-level tests above still run)");
    }
}
