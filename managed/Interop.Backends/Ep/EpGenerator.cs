namespace Interop.Backends.Ep;

/// <summary>
/// NPB's random number generator (randlc/vranlc): x_{k+1} = a x_k mod 2^46 with a = 5^13, seed
/// 271828183, r = x 2^-46. NPB computes it in doubles split into 23-bit halves; on 64-bit words it is
/// exact as it stands: 2^46 divides 2^64, so the wrapping product masked to 46 bits is the product
/// mod 2^46, and every x (below 2^46) is exact in a double. Batch k of EP starts from
/// S a^(2^17 k) mod 2^46, reached by binary exponentiation (NPB's loop over the bits of k).
/// </summary>
public static class EpGenerator
{
    /// <summary>a = 5^13, NPB's multiplier.</summary>
    public const ulong Multiplier = 1_220_703_125;

    /// <summary>S, EP's seed.</summary>
    public const ulong Seed = 271_828_183;

    /// <summary>2^46 - 1: x mod 2^46 is x &amp; Mask.</summary>
    public const ulong Mask = (1UL << 46) - 1;

    /// <summary>2^-46: r = x Scale (exact: x has at most 46 bits).</summary>
    public const double Scale = 1.0 / (1UL << 46);

    /// <summary>MK: a batch is 2^16 pairs.</summary>
    public const int BatchBits = 16;

    /// <summary>Pairs per batch, 2^MK.</summary>
    public const int PairsPerBatch = 1 << BatchBits;

    /// <summary>Randoms per batch, 2^(MK+1): two per pair.</summary>
    public const long RandomsPerBatch = 2L * PairsPerBatch;

    /// <summary>
    /// Batches in the generator's period: the sequence repeats after 2^44 steps (a = 5 mod 8), so at
    /// most 2^44 / 2^17 = 2^27 batches draw distinct randoms.
    /// </summary>
    public const long MaxBatches = 1L << 27;

    /// <summary>One step: a x mod 2^46.</summary>
    public static ulong Next(ulong x) => unchecked(Multiplier * x) & Mask;

    /// <summary>NPB's randlc(x, a): steps <paramref name="x"/> and returns the new x times 2^-46.</summary>
    public static double Randlc(ref ulong x)
    {
        x = Next(x);
        return x * Scale;
    }

    /// <summary>NPB's vranlc(n, x, a, y): fills <paramref name="randoms"/> with the next values, stepping <paramref name="x"/> past them.</summary>
    public static void Vranlc(ref ulong x, Span<double> randoms)
    {
        for (int i = 0; i < randoms.Length; i++)
        {
            randoms[i] = Randlc(ref x);
        }
    }

    /// <summary><paramref name="factor"/>^<paramref name="exponent"/> mod 2^46, by binary exponentiation.</summary>
    public static ulong Power(ulong factor, ulong exponent)
    {
        ulong result = 1;
        ulong square = factor & Mask;
        for (; exponent != 0; exponent >>= 1)
        {
            if ((exponent & 1) != 0)
            {
                result = unchecked(result * square) & Mask;
            }

            square = unchecked(square * square) & Mask;
        }

        return result;
    }

    /// <summary>The state <paramref name="steps"/> steps after <paramref name="x"/>: a^steps x mod 2^46.</summary>
    public static ulong Jump(ulong x, ulong steps) => unchecked(Power(Multiplier, steps) * x) & Mask;

    /// <summary>The state batch <paramref name="batch"/> (0-based) starts from: S a^(2^17 batch) mod 2^46.</summary>
    public static ulong BatchSeed(long batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        return Jump(Seed, unchecked((ulong)batch * (ulong)RandomsPerBatch));
    }
}
