using System.Runtime.InteropServices;
using System.Text.Json;
using Interop.Backends;
using Interop.Backends.ChunkedArray;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// The array workload's kernels on every backend that runs it (the managed ones, and each native row
/// whose table row names an "array" symbol and whose library this build has) and every path this
/// CPU has (as .NET and each library declare it): y bit for bit against the spec's plain loops
/// (<see cref="ArraySpec"/>, itself checked against NumPy), generated and in memory, whole and in
/// bands of rows with the transposed columns apart (as an MPI rank holds them), at ragged chunks and
/// 1..3 threads; the tiles' column sums; the generation; the checksum; and the same refusals.
/// </summary>
[NonParallelizable]
public sealed unsafe class ArrayKernelTests
{
    private const ulong Seed = 42;

    [TearDown]
    public void Restore() => IsaSwitch.Apply(Isa.Auto);

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(45)]
    [TestCase(300)]
    public void EveryBackendAndPathGivesTheSpecsYBitForBit(int n)
    {
        double[] x = ArraySpec.GenerateX(n, Seed);
        double[] m = ArraySpec.ColumnMeans(x, n);
        double[] expected = ArraySpec.Evaluate(x, n);
        ulong checksum = ArraySpec.Checksum(expected);
        int runs = 0;
        foreach ((IArrayKernel kernel, Isa path) in Kernels())
        {
            foreach (long chunk in new long[] { 1, 7, 32, n }.Where(c => c <= n && (c > 1 || n < 50)).Distinct())
            {
                for (int threads = 1; threads <= 3; threads++)
                {
                    string where = $"{kernel.Backend} {IsaNames.Name(path)}, n {n}, chunk {chunk}, {threads} thread(s)";
                    foreach (bool generated in new[] { true, false })
                    {
                        double[] y = new double[n * n];
                        ArrayPassResult r;
                        fixed (double* px = x, pm = m, py = y)
                        {
                            double* source = generated ? null : px;
                            r = kernel.Run(new ArrayCall(ArrayPass.Y, n, chunk, Seed, 0, n, source, n, source, n, pm, py, n), threads);
                        }

                        AssertSame(y, expected, n, 0, $"{where}, {(generated ? "generated" : "in memory")}");
                        Assert.That(r.Checksum, Is.EqualTo(checksum), where);
                        Assert.That(r.Sum, Is.EqualTo(x.Sum()).Within(1e-12 * n * n), where);
                        runs++;
                    }
                }

                Bands(kernel, x, m, expected, n, chunk, $"{kernel.Backend} {IsaNames.Name(path)}, n {n}, chunk {chunk}");
            }
        }

        Assert.That(runs, Is.GreaterThan(0));
    }

    [TestCase(1)]
    [TestCase(300)]
    [TestCase(600)]
    public void EveryBackendAndPathGivesTheTilesColumnSumsAndTheGeneratedRows(int n)
    {
        double[] x = ArraySpec.GenerateX(n, Seed);
        int tiles = (n + ArraySpec.TileRows - 1) / ArraySpec.TileRows;
        double[] expected = new double[tiles * n];
        for (int t = 0; t < tiles; t++)
        {
            for (int i = t * ArraySpec.TileRows; i < Math.Min(n, (t + 1) * ArraySpec.TileRows); i++)
            {
                for (int j = 0; j < n; j++)
                {
                    expected[(t * n) + j] += x[(i * n) + j];
                }
            }
        }

        foreach ((IArrayKernel kernel, Isa path) in Kernels())
        {
            string where = $"{kernel.Backend} {IsaNames.Name(path)}, n {n}";
            foreach (int firstTile in new[] { 0, tiles - 1 }.Distinct())
            {
                int begin = firstTile * ArraySpec.TileRows;
                foreach (bool generated in new[] { true, false })
                {
                    double[] sums = new double[(tiles - firstTile) * n];
                    fixed (double* px = x, ps = sums)
                    {
                        kernel.Run(new ArrayCall(ArrayPass.ColumnSums, n, 1, Seed, begin, n, generated ? null : px + ((long)begin * n), n, null, 0, null, ps, n), 2);
                    }

                    AssertSame(sums, expected.AsSpan(firstTile * n).ToArray(), n, firstTile, $"{where}: column sums from tile {firstTile}, {(generated ? "generated" : "in memory")}");
                }
            }

            int from = n / 3;
            double[] rows = new double[(n - from) * n];
            fixed (double* pr = rows)
            {
                kernel.Run(new ArrayCall(ArrayPass.Generate, n, Math.Min(5, n), Seed, from, n, null, n, null, 0, null, pr, n), 3);
            }

            AssertSame(rows, x.AsSpan(from * n).ToArray(), n, from, $"{where}: generated rows from {from}");
        }
    }

    [Test]
    public void EveryBackendRefusesWhatTheNativeAbiRefusesWithTheSameStatus()
    {
        double* buffer = (double*)NativeMemory.AllocZeroed(64, sizeof(double));
        (string What, int Status, Func<ArrayCall> Call, int Threads)[] cases =
        [
            ("pass 7", -1, () => Call((ArrayPass)7, 8, 2, 0, 8, false, false), 1),
            ("n 0", -2, () => Call(ArrayPass.Y, 0, 1, 0, 0, false, false), 1),
            ("chunk 0", -3, () => Call(ArrayPass.Y, 8, 0, 0, 8, false, false), 1),
            ("chunk past n", -3, () => Call(ArrayPass.Y, 8, 9, 0, 8, false, false), 1),
            ("rows backwards", -4, () => Call(ArrayPass.Y, 8, 2, 5, 4, false, false), 1),
            ("column sums off a tile", -4, () => Call(ArrayPass.ColumnSums, 600, 2, 100, 600, false, false), 1),
            ("x without xt", -6, () => Call(ArrayPass.Y, 8, 2, 0, 8, true, false), 1),
            ("generation given x", -6, () => Call(ArrayPass.Generate, 8, 2, 0, 8, true, true), 1),
            ("threads 0", -7, () => Call(ArrayPass.Y, 8, 2, 0, 8, false, false), 0),
        ];
        try
        {
            foreach ((string what, int status, Func<ArrayCall> call, int threads) in cases)
            {
                Assert.That(ArrayArguments.Status(call(), threads), Is.EqualTo(status), what);
                foreach ((IArrayKernel kernel, Isa _) in Kernels().DistinctBy(k => k.Kernel.Backend))
                {
                    Assert.Throws<ArgumentException>(() => kernel.Run(call(), threads), $"{kernel.Backend}: {what}");
                }
            }
        }
        finally
        {
            NativeMemory.Free(buffer);
        }

        ArrayCall Call(ArrayPass pass, long n, long chunk, long begin, long end, bool withX, bool withXt) =>
            new(pass, n, chunk, Seed, begin, end, withX ? buffer : null, n, withXt ? buffer : null, n, buffer, buffer, n);
    }

    // y in three bands of rows, each with its transposed columns in an array of its own, generated and from memory.
    private static void Bands(IArrayKernel kernel, double[] x, double[] m, double[] expected, int n, long chunk, string where)
    {
        ulong total = 0;
        foreach (IndexRange band in RangeSplitter.Split(new IndexRange(0, n), 3))
        {
            int rows = (int)band.Length;
            double[] xt = new double[n * Math.Max(rows, 1)];
            for (int j = 0; j < n; j++)
            {
                for (int i = 0; i < rows; i++)
                {
                    xt[(j * rows) + i] = x[(j * n) + (int)band.Begin + i];
                }
            }

            foreach (bool generated in new[] { true, false })
            {
                double[] y = new double[Math.Max(rows, 1) * n];
                ArrayPassResult r;
                fixed (double* px = x, pt = xt, pm = m, py = y)
                {
                    r = kernel.Run(new ArrayCall(ArrayPass.Y, n, chunk, Seed, band.Begin, band.End, generated ? null : px + (band.Begin * n), n,
                        generated ? null : pt, Math.Max(rows, 1), pm, py, n), 2);
                }

                AssertSame(y.AsSpan(0, rows * n).ToArray(), expected.AsSpan((int)band.Begin * n, rows * n).ToArray(), n, (int)band.Begin, $"{where}, band {band}, {(generated ? "generated" : "in memory")}");
                if (!generated)
                {
                    total = unchecked(total + r.Checksum);
                }
            }
        }

        Assert.That(total, Is.EqualTo(ArraySpec.Checksum(expected)), $"{where}: the bands' checksums add up to y's");
    }

    private static void AssertSame(double[] got, double[] expected, int n, int firstRow, string where)
    {
        ReadOnlySpan<long> a = MemoryMarshal.Cast<double, long>(got), b = MemoryMarshal.Cast<double, long>(expected);
        int k = a.Length == b.Length ? -1 : Math.Min(a.Length, b.Length);
        for (int i = 0; k < 0 && i < a.Length; i++)
        {
            k = a[i] != b[i] ? i : -1;
        }

        Assert.That(k, Is.EqualTo(-1), () => $"{where}: [{firstRow + (k / n)}][{k % n}] is {got[k]:R}, the spec's {expected[k]:R}");
    }

    // Every backend that runs the workload with its library built, on every path it and this CPU have, switched to it.
    private static IEnumerable<(IArrayKernel Kernel, Isa Path)> Kernels()
    {
        string[] built = BuiltLibraries();
        foreach (IBackend backend in ArrayKernels.Backends)
        {
            IArrayKernel kernel = ArrayKernels.For(backend)!;
            if (backend is NativeKernelBackend row && !built.Contains(row.Kernel.Info.Library.Name))
            {
                Assert.Throws<BackendUnavailableException>(kernel.EnsureAvailable, $"{backend.Name}: its library is not in this build");
                continue;
            }

            kernel.EnsureAvailable();
            IEnumerable<Isa> paths = backend switch
            {
                ManagedSerialBackend => [Isa.Scalar],
                NativeKernelBackend native => IsaNames.Paths.Where(p => ManagedIsa.Supports(p) && native.Kernel.Library.Runs(p)),
                _ => IsaNames.Paths.Where(ManagedIsa.Supports),
            };
            foreach (Isa path in paths)
            {
                IsaSwitch.Apply(path);
                Assert.That(kernel.Path, Is.EqualTo(path), backend.Name);
                yield return (kernel, path);
            }

            IsaSwitch.Apply(Isa.Auto);
        }
    }

    private static string[] BuiltLibraries()
    {
        string path = Path.Combine(Environment.GetEnvironmentVariable("INTEROP_NATIVE_DIR")!, "interop-native-build.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("kernel_libraries").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
