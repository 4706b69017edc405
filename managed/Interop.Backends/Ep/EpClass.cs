using Interop.Core;

namespace Interop.Backends.Ep;

/// <summary>
/// An EP problem size: 2^M pairs in 2^(M-16) batches. NPB's classes carry NPB's reference values
/// for both verification variants (NPB 3.3: signed sums; NPB 3.4.2+: sums of absolute values and
/// the pair count); a custom M (<see cref="Custom"/>) carries none and is unverified against NPB.
/// Values from NPB's own sources (verify.f90 of NPB 3.3.1 and NPB 3.4.2; /work/wt/EP-REFERENCE.md).
/// </summary>
public sealed record EpClass(string Name, int M, EpReference? Npb33, EpReference? Npb34)
{
    /// <summary>The smallest M: one batch.</summary>
    public const int MinM = EpGenerator.BatchBits;

    /// <summary>The largest M: 2^(M+1) randoms within the generator's period 2^44 (2^27 batches).</summary>
    public const int MaxM = 43;

    public static EpClass S { get; } = Npb("S", 24, -3.247834652034740e+3, -6.958407078382297e+3, 1.051299420395306e+07, 1.051517131857535e+07, 13_176_389);

    public static EpClass W { get; } = Npb("W", 25, -2.863319731645753e+3, -6.320053679109499e+3, 2.102505525182392e+07, 2.103162209578822e+07, 26_354_769);

    public static EpClass A { get; } = Npb("A", 28, -4.295875165629892e+3, -1.580732573678431e+4, 1.682235632304711e+08, 1.682195123368299e+08, 210_832_767);

    public static EpClass B { get; } = Npb("B", 30, 4.033815542441498e+4, -2.660669192809235e+4, 6.728927543423024e+08, 6.728951822504275e+08, 843_345_606);

    public static EpClass C { get; } = Npb("C", 32, 4.764367927995374e+4, -8.084072988043731e+4, 2.691444083862931e+09, 2.691519118724585e+09, 3_373_275_903);

    /// <summary>NPB's classes this workbench runs, smallest first (D and up exceed any sensible run here).</summary>
    public static IReadOnlyList<EpClass> All { get; } = [S, W, A, B, C];

    /// <summary>Pairs: 2^M.</summary>
    public long Pairs => 1L << M;

    /// <summary>Batches: 2^(M-16).</summary>
    public long Batches => 1L << (M - EpGenerator.BatchBits);

    /// <summary>NPB's operation count, 2^(M+1) randoms: Mop/s = this / seconds / 1e6.</summary>
    public double Operations => Math.ScaleB(1.0, M + 1);

    /// <summary>Whether NPB publishes reference values for this size.</summary>
    public bool IsNpbClass => Npb33 is not null;

    /// <summary>The class named <paramref name="name"/> (S, W, A, B, C; any case), or null.</summary>
    public static EpClass? Find(string? name) => All.FirstOrDefault(c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The class called <paramref name="name"/>; any other name is a usage error listing them.</summary>
    public static EpClass Named(string name) =>
        Find(name) ?? throw new UsageException($"unknown EP class '{DisplayText.Printable(name)}'; known: {string.Join(", ", All.Select(c => c.Name))}");

    /// <summary>
    /// The size M: NPB's class of that M when there is one (its reference values apply), else a custom
    /// size without reference values. M outside <see cref="MinM"/>..<see cref="MaxM"/> is a usage error.
    /// </summary>
    public static EpClass Custom(int m)
    {
        if (m < MinM || m > MaxM)
        {
            throw new UsageException($"EP size M {m} is out of range: {MinM}..{MaxM} (2^(M+1) randoms must stay within the generator's period 2^44)");
        }

        return All.FirstOrDefault(c => c.M == m) ?? new EpClass($"M={m}", m, null, null);
    }

    /// <summary>
    /// This size under INTEROP_SIZE_SCALE (<see cref="SizeScale"/>; itself when unset): an NPB class
    /// becomes the largest class of at most F times its pairs, or S, the smallest, so that a scaled run
    /// is still verified against NPB's values; a custom M becomes M + log2(F), rounded, at least
    /// <see cref="MinM"/>. Never larger than this size.
    /// </summary>
    public EpClass Scaled()
    {
        double f = SizeScale.Factor;
        if (f >= 1)
        {
            return this;
        }

        if (IsNpbClass)
        {
            return All.LastOrDefault(c => c.M <= M && c.Pairs <= Pairs * f) ?? All[0];
        }

        return Custom(Math.Clamp((int)Math.Round(M + Math.Log2(f)), MinM, M));
    }

    private static EpClass Npb(string name, int m, double sx33, double sy33, double sx34, double sy34, long pairs34) =>
        new(name, m, new EpReference(sx33, sy33, null), new EpReference(sx34, sy34, pairs34));
}

/// <summary>One NPB variant's reference values: sx, sy and (NPB 3.4.2+) the count of accepted pairs.</summary>
public sealed record EpReference(double Sx, double Sy, long? Pairs);
