namespace Interop.Core;

/// <summary>Split-apply-combine over dedicated threads: the managed counterpart of Pool.map.</summary>
public static class ParallelRanges
{
    /// <summary>
    /// Splits <paramref name="range"/> exactly into <paramref name="threads"/> parts, applies
    /// <paramref name="apply"/> to each on its own thread and returns the sum. The calling thread
    /// takes part 0; an exception on any thread is rethrown here. Each part is a trace span
    /// named <paramref name="spanName"/> when tracing is on.
    /// </summary>
    public static long SumOverThreads(IndexRange range, int threads, Func<IndexRange, long> apply, string spanName = "compute chunk")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        IndexRange[] parts = RangeSplitter.Split(range, threads);
        long[] sums = new long[threads];
        Exception?[] errors = new Exception?[threads];
        var workers = new Thread[threads - 1];
        for (int t = 1; t < threads; t++)
        {
            int index = t;
            workers[t - 1] = new Thread(() => Run(index)) { IsBackground = true, Name = $"interop-worker-{t}" };
            workers[t - 1].Start();
        }

        Run(0);
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        foreach (Exception? error in errors)
        {
            if (error is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            }
        }

        return sums.Sum();

        void Run(int index)
        {
            try
            {
                if (index > 0)
                {
                    Tracing.Lane = index;
                }

                using var span = Tracing.Span(spanName, "compute", parts[index].ToString());
                sums[index] = apply(parts[index]);
            }
            catch (Exception e)
            {
                errors[index] = e;
            }
        }
    }
}
