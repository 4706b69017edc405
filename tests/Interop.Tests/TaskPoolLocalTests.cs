using Interop.Mpi;

namespace Interop.Tests;

/// <summary>
/// The task pool over one process's threads (TaskPool.MapLocal, what `interop pi --schedule dynamic`
/// uses without MPI, and what every rank's threads share under it): every item once, each thread's
/// tally adding up to the whole, a slow thread taking fewer chunks, and a failing chunk named.
/// </summary>
public sealed class TaskPoolLocalTests
{
    [TestCase(1000, 7, 1, false)]
    [TestCase(1000, 7, 3, false)]
    [TestCase(10, 1000, 2, false)]
    [TestCase(0, 5, 2, false)]
    [TestCase(1, 5, 4, false)]
    [TestCase(1000, 3, 3, true)]
    [TestCase(2, 1, 4, true)]
    public void EveryItemRunsOnceAndTheThreadsTallyAddsUp(long items, long chunk, int workers, bool guided)
    {
        long[] seen = new long[items];
        TaskPoolRun run = TaskPool.MapLocal(items, chunk, guided, (first, count) =>
        {
            for (long i = first; i < first + count; i++)
            {
                Interlocked.Increment(ref seen[i]);
            }
        }, workers);

        Assert.That(seen, Is.All.EqualTo(1));
        Assert.That(run.Items, Is.EqualTo(items));
        Assert.That(run.ThreadChunks, Has.Count.EqualTo(workers));
        Assert.That(run.ThreadChunks.Sum(), Is.EqualTo(run.Chunks));
        if (!guided)
        {
            Assert.That(run.Chunks, Is.EqualTo((items + chunk - 1) / chunk));
        }
    }

    [Test]
    public void ASlowThreadTakesFewerChunks()
    {
        // Worker 0 sleeps 20 ms a chunk, worker 1 2 ms: a static split would give each 60.
        TaskPoolRun run = TaskPool.MapLocal(120, 1, false, (_, _) =>
            Thread.Sleep(Thread.CurrentThread.Name == "task pool worker 0" ? 20 : 2), 2);
        Assert.That(run.ThreadChunks[0], Is.LessThan(run.ThreadChunks[1]));
        Assert.That(run.ThreadChunks[0], Is.LessThan(60));
    }

    [Test]
    public void AFailingChunkIsNamed()
    {
        var e = Assert.Throws<TaskPoolException>(() => TaskPool.MapLocal(100, 10, false, (first, _) =>
        {
            if (first == 50)
            {
                throw new InvalidOperationException("no good");
            }
        }, 2));
        Assert.That(e!.Message, Does.Contain("the chunk of items [50, 60) failed on rank 0").And.Contain("no good"));
    }
}
