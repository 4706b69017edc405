using ScottPlot;

namespace Interop.Cli.Compare;

/// <summary>
/// One fixed colour per backend, the same in every chart of every compare and report: the colour
/// follows the backend's name, never its place in a chart. Backends not listed here get one of the
/// remaining colours, chosen by a stable hash of the name.
/// </summary>
internal static class ChartPalette
{
    private static readonly Dictionary<string, Color> Known = new(StringComparer.Ordinal)
    {
        ["managed-serial"] = Color.FromHex("#8C564B"), // brown
        ["managed-parallel"] = Color.FromHex("#1F77B4"), // blue
        ["c-openmp"] = Color.FromHex("#FF7F0E"), // orange
        ["fortran-openmp"] = Color.FromHex("#2CA02C"), // green
        ["lapack"] = Color.FromHex("#D62728"), // red
        ["cpp-threads"] = Color.FromHex("#9467BD"), // purple
        ["rust-threads"] = Color.FromHex("#17BECF"), // cyan
        ["scalapack"] = Color.FromHex("#7F7F7F"), // grey
    };

    private static readonly Color[] Others = [.. new[] { "#E377C2", "#BCBD22", "#393B79", "#8C6D31" }.Select(Color.FromHex)];

    /// <summary>The colour of <paramref name="backend"/> (its name alone, without a "[path]" suffix).</summary>
    public static Color For(string backend)
    {
        if (Known.TryGetValue(backend, out Color color))
        {
            return color;
        }

        uint hash = 2166136261; // FNV-1a: stable across processes, unlike string.GetHashCode
        foreach (char c in backend)
        {
            hash = (hash ^ c) * 16777619;
        }

        return Others[hash % (uint)Others.Length];
    }

    /// <summary>
    /// The colour of a backend on one instruction-set path, in a chart with several paths: the
    /// backend's colour, lighter for the narrower paths (avx512 as is, avx2 lighter, scalar lightest).
    /// </summary>
    public static Color For(string backend, string? isa) => isa switch
    {
        "avx2" => For(backend).Lighten(0.3),
        "scalar" => For(backend).Lighten(0.55),
        _ => For(backend),
    };
}
