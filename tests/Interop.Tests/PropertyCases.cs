using System.Globalization;

namespace Interop.Tests;

/// <summary>
/// How many cases a property test runs, and from which seed: the suite's own (a fixed count and
/// seed in each test, so `./build.sh test` is reproducible) unless the environment says otherwise.
/// <c>INTEROP_PROPERTY_CASES</c> (a positive integer) replaces every property's case count;
/// <c>INTEROP_PROPERTY_SEED</c> (any text, printed by `./build.sh fuzz` and by a failing property)
/// replaces every property's seed, so a failure seen once is reproduced by setting it.
/// </summary>
internal static class PropertyCases
{
    public const string CasesVariable = "INTEROP_PROPERTY_CASES";
    public const string SeedVariable = "INTEROP_PROPERTY_SEED";

    /// <summary>The number of cases to run: <c>INTEROP_PROPERTY_CASES</c> when set, else <paramref name="suiteDefault"/>.</summary>
    public static int Iterations(int suiteDefault)
    {
        string? text = Environment.GetEnvironmentVariable(CasesVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return suiteDefault;
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int cases) && cases > 0
            ? cases
            : throw new ArgumentException($"{CasesVariable}='{text}' is not a positive number of cases");
    }

    /// <summary>The seed <c>INTEROP_PROPERTY_SEED</c> gives, or null: each property then uses its own fixed seed.</summary>
    public static string? Seed =>
        Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } seed ? seed.Trim() : null;
}
