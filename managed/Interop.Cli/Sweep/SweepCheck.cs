using System.Globalization;
using Interop.Cli.Commands;
using Interop.Core;

namespace Interop.Cli.Sweep;

/// <summary>
/// Verifies a sweep before anything is printed or written: every task ran on exactly one rank (the
/// task queue gave back every task's count from exactly one rank, or failed, and the ranks' task
/// counts must add up to the tasks), every count lies in [0, N], and every task of at most
/// <see cref="SweepOptions.RecountLimit"/> darts, counted again by the reference backend, gives
/// exactly the same count (the counts are exact and reproducible for a seed and a dart range on
/// every backend). The first failure is the verdict.
/// </summary>
internal static class SweepCheck
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static (Verdict Verdict, string Line) Verify(SweepRun run)
    {
        SweepOptions options = run.Options;
        IReadOnlyList<SweepTask> tasks = options.Tasks;
        IReadOnlyList<long> inside = run.Inside;
        long ran = run.Ranks.Sum(r => r.Tasks);
        if (ran != tasks.Count)
        {
            return Failed(string.Create(Invariant, $"the ranks ran {ran} tasks between them, not the sweep's {tasks.Count}"));
        }

        int outside = Enumerable.Range(0, tasks.Count).FirstOrDefault(i => inside[i] < 0 || inside[i] > tasks[i].Darts, -1);
        if (outside >= 0)
        {
            return Failed(string.Create(Invariant, $"{options.Backend.Name} counted {inside[outside]} darts inside for task {Describe(tasks[outside])}, outside [0, {tasks[outside].Darts}]"));
        }

        int recounted = 0;
        for (int i = 0; i < tasks.Count; i++)
        {
            if (tasks[i].Darts > SweepOptions.RecountLimit)
            {
                continue;
            }

            long expected = options.Reference.CountInside(tasks[i].Seed, new IndexRange(0, tasks[i].Darts), 1);
            if (expected != inside[i])
            {
                return Failed(string.Create(Invariant, $"{options.Backend.Name} counted {inside[i]} darts inside for task {Describe(tasks[i])}, {options.Reference.Name} {expected}"));
            }

            recounted++;
        }

        string line = string.Create(Invariant,
            $"check: each of {tasks.Count:N0} tasks ran exactly once ({string.Join(", ", run.Ranks.Select(r => $"rank {r.Rank}: {r.Tasks:N0}"))}); every count in [0, darts]; " +
            $"{recounted:N0} task(s) of at most {SweepOptions.RecountLimit:N0} darts recounted by {options.Reference.Name}: all equal");
        return (Verdict.Ok, line);
    }

    private static (Verdict, string) Failed(string why) => (Verdict.Failed(why), $"check: FAILED: {why}");

    private static string Describe(SweepTask task) => string.Create(Invariant, $"(seed {task.Seed}, {task.Darts:N0} darts)");
}
