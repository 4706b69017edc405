using System.Runtime.CompilerServices;

namespace Interop.Core;

/// <summary>
/// The counter-based generator of docs/workload-spec.md: sample k of the stream
/// seeded s depends only on (s, k), so every split of the work reproduces the same numbers.
/// </summary>
public static class SplitMix64
{
    public const ulong Golden = 0x9E3779B97F4A7C15UL;
    public const ulong Mix1 = 0xBF58476D1CE4E5B9UL;
    public const ulong Mix2 = 0x94D049BB133111EBUL;

    /// <summary>SplitMix64's output function applied to counter <paramref name="k"/> of stream <paramref name="seed"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong seed, ulong k)
    {
        ulong z = unchecked(seed + ((k + 1) * Golden));
        z = unchecked((z ^ (z >> 30)) * Mix1);
        z = unchecked((z ^ (z >> 27)) * Mix2);
        return z ^ (z >> 31);
    }

    /// <summary>The uniform double in [0, 1) the spec derives from a sample: (z &gt;&gt; 11) * 2^-53.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToUnitDouble(ulong z) => (z >> 11) * (1.0 / (1UL << 53));
}
