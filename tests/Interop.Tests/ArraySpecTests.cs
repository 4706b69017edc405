using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// Issue 25: the Dask example's spec (ArraySpec), y = x + xᵀ − mean(x, axis 0) with the column means
/// over fixed 256-row tiles, checked element by element (a SHA-256 of y's bytes) and by its checksum
/// against NumPy computing the spec independently: x from SplitMix64 in uint64 arithmetic, each tile's
/// sum with NumPy's row-order reduction over axis 0, the tiles added in order.
/// </summary>
public sealed class ArraySpecTests
{
    [TestCase(1, 42UL)]
    [TestCase(7, 0UL)]
    [TestCase(256, 42UL)] // one whole tile
    [TestCase(300, 42UL)] // a ragged second tile
    [TestCase(513, 7UL)] // three tiles, the last of one row
    public void YIsNumPysBitForBit(int n, ulong seed)
    {
        string python = InvCommandTests.FindPythonWithNumPy() ?? throw new IgnoreException("no python3 with numpy here (./build.sh test installs python3-numpy on Debian/Ubuntu)");
        double[] x = ArraySpec.GenerateX(n, seed);
        double[] y = ArraySpec.Evaluate(x, n);
        string expected = InvCommandTests.Python(python, string.Create(CultureInfo.InvariantCulture, $"""
            import hashlib, numpy as np
            n, s, u = {n}, np.uint64({seed}), np.uint64
            k = np.arange(n * n, dtype=u)
            z = s + (k + u(1)) * u(0x9E3779B97F4A7C15)
            z = (z ^ (z >> u(30))) * u(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> u(27))) * u(0x94D049BB133111EB)
            z = z ^ (z >> u(31))
            x = ((z >> u(11)).astype(np.float64) * 2.0 ** -53).reshape(n, n)
            m = np.zeros(n)
            for t in range(0, n, {ArraySpec.TileRows}):
                m = m + x[t:t + {ArraySpec.TileRows}].sum(axis=0)
            y = (x + x.T) - m / n
            print(hashlib.sha256(x.tobytes()).hexdigest(), hashlib.sha256(y.tobytes()).hexdigest(), int(y.view(u).sum(dtype=u)))
            """)).Trim();
        string actual = string.Join(' ', Sha256(x), Sha256(y), ArraySpec.Checksum(y).ToString(CultureInfo.InvariantCulture));
        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void SumOfYIsSumOfXToRounding()
    {
        const int n = 300;
        double[] x = ArraySpec.GenerateX(n, 42);
        double[] y = ArraySpec.Evaluate(x, n);
        // Σy = Σx + Σxᵀ − n Σm = 2Σx − Σx in real arithmetic.
        Assert.That(y.Sum(), Is.EqualTo(x.Sum()).Within(1e-9 * n * n));
        Assert.That(ArraySpec.X(42, n, 2, 5), Is.EqualTo(x[(2 * n) + 5]));
    }

    [Test]
    public void TheChecksumIgnoresTheOrderButNotTheBits()
    {
        double[] y = [1.5, -2.25, 3e300, double.Epsilon];
        double[] shuffled = [y[2], y[0], y[3], y[1]];
        Assert.That(ArraySpec.Checksum(shuffled), Is.EqualTo(ArraySpec.Checksum(y)));
        shuffled[0] = Math.BitIncrement(shuffled[0]);
        Assert.That(ArraySpec.Checksum(shuffled), Is.EqualTo(unchecked(ArraySpec.Checksum(y) + 1)));
    }

    [Test]
    public void XMustBeSquare() =>
        Assert.That(() => ArraySpec.ColumnMeans(new double[6], 3), Throws.ArgumentException.With.Message.Contains("not n x n = 9"));

    private static string Sha256(double[] values) => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())));
}
