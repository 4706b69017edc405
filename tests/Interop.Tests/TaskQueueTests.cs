using Interop.Mpi;

namespace Interop.Tests;

/// <summary>
/// The task queue of one process (TaskQueue without a communicator, what `interop sweep` runs without
/// MPI): every submitted task run once, its result on its own Task in submission order, none and one
/// task, a failing task faulting every task of the run and named, and the assembly of the ranks'
/// results refusing a task back twice or never. The ranks' side: tests/Interop.Mpi.Tests QueueChecks.
/// </summary>
public sealed class TaskQueueTests
{
    [TestCase(100, 1, 1, false)]
    [TestCase(100, 1, 3, false)]
    [TestCase(100, 7, 2, false)]
    [TestCase(100, 1, 3, true)]
    public void EveryTaskRunsOnceAndItsResultComesBackInSubmissionOrder(int count, long chunk, int workers, bool guided)
    {
        var queue = new TaskQueue<Item, long>();
        int[] runs = new int[count];
        // Submitted in a shuffled order of ids, so that a result put at the wrong place shows.
        int[] ids = [.. Enumerable.Range(0, count).OrderBy(i => (i * 37) % count)];
        Task<long>[] results = [.. ids.Select(id => queue.Submit(new Item(id, 1000 + id)))];
        Assert.That(queue.Count, Is.EqualTo(count));

        TaskPoolRun run = queue.Run(item =>
        {
            Interlocked.Increment(ref runs[item.Id]);
            return item.Value * item.Value;
        }, workers, chunk, guided);

        Assert.That(runs, Is.All.EqualTo(1));
        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(TaskStatus.RanToCompletion));
        Assert.That(results.Select(r => r.Result), Is.EqualTo(ids.Select(id => (1000L + id) * (1000L + id))));
        Assert.That((run.Items, run.ThreadChunks.Count), Is.EqualTo(((long)count, workers)));
        Assert.That(queue.Count, Is.Zero, "a run takes the tasks it ran");
    }

    [Test]
    public void NoTasksRunNothingAndOneTaskRunsOnce()
    {
        var queue = new TaskQueue<Item, long>();
        int calls = 0;
        TaskPoolRun none = queue.Run(item => ++calls, workers: 2);
        Assert.That((none.Items, none.Chunks, calls), Is.EqualTo((0L, 0L, 0)));

        Task<long> one = queue.Submit(new Item(0, 41));
        TaskPoolRun run = queue.Run(item => item.Value + Interlocked.Increment(ref calls), workers: 4);
        Assert.That((one.Result, run.Items, calls), Is.EqualTo((42L, 1L, 1)));
    }

    [Test]
    public void TasksSubmittedAfterARunWaitForTheNext()
    {
        var queue = new TaskQueue<Item, long>();
        Task<long> first = queue.Submit(new Item(0, 1));
        queue.Run(item => item.Value);
        Task<long> second = queue.Submit(new Item(1, 2));
        Assert.That((first.IsCompleted, second.IsCompleted), Is.EqualTo((true, false)));
        queue.Run(item => item.Value * 10);
        Assert.That((first.Result, second.Result), Is.EqualTo((1L, 20L)));
    }

    [Test]
    public void AFailingTaskFaultsEveryTaskOfTheRunAndIsNamed()
    {
        var queue = new TaskQueue<Item, long>();
        Task<long>[] results = [.. Enumerable.Range(0, 20).Select(i => queue.Submit(new Item(i, i)))];
        var e = Assert.Throws<TaskPoolException>(() => queue.Run(item => item.Id == 13 ? throw new InvalidOperationException("no good") : item.Value, workers: 2));
        Assert.That(e!.Message, Does.Contain("the chunk of items [13, 14) failed on rank 0 (host ")
            .And.Contain("task 13 (Item { Id = 13, Value = 13 }): no good"));
        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(TaskStatus.Faulted));
        Assert.That(results.Select(r => r.Exception!.InnerException), Is.All.SameAs(e));
    }

    [Test]
    public void BadArgumentsLeaveTheTasksForALaterRun()
    {
        var queue = new TaskQueue<Item, long>();
        Task<long> pending = queue.Submit(new Item(0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Run(item => item.Value, workers: 0));
        Assert.That((pending.IsCompleted, queue.Count), Is.EqualTo((false, 1)));
        queue.Run(item => item.Value);
        Assert.That(pending.Result, Is.EqualTo(5));
    }

    // Two ranks' pairs: a task back twice, never, or beyond the tasks is refused.
    [Test]
    public void TheRanksResultsAreAssembledInTaskOrderEachExactlyOnce()
    {
        TaskQueue<Item, long>.Completed[] rank0 = [new(2, 20), new(0, 0), new(3, 30)];
        Assert.That(TaskQueue<Item, long>.Assemble(4, [rank0, [new(1, 10)]]), Is.EqualTo(new long[] { 0, 10, 20, 30 }));

        var twice = Assert.Throws<TaskPoolException>(() => TaskQueue<Item, long>.Assemble(4, [rank0, [new(1, 10), new(3, 31)]]));
        Assert.That(twice!.Message, Is.EqualTo("task queue: task 3 came back 2 times, not once"));
        var never = Assert.Throws<TaskPoolException>(() => TaskQueue<Item, long>.Assemble(4, [rank0[..2], [new(1, 10)]]));
        Assert.That(never!.Message, Is.EqualTo("task queue: task 3 came back 0 times, not once"));
        var beyond = Assert.Throws<TaskPoolException>(() => TaskQueue<Item, long>.Assemble(4, [rank0, [new(1, 10), new(4, 40)]]));
        Assert.That(beyond!.Message, Is.EqualTo("task queue: rank 1 returned a result for task 4, of 4 tasks"));
    }

    internal readonly record struct Item(int Id, long Value);
}
