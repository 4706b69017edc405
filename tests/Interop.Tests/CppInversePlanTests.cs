using Interop.Backends;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// The cpp-threads inversion plan through its SafeHandle (NativeInversePlan over libinterop_cpp, issue 11): create, run,
/// reuse and dispose; the library's statuses as the managed exceptions of the other backends.
/// </summary>
public sealed class CppInversePlanTests
{
    private const string Backend = "cpp-threads";

    private static readonly NativeKernel Kernel = new(NativeKernelTable.Default.Kernel(Backend));

    private static NativeInversePlan Create(int n, int threads) => NativeInversePlan.Create(Kernel, n, threads);

    // A well-conditioned matrix: uniform entries (seeded) plus n on the diagonal.
    private static double[] Matrix(int n, int seed)
    {
        var random = new Random(seed);
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                a[(i * n) + j] = random.NextDouble() + (i == j ? n : 0);
            }
        }

        return a;
    }

    private static void AssertInverse(double[] a, double[] x, int n) =>
        Assert.That(NativeInverse.Residual(a, x, n, 2), Is.LessThanOrEqualTo(30));

    [TestCase(1, 1)]
    [TestCase(7, 2)]
    [TestCase(130, 3)]
    public void CreateRunDispose(int n, int threads)
    {
        double[] a = Matrix(n, 1);
        double[] x = (double[])a.Clone();
        double[] c = (double[])a.Clone();
        using (var plan = Create(n, threads))
        {
            Assert.That((plan.Size, plan.Threads), Is.EqualTo((n, threads)));
            plan.Run(x);
        }

        AssertInverse(a, x, n);
        // The same algorithm as the C kernel: the same inverse (equal bits with the same compiler).
        new NativeKernel(NativeKernelTable.Default.Kernel("c-openmp")).Invert(c, n, threads, "c-openmp");
        Assert.That(x, Is.EqualTo(c).Within(1e-12 * c.Max(Math.Abs)));
    }

    [Test]
    public void OnePlanInvertsManyMatricesAndOutlivesAFailure()
    {
        const int N = 97;
        using var plan = Create(N, 2);
        for (int seed = 0; seed < 5; seed++)
        {
            double[] a = Matrix(N, seed);
            if (seed == 2)
            {
                // Column 40 of A zero: singular at step 40, and the plan is as good as before.
                for (int i = 0; i < N; i++)
                {
                    a[(i * N) + 39] = 0;
                }

                var singular = Assert.Throws<SingularMatrixException>(() => plan.Run(a))!;
                Assert.That((singular.Step, singular.Backend), Is.EqualTo((40, Backend)));
                continue;
            }

            double[] x = (double[])a.Clone();
            plan.Run(x);
            AssertInverse(a, x, N);
        }
    }

    [Test]
    public void SingularAndNonFiniteMatricesThrowTheFactorizationExceptions()
    {
        using var plan = Create(5, 2);
        Assert.That(Assert.Throws<SingularMatrixException>(() => plan.Run(new double[25]))!.Step, Is.EqualTo(1));
        double[] a = Matrix(5, 3);
        a[7] = double.NaN;
        Assert.Throws<NonFiniteFactorizationException>(() => plan.Run(a));
    }

    [Test]
    public void ADisposedPlanCannotRun()
    {
        var plan = Create(4, 2);
        plan.Dispose();
        plan.Dispose(); // twice is harmless
        Assert.Throws<ObjectDisposedException>(() => plan.Run(new double[16]));
    }

    [Test]
    public void BadArgumentsAreNamed()
    {
        var badSize = Assert.Throws<NativeKernelException>(() => Create(0, 1))!;
        Assert.That((badSize.Status, badSize.Message), Is.EqualTo((-1, "interop_cpp_inv_plan_create: argument 1 (n) was rejected")));
        var badThreads = Assert.Throws<NativeKernelException>(() => Create(3, 0))!;
        Assert.That(badThreads.Message, Does.Contain("(threads)"));

        using var plan = Create(3, 1);
        var wrongLength = Assert.Throws<ArgumentException>(() => plan.Run(new double[8]))!;
        Assert.That(wrongLength.Message, Does.Contain("3 x 3").And.Contain("got 8"));
    }

    [Test]
    public void AWorkspaceTooLargeForMemoryIsNoMemory()
    {
        // n = 10^6 needs 8 TB: the C++ side's std::bad_alloc, as a status, as an exception.
        var e = Assert.Throws<NativeKernelException>(() => Create(1_000_000, 1))!;
        Assert.That((e.Status, e.Message), Is.EqualTo((NativeStatus.NoMemory, "interop_cpp_inv_plan_create: not enough memory for the kernel's workspace")));
    }

    [Test]
    public void ACppExceptionArrivesWithItsMessage()
    {
        // A plan runs one inversion at a time: a second run meanwhile is a misuse, which the library
        // reports by a C++ exception (INTEROP_STATUS_INTERNAL) and its what() (interop_cpp_last_error).
        const int N = 400;
        double[] a = Matrix(N, 9);
        using var plan = Create(N, 1);
        NativeKernelException? clash = null;
        using var stop = new CancellationTokenSource();
        Task busy = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    plan.Run((double[])a.Clone());
                }
                catch (NativeKernelException e) when (e.Status == NativeStatus.Internal)
                {
                    // This one met the other run: the same clash, seen from this side.
                }
            }
        });
        for (int attempt = 0; attempt < 1000 && clash is null; attempt++)
        {
            try
            {
                plan.Run((double[])a.Clone());
            }
            catch (NativeKernelException e)
            {
                clash = e;
            }
        }

        stop.Cancel();
        busy.Wait();
        Assert.That(clash, Is.Not.Null, "no run ever met the other one");
        Assert.That(clash!.Status, Is.EqualTo(NativeStatus.Internal));
        Assert.That(clash.Message, Is.EqualTo(
            "interop_cpp_inv_plan_run: internal error in libinterop_cpp.so: interop_cpp_inv_plan_run: this plan is already running an inversion on another thread"));
    }

    [Test]
    public void TheBackendReusesOnePlanForMatricesOfOneOrderAndThreads()
    {
        var backend = BackendCatalog.Select<IInvBackend>(Backend).Single();
        double[] a = Matrix(64, 4);
        for (int i = 0; i < 3; i++)
        {
            double[] x = (double[])a.Clone();
            backend.Invert(x, 64, 2);
            AssertInverse(a, x, 64);
        }

        // Another order makes another plan; the answer is still checked.
        double[] b = Matrix(33, 5);
        double[] y = (double[])b.Clone();
        backend.Invert(y, 33, 2);
        AssertInverse(b, y, 33);
    }
}
