using System.Runtime.InteropServices;
using Interop.Cli.Jobs;

namespace Interop.Tests;

/// <summary>
/// The single process's exchange (IJob.StartExchange, issue 25): its one block goes to itself, copied
/// at the offsets given, nothing else written; the arrays refused as the MPI job refuses them; and the
/// bytes an MPI rank counts as sent leave out its block to itself.
/// </summary>
public sealed unsafe class SingleProcessJobTests
{
    private const double Untouched = -1.5;

    [Test]
    public void TheExchangeCopiesItsOneBlockToTheReceiveOffset()
    {
        using var job = new SingleProcessJob();
        double* send = (double*)NativeMemory.Alloc(10, sizeof(double));
        double* receive = (double*)NativeMemory.Alloc(12, sizeof(double));
        try
        {
            for (int i = 0; i < 10; i++)
            {
                send[i] = 100 + i;
            }

            new Span<double>(receive, 12).Fill(Untouched);
            IExchange exchange = job.StartExchange(send, [6], [3], receive, [6], [5]);
            Assert.That(exchange.Test(), Is.True, "a single process has nothing to wait for");
            exchange.Wait();
            double[] expected = [Untouched, Untouched, Untouched, Untouched, Untouched, 103, 104, 105, 106, 107, 108, Untouched];
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
        IExchange exchange = job.StartExchange(null, [0], [0], null, [0], [0]);
        exchange.Wait();
    }

    [Test]
    public void TheExchangeRefusesArraysThatDoNotDescribeOneBlock()
    {
        using var job = new SingleProcessJob();
        double cell = 0;
        double* p = &cell;
        Assert.That(() => job.StartExchange(p, [1, 0], [0], p, [1], [0]), Throws.ArgumentException.With.Property("ParamName").EqualTo("sendCounts"));
        Assert.That(() => job.StartExchange(p, [1], [0], p, [1], []), Throws.ArgumentException.With.Property("ParamName").EqualTo("receiveOffsets"));
        Assert.That(() => job.StartExchange(p, [1], [0], p, [0], [0]), Throws.ArgumentException.With.Property("ParamName").EqualTo("receiveCounts"));
        Assert.That(() => job.StartExchange(p, [-1], [0], p, [-1], [0]), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => job.StartExchange(p, [1], [(long)int.MaxValue + 1], p, [1], [0]), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => job.StartExchange(null, [1], [0], p, [1], [0]), Throws.TypeOf<ArgumentNullException>().With.Property("ParamName").EqualTo("send"));
        Assert.That(cell, Is.Zero, "nothing was copied");
    }

    [Test]
    public void BytesSentLeaveOutTheBlockToItself()
    {
        Assert.That(ExchangeArguments.BytesSentToOthers(1, [2, 100, 3]), Is.EqualTo(5 * sizeof(double)));
        Assert.That(ExchangeArguments.BytesSentToOthers(0, [7]), Is.Zero);
    }
}
