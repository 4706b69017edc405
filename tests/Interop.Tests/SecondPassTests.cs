using Interop.Cli.Commands;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Tests;

/// <summary>The repeat policy's second pass: noisy points measured again, interleaved, within the budget.</summary>
[TestFixture]
public sealed class SecondPassTests
{
    private static readonly double[] Noisy = [0.1, 0.2, 0.3, 0.15, 0.25];
    private static readonly double[] Quiet = [0.2, 0.2, 0.2];

    private static (int[] Rounds, List<int> Calls) Run(IJob job, RepeatPolicy policy, List<double[]> points, Func<int, int, double[]> fresh, double budget, Func<int, bool>? everyRank = null)
    {
        var calls = new List<int>();
        int[] rounds = SecondPass.Run(job, policy, points, p => p, i =>
        {
            calls.Add(i);
            return fresh(i, calls.Count(c => c == i));
        }, everyRank ?? (_ => true), budget, p => "point", TextWriter.Null);
        return (rounds, calls);
    }

    [Test]
    public void NoisyPointsAreMeasuredAgainInTurnAndKeepTheQuieterMeasurement()
    {
        Assert.That(TimingStats.From(Noisy).IsNoisy, Is.True);
        Assert.That(TimingStats.From(Quiet).IsNoisy, Is.False);
        var points = new List<double[]> { Noisy, Quiet, Noisy };
        // Point 0 stays noisy (and its fresh runs are noisier still); point 2 comes out quiet at its first round.
        double[] noisier = [0.1, 0.5, 0.9];
        var (rounds, calls) = Run(new SingleProcessJob(), RepeatPolicy.Auto, points, (i, n) => i == 2 ? Quiet : noisier, budget: 100);
        Assert.That(calls, Is.EqualTo(new[] { 0, 2, 0 }), "round 1 over every noisy point, then round 2 over those still noisy");
        Assert.That(rounds, Is.EqualTo(new[] { SecondPass.MaxRounds, 0, 1 }));
        Assert.That(points[0], Is.SameAs(Noisy), "a noisier measurement does not replace a quieter one");
        Assert.That(points[2], Is.SameAs(Quiet));
    }

    [Test]
    public void FixedRepeatsAreExactlyWhatWasAskedFor()
    {
        var points = new List<double[]> { Noisy };
        var (rounds, calls) = Run(new SingleProcessJob(), RepeatPolicy.Fixed(5), points, (_, _) => Quiet, budget: 100);
        Assert.That(calls, Is.Empty);
        Assert.That(rounds, Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void TheBudgetBoundsTheSecondPass()
    {
        double firstPass = Noisy.Sum() * 2;
        // Room for one more measurement of one point: the second noisy point waits for a budget that never comes.
        var points = new List<double[]> { Noisy, Noisy };
        var (rounds, calls) = Run(new SingleProcessJob(), RepeatPolicy.Auto, points, (_, _) => Noisy, budget: firstPass + Noisy.Sum() + 1e-9);
        Assert.That(calls, Is.EqualTo(new[] { 0 }));
        Assert.That(rounds, Is.EqualTo(new[] { 1, 0 }));

        var none = Run(new SingleProcessJob(), RepeatPolicy.Auto, [Noisy], (_, _) => Quiet, budget: Noisy.Sum());
        Assert.That(none.Calls, Is.Empty, "a budget spent by the first pass");
    }

    [Test]
    public void RankZeroDecidesForThePointsEveryRankMeasures()
    {
        // Rank 1 sees a quiet point but rank 0 said "again": it measures with rank 0. A point only rank 0 measures is never asked of it.
        var job = new OtherRank(answer: 1);
        var (rounds, calls) = Run(job, RepeatPolicy.Auto, [Quiet, Quiet], (_, _) => Quiet, budget: 100, everyRank: i => i == 0);
        Assert.That(calls, Is.EqualTo(new[] { 0, 0 }));
        Assert.That(rounds, Is.EqualTo(new[] { 2, 0 }));
        Assert.That(job.Broadcasts, Is.EqualTo(SecondPass.MaxRounds), "one decision per round for the shared point");
    }

    [Test]
    public void TheNoteNamesThePointsMeasuredAgain()
    {
        Assert.That(SecondPass.Note([("pi c-openmp 1x2", 1, TimingStats.From(Quiet)), ("pi managed-serial 1x1", 0, TimingStats.From(Noisy))], 70),
            Is.EqualTo("measured 1 noisy point(s) again, interleaved, within the budget of 70 s of timed runs: pi c-openmp 1x2 1 round(s), now ±0.0% (each keeps its quietest measurement)"));
        Assert.That(SecondPass.Note([("x", 0, TimingStats.From(Noisy))], 70), Is.Null);
    }

    /// <summary>Rank 1 of 2: rank 0's broadcast answers are <c>answer</c>.</summary>
    private sealed class OtherRank(int answer) : IJob
    {
        public RankThreads? Heterogeneous => null;

        public int Broadcasts { get; private set; }

        public int Rank => 1;

        public int Size => 2;

        public string Description => "fake rank 1 of 2";

        public double TakeCommunicationSeconds() => 0;

        public long TakeBytesSent() => 0;

        public void Barrier()
        {
        }

        public unsafe IExchange StartExchange(
            double* send, long sendStride, long[] sendRows, long[] sendWidths, long[] sendOffsets, double* receive, long[] receiveCounts, long[] receiveOffsets) =>
            throw new NotSupportedException("the second pass never exchanges blocks");

        public long SumAll(long value) => value;

        public double MaxAll(double value) => value;

        public double[] GatherAll(ReadOnlySpan<double> values) => values.ToArray();

        public long[] GatherAll(long value) => [value];

        public byte[][] GatherAll(byte[] bytes) => [bytes];

        public int BroadcastFromRoot(int value)
        {
            Broadcasts++;
            return answer;
        }

        public void AbortAll(int exitCode)
        {
        }

        public Interop.Mpi.TaskPoolRun Map(long items, long chunk, bool guided, Action<long, long> body, int workers = 1) =>
            throw new NotSupportedException("the second pass never maps a task pool");

        public void Dispose()
        {
        }
    }
}
