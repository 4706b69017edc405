using System.Diagnostics;
using System.Text;
using CsCheck;

namespace Interop.Tests;

/// <summary>
/// Runs a property over CsCheck generators, reproducibly: case i of a run draws from its own
/// random stream, derived from the seed and i only, so a failure names the seed and case that
/// reproduce it. The seed is the test's own unless INTEROP_PROPERTY_SEED gives one; the case count
/// the test's own unless INTEROP_PROPERTY_CASES gives one (<see cref="PropertyCases"/>). A case
/// that runs longer than <see cref="CaseLimit"/> fails the property as a hang.
/// </summary>
internal static class PropertyCheck
{
    public static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Runs <paramref name="property"/> on <paramref name="suiteCases"/> cases drawn from
    /// <paramref name="gen"/> (or as many as INTEROP_PROPERTY_CASES says; a hundredth of that, but
    /// never fewer than the suite's, where <paramref name="runsDriver"/>: a driver run costs a hundred
    /// reader calls and more).
    /// </summary>
    public static void Run<T>(Gen<T> gen, Action<T> property, string suiteSeed, int suiteCases, Func<T, string>? print = null, bool runsDriver = false)
    {
        string seed = PropertyCases.Seed ?? suiteSeed;
        int cases = PropertyCases.Iterations(suiteCases);
        if (runsDriver && cases != suiteCases)
        {
            cases = Math.Max(suiteCases, cases / 100);
        }

        ulong root = SeedValue(seed);
        print ??= value => value?.ToString() ?? "null";
        TestContext.Out.WriteLine($"property: {cases} case(s), seed '{seed}' (rerun with {PropertyCases.SeedVariable}='{seed}')");

        int current = -1;
        T? input = default;
        Exception? failure = null;
        var worker = new Thread(() =>
        {
            for (int i = 0; i < cases && failure is null; i++)
            {
                input = gen.Generate(new PCG(0, Mix(root + (ulong)i)), null!, out _);
                Volatile.Write(ref current, i);
                try
                {
                    property(input);
                }
                catch (Exception e)
                {
                    failure = e;
                    return;
                }
            }

            Volatile.Write(ref current, cases);
        }, maxStackSize: 16 << 20)
        { IsBackground = true, Name = "property" };

        var watch = Stopwatch.StartNew();
        int seen = -1;
        worker.Start();
        while (!worker.Join(TimeSpan.FromMilliseconds(200)))
        {
            int now = Volatile.Read(ref current);
            if (now != seen)
            {
                seen = now;
                watch.Restart();
            }
            else if (watch.Elapsed > CaseLimit)
            {
                Assert.Fail($"case {now} of {cases} (seed '{seed}') ran over {CaseLimit.TotalSeconds} s: a hang; input {Describe(print, input)}");
            }
        }

        if (failure is not null)
        {
            Assert.Fail($"case {current} of {cases} (seed '{seed}', rerun with {PropertyCases.SeedVariable}='{seed}') failed: " +
                $"{failure.GetType().Name}: {failure.Message}\ninput: {Describe(print, input)}");
        }
    }

    private static string Describe<T>(Func<T, string> print, T? input)
    {
        string text = input is null ? "null" : print(input);
        return text.Length > 4000 ? text[..4000] + "..." : text;
    }

    /// <summary>A number from any seed text: the number itself, else a hash of the text (FNV-1a, the same on every run).</summary>
    private static ulong SeedValue(string seed)
    {
        if (ulong.TryParse(seed, out ulong number))
        {
            return number;
        }

        ulong hash = 14695981039346656037;
        foreach (byte b in Encoding.UTF8.GetBytes(seed))
        {
            hash = (hash ^ b) * 1099511628211;
        }

        return hash;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
