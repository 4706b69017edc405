namespace Interop.Mpi.Tests;

/// <summary>
/// The "detect" mode, run without any launcher: MpiLaunch's decisions on sample environments, on
/// this process's environment, and proof that deciding loaded neither libinterop_mpi nor libmpi.
/// </summary>
internal static class DetectChecks
{
    private static readonly (string Name, Dictionary<string, string> Variables, bool Forced, bool Expected)[] Cases =
    [
        ("no launcher", [], false, false),
        ("forced", [], true, true),
        ("Open MPI mpiexec", new() { ["OMPI_COMM_WORLD_SIZE"] = "2", ["OMPI_COMM_WORLD_RANK"] = "1" }, false, true),
        ("Open MPI size without rank", new() { ["OMPI_COMM_WORLD_SIZE"] = "2" }, false, false),
        ("Open MPI empty values", new() { ["OMPI_COMM_WORLD_SIZE"] = "", ["OMPI_COMM_WORLD_RANK"] = "" }, false, false),
        ("Open MPI settings only", new() { ["OMPI_MCA_btl"] = "self,vader", ["OMPI_ALLOW_RUN_AS_ROOT"] = "1" }, false, false),
        ("MPICH Hydra PMI", new() { ["PMI_RANK"] = "0", ["PMI_SIZE"] = "4" }, false, true),
        ("PMIx", new() { ["PMIX_RANK"] = "3" }, false, true),
        ("Slurm srun task", new() { ["SLURM_PROCID"] = "0", ["SLURM_STEP_ID"] = "0", ["SLURM_NTASKS"] = "4" }, false, true),
        ("Slurm srun task of one, no MPI plugin", new() { ["SLURM_PROCID"] = "0", ["SLURM_STEP_ID"] = "0", ["SLURM_STEP_NUM_TASKS"] = "1" }, false, false),
        ("Slurm batch shell", new() { ["SLURM_PROCID"] = "0", ["SLURM_NTASKS"] = "4", ["SLURM_JOB_ID"] = "7" }, false, false),
    ];

    public static int Run(TextWriter output)
    {
        int passed = 0;
        int failed = 0;
        void Report(string name, string? problem)
        {
            if (problem is null)
            {
                passed++;
                output.WriteLine($"ok {name}");
            }
            else
            {
                failed++;
                output.WriteLine($"FAIL {name}: {problem}");
            }
        }

        foreach (var (name, variables, forced, expected) in Cases)
        {
            bool actual = MpiLaunch.Detect(n => variables.GetValueOrDefault(n), forced);
            Report($"detect {name}", actual == expected ? null : $"Detect gave {actual}, expected {expected}");
        }

        string? launcher = MpiLaunch.Launcher(Environment.GetEnvironmentVariable);
        Report("detect this process (no launcher)", launcher is null && !MpiLaunch.DetectFromProcess(forced: false)
            ? null
            : $"found launcher '{launcher}' (run this mode outside mpiexec, srun and Slurm steps)");

        string? loaded = LoadedMpiLibrary();
        Report("no MPI library loaded", loaded is null && !MpiLoader.IsLoaded ? null : $"loaded: {loaded ?? MpiLoader.FileName}");

        output.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>The first MPI library mapped into this process (Linux: /proc/self/maps), or null.</summary>
    private static string? LoadedMpiLibrary()
    {
        const string Maps = "/proc/self/maps";
        if (!File.Exists(Maps))
        {
            return null;
        }

        return File.ReadLines(Maps)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? string.Empty)
            .FirstOrDefault(path => Path.GetFileName(path).StartsWith("libmpi", StringComparison.Ordinal)
                || Path.GetFileName(path).StartsWith("libinterop_mpi", StringComparison.Ordinal)
                || Path.GetFileName(path).StartsWith("libopen-pal", StringComparison.Ordinal));
    }
}
