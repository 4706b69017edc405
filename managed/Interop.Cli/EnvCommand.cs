using System.CommandLine;
using System.Globalization;
using System.Text;
using Interop.Cli.Jobs;
using Interop.Core;
using Interop.Native;

namespace Interop.Cli;

/// <summary>
/// `interop env`: the environment block alone, then where every rank and thread runs (like the
/// HPC tool xthi) and warnings about thread settings that fight each other. This answers the
/// lesson's "how does the pool know how many CPUs to take?".
/// </summary>
internal static class EnvCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        Option<bool> json = SharedOptions.Json("Print one JSON document on stdout instead of text.");
        Option<string?> threads = SharedOptions.Threads("Threads per rank to place (default: " + ThreadCount.Rules + ")");
        Option<bool> mpi = SharedOptions.Mpi();
        Option<string?> isa = IsaRequest.CreateOption();
        var command = new Command("env", "Print the machine, runtimes, libraries and thread settings that results depend on, and where each rank and thread runs.")
        {
            json, threads, isa, mpi,
        }.Example("interop env --threads 2");
        command.SetAction(parsed => Driver.Guard(stderr, () =>
        {
            ThreadChoice choice = SharedOptions.ParseThreads(parsed.GetValue(threads));
            SlurmAllocation? slurm = SlurmAllocation.Read(Environment.GetEnvironmentVariable);
            bool asJson = parsed.GetValue(json);
            IsaRequest.Apply(parsed.GetValue(isa));
            using IJob job = JobFactory.Start(parsed.GetValue(mpi));
            return Driver.RunInJob(job, stderr, () =>
            {
                string[] placement = Gather(job, ThreadLines(job, choice.Threads));
                Placement.Warn(job, choice.Threads, stderr);
                if (!job.IsRoot)
                {
                    return Driver.Success;
                }

                foreach (string warning in Warnings(choice, Environment.GetEnvironmentVariable, Environment.ProcessorCount))
                {
                    Commands.Notices.Warn(stderr, warning);
                }

                if (asJson)
                {
                    JsonReport.Write(stdout, w =>
                    {
                        JsonReport.WriteEnvironment(w);
                        w.WriteString("job", job.Description);
                        if (slurm is not null)
                        {
                            w.WriteStartObject("slurm");
                            foreach ((string key, string value) in SlurmFacts(slurm))
                            {
                                w.WriteString(key, value);
                            }

                            w.WriteEndObject();
                        }

                        w.WriteStartArray("placement");
                        foreach (string line in placement)
                        {
                            w.WriteStringValue(line);
                        }

                        w.WriteEndArray();
                    });
                    return Driver.Success;
                }

                var facts = EnvironmentInfo.Collect();
                int width = facts.Max(f => f.Key.Length);
                foreach ((string key, string? value) in facts)
                {
                    stdout.WriteLine($"{key.PadRight(width)}  {value ?? "unknown"}");
                }

                stdout.WriteLine($"{"job".PadRight(width)}  {job.Description}, {job.Size} rank(s), {choice.Threads} thread(s) per rank (from {choice.Source})");
                if (job is MpiJob && JobLaunch.Current?.Hosts is IReadOnlyList<Schema.HostRanks> hosts)
                {
                    // Each rank's own host name, as results.json's provenance.hosts records them.
                    stdout.WriteLine($"{"hosts".PadRight(width)}  {Schema.HostRanks.Describe(hosts)}");
                }

                if (slurm is not null)
                {
                    stdout.WriteLine("slurm (the allocation of this job, from its SLURM_* variables):");
                    var lines = SlurmFacts(slurm);
                    int slurmWidth = lines.Max(f => f.Key.Length);
                    foreach ((string key, string value) in lines)
                    {
                        stdout.WriteLine($"  {key.PadRight(slurmWidth)}  {value}");
                    }
                }

                stdout.WriteLine("variables:");
                foreach ((string key, string? value) in EnvironmentInfo.CollectVariables())
                {
                    stdout.WriteLine($"  {key}={value ?? "(unset)"}");
                }

                stdout.WriteLine("placement (host, rank, thread, the CPU it ran on, the CPUs it may use):");
                foreach (string line in placement)
                {
                    stdout.WriteLine($"  {line}");
                }

                return Driver.Success;
            });
        }));
        return command;
    }

    // Each thread of an OpenMP team like the native kernels' (or, without the native library, of
    // a managed team like managed-parallel's) reports the CPU it runs on.
    private static string[] ThreadLines(IJob job, int threads)
    {
        string host = Environment.MachineName;
        string affinity = ReadAffinity();
        int[] cpus;
        string kind;
        try
        {
            cpus = NativePlacement.OpenMpThreadCpus(threads);
            kind = "OpenMP";
        }
        catch (BackendUnavailableException)
        {
            cpus = new int[threads];
            using var ready = new Barrier(threads);
            ParallelRanges.SumOverThreads(new IndexRange(0, threads), threads, part =>
            {
                ready.SignalAndWait(); // all threads alive at once, as in a real parallel region
                cpus[(int)part.Begin] = Thread.GetCurrentProcessorId();
                return 0;
            });
            kind = "managed";
        }

        return [.. cpus.Select((cpu, t) =>
            $"host {host}  rank {job.Rank}/{job.Size}  {kind} thread {t}/{threads}  cpu {(cpu < 0 ? "not started" : cpu.ToString(CultureInfo.InvariantCulture))}  allowed {affinity}")];
    }

    private static string[] Gather(IJob job, string[] lines)
    {
        byte[][] all = job.GatherAll(Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        return [.. all.SelectMany(b => Encoding.UTF8.GetString(b).Split('\n'))];
    }

    /// <summary>
    /// What `interop env` shows of a Slurm allocation, in display order (the same keys in --json):
    /// what Slurm gave this job and task, and the threads it allows this task.
    /// </summary>
    internal static IReadOnlyList<KeyValuePair<string, string>> SlurmFacts(SlurmAllocation slurm)
    {
        static string Number(int? n, string unset) => n?.ToString(CultureInfo.InvariantCulture) ?? unset;
        return
        [
            new("job_id", DisplayText.Printable(slurm.JobId)),
            new("step", slurm.StepId is string step ? DisplayText.Printable(step) : "none (a batch or salloc shell, not an srun step)"),
            new("tasks", Number(slurm.Tasks, "not given") + string.Create(CultureInfo.InvariantCulture, $" ({slurm.TasksOnNode} sharing this node)")),
            new("cpus_per_task", Number(slurm.CpusPerTask, "not given (no -c)")),
            new("cpus_on_node", Number(slurm.CpusOnNode, "not given")),
            new("job_cpus_per_node", slurm.JobCpusPerNode?.ToString() ?? "not given"),
            new("nodes", slurm.NodesShown ?? "not given"),
            new("binding", slurm.Binding ?? "none reported (Slurm's task plugin bound nothing)"),
            new("cpus_for_this_task", slurm.ShareOfTask is SlurmShare share
                ? string.Create(CultureInfo.InvariantCulture, $"{share.Cpus} (from {share.Source})")
                : "not given (the CPUs this process may use)"),
        ];
    }

    /// <summary>Thread settings that contradict each other, the machine or the Slurm allocation.</summary>
    internal static IEnumerable<string> Warnings(ThreadChoice choice, Func<string, string?> getEnvironment, int usable)
    {
        if (getEnvironment("SLURM_CPUS_PER_TASK") is { Length: > 0 } slurm &&
            int.TryParse(slurm, NumberStyles.None, CultureInfo.InvariantCulture, out int perTask) && perTask != usable)
        {
            yield return $"SLURM_CPUS_PER_TASK={perTask} but this process may use {usable} CPU(s) (affinity/cgroup): the allocation and the binding disagree";
        }

        // Code that calls OpenBLAS from inside OpenMP threads runs OMP_NUM_THREADS x OpenBLAS
        // threads; set in the environment, both would apply to such code (interop itself sets
        // OpenBLAS's threads per call and never nests them).
        int? omp = FirstCount(getEnvironment("OMP_NUM_THREADS"));
        int blas = FirstCount(getEnvironment("OPENBLAS_NUM_THREADS")) ?? usable;
        if (omp is int o && o > 1 && blas > 1 && o * blas > usable)
        {
            yield return $"OMP_NUM_THREADS={o} with a threaded OpenBLAS ({blas} threads): OpenBLAS called inside OpenMP threads would run {o * blas} threads on {usable} CPU(s); " +
                "set OPENBLAS_NUM_THREADS=1 for such code";
        }

        // One line for too many threads: the allocation's when it is the smaller limit, as it is
        // what the job may use (a node's mask can show CPUs that other jobs' tasks were given).
        if (SlurmAllocation.Share(getEnvironment) is SlurmShare share && choice.Threads > share.Cpus && share.Cpus <= usable)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{choice.Threads} threads (from {choice.Source}) but the Slurm allocation gives this task {share.Cpus} CPU(s) (from {share.Source}): threads will share CPUs");
        }
        else if (choice.Threads > usable)
        {
            yield return $"{choice.Threads} threads but only {usable} CPU(s) may be used: threads will share cores";
        }
    }

    private static int? FirstCount(string? value) =>
        int.TryParse(value?.Split(',')[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count > 0 ? count : null;

    private static string ReadAffinity()
    {
        try
        {
            return File.Exists("/proc/self/status")
                ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
                : $"{Environment.ProcessorCount} CPU(s)";
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
