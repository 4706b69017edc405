using CsCheck;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// Property tests of the thread-count variables (issue 20): any string in OMP_NUM_THREADS or
/// SLURM_CPUS_PER_TASK gives a thread count from 1 to <see cref="ThreadCount.Max"/>, the one the
/// variable states when it is valid, or a usage error of one line naming the variable; through the
/// driver, exit 0 or exit 2 with exactly one line on stderr.
/// </summary>
[Category("Property")]
[NonParallelizable]
public sealed class ThreadEnvironmentPropertyTests
{
    /// <summary>A value and the count it states (null: none, it must be refused or be valid by chance).</summary>
    internal sealed record Setting(string Value, int? Count)
    {
        public override string ToString() => $"'{DisplayText.Printable(Value, 200)}' (expected {Count?.ToString() ?? "refusal or any valid count"})";
    }

    private static readonly Gen<string> Space = Gen.OneOf("", "", " ", "  ", "\t");

    /// <summary>OpenMP's form: positive counts, one per nesting level, with spaces around them.</summary>
    private static readonly Gen<Setting> Valid =
        from counts in Gen.Int[1, ThreadCount.Max].Array[1, 3]
        from spaces in Space.Array[counts.Length * 2]
        select new Setting(string.Join(",", counts.Select((c, i) => spaces[2 * i] + c + spaces[(2 * i) + 1])), counts[0]);

    private static readonly Gen<Setting> Junk =
        from parts in Gen.OneOf(
            "0", "1", "4", "-1", "+2", "1024", "1025", "2147483648", "99999999999999999999", ",", ", ", " ", "\t", "\n", "\0", "x",
            "four", "4x", "0x10", "1e3", "4.0", "٤", "４", "\u2028", "\u00a0", "é", "\"", "'", "(x3)", "2(x3)").Array[1, 5]
        select new Setting(string.Concat(parts), null);

    private static readonly Gen<Setting> Values = Gen.Frequency((1, Valid), (2, Junk), (1, Gen.String.Select(s => new Setting(s, null))));

    private static void CheckResolve(string name, Setting setting)
    {
        Func<string, string?> environment = n => n == name ? setting.Value : null;
        try
        {
            ThreadChoice choice = ThreadCount.Resolve(null, environment, 8);
            Assert.That(choice.Threads, Is.InRange(1, ThreadCount.Max));
            if (setting.Count is int count && name == "OMP_NUM_THREADS")
            {
                Assert.That(choice, Is.EqualTo(new ThreadChoice(count, name)));
            }
        }
        catch (UsageException e)
        {
            Assert.That(setting.Count is null || name == "SLURM_CPUS_PER_TASK", $"a valid value was refused: {e.Message}");
            Assert.That(e.Message, Does.StartWith(name + "='"));
            Assert.That(e.Message, Does.Not.Contain('\n').And.Not.Contain('\r').And.Not.Contain('\u2028').And.Not.Contain('\0'), "one line");
        }
    }

    [Test]
    public void AnyOmpNumThreadsGivesItsCountOrOneLine() =>
        PropertyCheck.Run(Values, s => CheckResolve("OMP_NUM_THREADS", s), suiteSeed: "omp", suiteCases: 1000);

    [Test]
    public void AnySlurmCpusPerTaskGivesACountOrOneLine() =>
        PropertyCheck.Run(Values, s => CheckResolve("SLURM_CPUS_PER_TASK", s), suiteSeed: "slurm", suiteCases: 500);

    /// <summary>The driver itself, in process, with the variables set: exit 0, or 2 with one line naming the variable.</summary>
    [Test]
    public void TheDriverRunsOrRefusesWithOneLine()
    {
        string?[] saved = [Environment.GetEnvironmentVariable("OMP_NUM_THREADS"), Environment.GetEnvironmentVariable("SLURM_CPUS_PER_TASK")];
        try
        {
            PropertyCheck.Run(Gen.Select(Values, Values), pair =>
            {
                (Setting omp, Setting slurm) = pair;
                if (omp.Value.Contains('\0') || slurm.Value.Contains('\0'))
                {
                    return; // an environment variable cannot hold NUL
                }

                Environment.SetEnvironmentVariable("OMP_NUM_THREADS", omp.Value);
                Environment.SetEnvironmentVariable("SLURM_CPUS_PER_TASK", slurm.Value);
                var (code, _, error) = Cli.Run("pi", "--darts", "1000", "--backend", "managed-serial");
                if (code == 0)
                {
                    return;
                }

                Assert.That(code, Is.EqualTo(2), error);
                Assert.That(error, Does.Match("^interop: (OMP_NUM_THREADS|SLURM_CPUS_PER_TASK)='"));
                Assert.That(error.TrimEnd('\n'), Does.Not.Contain('\n').And.Not.Contain('\r'), "one line");
            }, suiteSeed: "thread-driver", suiteCases: 100, runsDriver: true);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OMP_NUM_THREADS", saved[0]);
            Environment.SetEnvironmentVariable("SLURM_CPUS_PER_TASK", saved[1]);
        }
    }
}
