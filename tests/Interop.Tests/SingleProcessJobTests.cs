using System.Runtime.InteropServices;
using Interop.Cli.Jobs;

namespace Interop.Tests;

/// <summary>
/// The single process's exchange (IJob.StartExchange, issue 25): its one block of rows goes to itself,
/// read with the stride and written one row after another at the offsets given, nothing else written;
/// the arrays refused as the MPI job refuses them; and the bytes an MPI rank counts as sent leave out
/// its block to itself.
/// </summary>
public sealed unsafe class SingleProcessJobTests
{
    private const double Untouched = -1.5;

    [Test]
    public void TheExchangeCopiesItsOneBlockOfRowsToTheReceiveOffset()
    {
        using var job = new SingleProcessJob();
        double* send = (double*)NativeMemory.Alloc(20, sizeof(double));
        double* receive = (double*)NativeMemory.Alloc(12, sizeof(double));
        try
        {
            for (int i = 0; i < 20; i++)
            {
                send[i] = 100 + i;
            }

            // Three rows of two, five apart, from element 3: 103 104, 108 109, 113 114.
            new Span<double>(receive, 12).Fill(Untouched);
            IExchange exchange = job.StartExchange(send, 5, [3], [2], [3], receive, [6], [5]);
            Assert.That(exchange.Test(), Is.True, "a single process has nothing to wait for");
            exchange.Wait();
            double[] expected = [Untouched, Untouched, Untouched, Untouched, Untouched, 103, 104, 108, 109, 113, 114, Untouched];
            Assert.That(new Span<double>(receive, 12).ToArray(), Is.EqualTo(expected));
            Assert.That(exchange.Wait, Throws.TypeOf<ObjectDisposedException>(), "Wait is called once");
            Assert.That(job.TakeBytesSent(), Is.Zero, "nothing leaves a single process");
            Assert.That(job.TakeCommunicationSeconds(), Is.Zero);
        }
        finally
        {
            NativeMemory.Free(send);
            NativeMemory.Free(receive);
        }
    }

    [Test]
    public void AnEmptyBlockNeedsNoBuffers()
    {
        using var job = new SingleProcessJob();
        job.StartExchange(null, 0, [0], [0], [0], null, [0], [0]).Wait();
        job.StartExchange(null, 7, [4], [0], [0], null, [0], [0]).Wait();
    }

    [Test]
    public void TheExchangeRefusesArraysThatDoNotDescribeOneBlock()
    {
        using var job = new SingleProcessJob();
        double cell = 0;
        double* p = &cell;
        Assert.That(() => job.StartExchange(p, 1, [1, 0], [1], [0], p, [1], [0]), Throws.ArgumentException.With.Property("ParamName").EqualTo("sendRows"));
        Assert.That(() => job.StartExchange(p, 1, [1], [], [0], p, [1], [0]), Throws.ArgumentException.With.Property("ParamName").EqualTo("sendWidths"));
        Assert.That(() => job.StartExchange(p, 1, [1], [1], [0], p, [1], []), Throws.ArgumentException.With.Property("ParamName").EqualTo("receiveOffsets"));
        Assert.That(() => job.StartExchange(p, 1, [1], [1], [0], p, [0], [0]), Throws.ArgumentException.With.Property("ParamName").EqualTo("receiveCounts"));
        Assert.That(() => job.StartExchange(p, 1, [-1], [1], [0], p, [-1], [0]), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => job.StartExchange(p, -1, [1], [1], [0], p, [1], [0]), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("sendStride"));
        Assert.That(() => job.StartExchange(p, 1, [1], [(long)int.MaxValue + 1], [0], p, [1], [0]), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("sendWidths"));
        Assert.That(() => job.StartExchange(p, 1, [1], [1], [(long.MaxValue / sizeof(double)) + 1], p, [1], [0]), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("sendOffsets"));
        Assert.That(() => job.StartExchange(null, 1, [1], [1], [0], p, [1], [0]), Throws.TypeOf<ArgumentNullException>().With.Property("ParamName").EqualTo("send"));
        Assert.That(cell, Is.Zero, "nothing was copied");
    }

    [Test]
    public void BytesSentLeaveOutTheBlockToItself()
    {
        Assert.That(ExchangeArguments.BytesSentToOthers(1, [2, 100, 3], [5, 7, 4]), Is.EqualTo(22 * sizeof(double)));
        Assert.That(ExchangeArguments.BytesSentToOthers(0, [7], [3]), Is.Zero);
    }
}
