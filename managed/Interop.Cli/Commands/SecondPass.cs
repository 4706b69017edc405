using System.Globalization;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli.Commands;

/// <summary>
/// The repeat policy's second pass: after every point of a command was measured once, the points
/// that came out noisy (<see cref="TimingStats.IsNoisy"/>) are measured again, round by round, one
/// point after the other (so a passing disturbance does not hit every measurement of one backend,
/// as hyperfine and BenchmarkDotNet interleave), while the command's budget of timed seconds lasts.
/// Each point keeps the quieter of its measurements (the narrower confidence interval of the median)
/// and counts its rounds. Only automatic repeats do this: a fixed --repeat R is exactly R runs.
/// Rank 0 decides for a point that every rank measures, so every rank takes the same rounds.
/// </summary>
internal static class SecondPass
{
    /// <summary>At most this many re-measurements of one point.</summary>
    public const int MaxRounds = 2;

    /// <summary>
    /// The budget of a workload command (pi, inv, ep): the automatic repeats' time cap for every
    /// point, so that a command with its second pass still times at most what its points could have.
    /// </summary>
    public static double CommandBudget(int points) => points * SizeScale.Seconds(RepeatPolicy.AutoMaxSeconds);

    /// <summary>
    /// Measures the noisy ones of <paramref name="points"/> again in place (<paramref name="again"/>
    /// measures point i afresh) while timed seconds (<paramref name="seconds"/> of every measurement
    /// so far) stay within <paramref name="budgetSeconds"/>; returns each point's rounds.
    /// <paramref name="everyRank"/> says which points every rank measures (rank 0's decision is
    /// broadcast for them); a point that only rank 0 measures must not be asked of the others.
    /// </summary>
    public static int[] Run<T>(
        IJob job, RepeatPolicy policy, IList<T> points, Func<T, IReadOnlyList<double>> seconds, Func<int, T> again, Func<int, bool> everyRank,
        double budgetSeconds, Func<T, string> name, TextWriter? stderr)
    {
        int[] rounds = new int[points.Count];
        if (!policy.IsAuto)
        {
            return rounds;
        }

        double spent = points.Sum(p => seconds(p).Sum());
        for (int round = 1; round <= MaxRounds; round++)
        {
            for (int i = 0; i < points.Count; i++)
            {
                IReadOnlyList<double> before = seconds(points[i]);
                bool go = job.IsRoot && TimingStats.From(before).IsNoisy && budgetSeconds - spent >= before.Sum();
                if (everyRank(i))
                {
                    go = job.BroadcastFromRoot(go ? 1 : 0) == 1;
                }

                if (!go)
                {
                    continue;
                }

                T fresh = again(i);
                spent += seconds(fresh).Sum();
                rounds[i]++;
                if (Quieter(seconds(fresh), before))
                {
                    points[i] = fresh;
                }
            }
        }

        if (job.IsRoot && stderr is not null && Note([.. Enumerable.Range(0, points.Count).Select(i => (name(points[i]), rounds[i], TimingStats.From(seconds(points[i]))))], budgetSeconds) is string note)
        {
            Notices.Note(stderr, note);
        }

        return rounds;
    }

    /// <summary>
    /// A workload command's measure loop (pi, ep, array): every backend of <paramref name="backends"/> measured once
    /// by <paramref name="measure"/>, in order, with progress on stderr, then the noisy ones again (<see cref="Run"/>)
    /// within <see cref="CommandBudget"/>. Every rank measures every point; returns the points and their rounds.
    /// </summary>
    public static (List<T> Points, int[] Rounds) EveryBackend<TBackend, T>(
        IJob job, string workload, IReadOnlyList<TBackend> backends, Func<TBackend, T> measure, RepeatPolicy policy, Func<T, IReadOnlyList<double>> seconds,
        Func<T, string> name, TextWriter stderr)
        where TBackend : IBackend
    {
        var points = new List<T>(backends.Count);
        using (var progress = new BackendProgress(stderr, job.IsRoot, workload, backends.Count))
        {
            foreach (TBackend backend in backends)
            {
                progress.Starting(backend.Name);
                points.Add(measure(backend));
                progress.Done();
            }
        }

        // Every point runs on every rank: rank 0 decides which to measure again.
        int[] rounds = Run(job, policy, points, seconds, i => measure(backends[i]), _ => true, CommandBudget(points.Count), name, stderr);
        return (points, rounds);
    }

    /// <summary>"measured 2 noisy point(s) again ...: c-openmp 1x2 1 round(s), now ±3.1%, ...", or null when none was.</summary>
    public static string? Note(IReadOnlyList<(string Name, int Rounds, TimingStats Stats)> points, double budgetSeconds)
    {
        var again = points.Where(p => p.Rounds > 0).ToList();
        return again.Count == 0 ? null
            : $"measured {again.Count} noisy point(s) again, interleaved, within the budget of {budgetSeconds.ToString("0", CultureInfo.InvariantCulture)} s of timed runs: " +
              string.Join(", ", again.Select(p => $"{p.Name} {p.Rounds.ToString(CultureInfo.InvariantCulture)} round(s), now {p.Stats.CiText}")) +
              " (each keeps its quietest measurement)";
    }

    /// <summary>Whether <paramref name="fresh"/> pins its median closer than <paramref name="before"/> (no interval: not quieter).</summary>
    public static bool Quieter(IReadOnlyList<double> fresh, IReadOnlyList<double> before) =>
        TimingStats.From(fresh).RelativeCiHalfWidth is double now &&
        (TimingStats.From(before).RelativeCiHalfWidth is not double then || now < then);
}

/// <summary>A workload command's report with each point's second-pass rounds in its document (points in the order measured).</summary>
internal sealed class RemeasuredReport(IRunReport report, IReadOnlyList<int> rounds) : IRunReport
{
    public Verdict Verdict => report.Verdict;

    public Schema.ResultDocument Document()
    {
        Schema.ResultDocument document = report.Document();
        if (document.Points.Count != rounds.Count)
        {
            throw new InvalidOperationException($"{rounds.Count} point(s) measured but {document.Points.Count} in the document");
        }

        return document with { Points = [.. document.Points.Select((p, i) => p with { RemeasureRounds = rounds[i] })] };
    }

    public string CheckLine => report.CheckLine;

    public void WriteText(TextWriter output) => report.WriteText(output);
}
