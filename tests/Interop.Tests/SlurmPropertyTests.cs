using CsCheck;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// Property tests of what interop reads from a Slurm allocation (issue 23): any values of the
/// SLURM_* variables give a thread count from 1 to <see cref="ThreadCount.Max"/> and an allocation
/// to show, or a usage error of one line naming a variable; a host list expands to its hosts or is
/// shown as given; `interop env` exits 0, or 2 with one line.
/// </summary>
[Category("Property")]
[NonParallelizable]
public sealed class SlurmPropertyTests
{
    private static readonly string[] Variables =
        ["SLURM_CPUS_ON_NODE", "SLURM_CPUS_PER_TASK", "SLURM_STEP_TASKS_PER_NODE", "SLURM_NODEID", "SLURM_JOB_CPUS_PER_NODE", "SLURM_NTASKS",
         "SLURM_STEP_NUM_TASKS", "SLURM_JOB_NODELIST", "SLURM_CPU_BIND_LIST", "SLURM_LOCALID"];

    /// <summary>Slurm's own forms, their near misses, and junk.</summary>
    private static readonly Gen<string> Value =
        Gen.Frequency(
            (3, Gen.OneOf(
                "0", "1", "2", "4", "64", "65536", "65537", "99999", "2(x3),1", "4(x2),8", "2(x3)", "(x3)", "2(x0)", "2x3", "1(x1000000)",
                "1(x1000001)", "n[1-2]", "vm", "n[01-10]", "0x3", "0x3,0xC", "0xZ", "", " ", "\t", "-1", "+2", "x", "1e3", "٤", "\n").Array[1, 3]
                .Select(parts => string.Concat(parts))),
            (1, Gen.String));

    private static readonly Gen<Dictionary<string, string>> Environments =
        from values in Value.Array[Variables.Length]
        from present in Gen.Bool.Array[Variables.Length]
        from inStep in Gen.Bool
        select Variables.Select((name, i) => (name, value: values[i], present: present[i]))
            .Where(v => v.present && !v.value.Contains('\0'))
            .Concat(inStep ? [("SLURM_STEP_ID", "0", true)] : [])
            .Append(("SLURM_JOB_ID", "42", true))
            .ToDictionary(v => v.Item1, v => v.Item2);

    private static void OneLineNamingAVariable(UsageException e)
    {
        Assert.That(e.Message, Does.StartWith("SLURM_").Or.StartWith("OMPI_"));
        Assert.That(e.Message, Does.Not.Contain('\n').And.Not.Contain('\r').And.Not.Contain('\u2028'), "one line");
    }

    [Test]
    public void AnyAllocationGivesACountOrOneLine() =>
        PropertyCheck.Run(Environments, env =>
        {
            Func<string, string?> get = name => env.GetValueOrDefault(name);
            try
            {
                // Only SLURM_CPUS_PER_TASK (rule 2) may give more than the CPUs this process may use.
                ThreadChoice choice = ThreadCount.Resolve(null, get, 8);
                Assert.That(choice.Threads, Is.InRange(1, choice.Source == "SLURM_CPUS_PER_TASK" ? ThreadCount.Max : 8));
            }
            catch (UsageException e)
            {
                OneLineNamingAVariable(e);
            }

            try
            {
                SlurmAllocation slurm = SlurmAllocation.Read(get)!;
                Assert.That(slurm.TasksOnNode, Is.GreaterThanOrEqualTo(1));
                Assert.That(slurm.ShareOfTask?.Cpus ?? 1, Is.GreaterThanOrEqualTo(1));
                Assert.That(Interop.Cli.EnvCommand.SlurmFacts(slurm).All(f => !f.Value.Contains('\n')), "each fact one line");
            }
            catch (UsageException e)
            {
                OneLineNamingAVariable(e);
            }
        }, suiteSeed: "slurm-allocation", suiteCases: 1000, print: env => string.Join(" ", env.Select(v => $"{v.Key}='{DisplayText.Printable(v.Value)}'")));

    /// <summary>Valid lists expand to exactly their hosts; any other text expands or gives null, never an exception.</summary>
    [Test]
    public void AnyHostListExpandsOrIsNull()
    {
        Gen<(string List, string[] Hosts)> valid =
            from prefix in Gen.OneOf("n", "gpu", "r1n", "node-")
            from low in Gen.Int[0, 120]
            from span in Gen.Int[0, 20]
            from width in Gen.Int[1, 4]
            from suffix in Gen.OneOf("", "-ib")
            let lowText = low.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0')
            select ($"{prefix}[{lowText}-{low + span}]{suffix}",
                Enumerable.Range(low, span + 1).Select(n => prefix + n.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(lowText.Length, '0') + suffix).ToArray());
        Gen<string> junk = Gen.OneOf("n", "1", "0", "[", "]", "-", ",", "x", " ", "99999999999", "[1-3]").Array[1, 8].Select(p => string.Concat(p));
        PropertyCheck.Run(Gen.Select(valid, junk, Gen.String), t =>
        {
            Assert.That(SlurmAllocation.ExpandHostList(t.Item1.List), Is.EqualTo(t.Item1.Hosts));
            foreach (string list in new[] { t.Item2, t.Item3 })
            {
                IReadOnlyList<string>? hosts = SlurmAllocation.ExpandHostList(list, 10_000);
                Assert.That(hosts is null || (hosts.Count is > 0 and <= 10_000 && hosts.All(h => h.Length > 0)), list);
            }
        }, suiteSeed: "slurm-hostlist", suiteCases: 1000);
    }

    /// <summary>`interop env` in process inside a fake job: exit 0, or 2 with one line naming a variable.</summary>
    [Test]
    public void EnvRunsOrRefusesWithOneLine()
    {
        string[] names = [.. Variables, "SLURM_STEP_ID", "SLURM_JOB_ID"];
        var saved = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        int[] exits = [0, 0];
        try
        {
            PropertyCheck.Run(Environments, env =>
            {
                foreach (string name in names)
                {
                    // SLURM_STEP_ID with SLURM_PROCID would be an srun launch; SLURM_PROCID is never set here.
                    Environment.SetEnvironmentVariable(name, env.GetValueOrDefault(name));
                }

                var (code, _, error) = Cli.Run("env", "--json");
                if (code == 0)
                {
                    exits[0]++;
                    return;
                }

                exits[1]++;
                Assert.That(code, Is.EqualTo(2), error);
                Assert.That(error, Does.Match("^interop: (SLURM_|OMPI_)"));
                Assert.That(error.TrimEnd('\n'), Does.Not.Contain('\n').And.Not.Contain('\r'), "one line");
            }, suiteSeed: "slurm-env", suiteCases: 40, runsDriver: true);
            Assert.That(exits, Has.All.GreaterThan(0), "the cases both run and refuse (exit 0, exit 2)");
        }
        finally
        {
            foreach ((string name, string? value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
