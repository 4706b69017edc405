using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using Interop.Backends;
using Interop.Core;
using Interop.Mpi;
using Interop.Native;

namespace Interop.Cli;

/// <summary>
/// The machine and software a run happened on (BenchmarkDotNet's environment block), so numbers
/// can be compared with someone else's: printed by `interop env`, one line of it above every table,
/// all of it in every JSON report.
/// </summary>
internal static class EnvironmentInfo
{
    /// <summary>
    /// Variables that change how many threads run and where, and which kernels they run (the test
    /// cap hides paths), how long MPI ranks wait for each other (INTEROP_MPI_TIMEOUT, seconds, at
    /// least 1; unset: 60 s at start-up, one day after), how the task pool's ranks reach its queue
    /// (INTEROP_POOL), and how large the work is (the size scale of tests and demos).
    /// </summary>
    private static readonly string[] Variables =
        ["OMP_NUM_THREADS", "OMP_PROC_BIND", "OMP_PLACES", "OMP_DYNAMIC", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "MKL_NUM_THREADS", "SLURM_CPUS_PER_TASK", "SLURM_NTASKS", "SLURM_JOB_ID", IsaNames.TestCapVariable, Jobs.JobLaunch.TimeoutVariable, Mpi.TaskPool.PathVariable, SizeScale.Variable];

    public static string CpuModel { get; } = ReadCpuModel();

    /// <summary>One line for the top of a table.</summary>
    public static string Summary() =>
        $"{CpuModel}, {Environment.ProcessorCount} CPU(s) usable, {RuntimeInformation.OSDescription}, " +
        $".NET {Environment.Version}, ISA paths: {IsaLine()}";

    /// <summary>Every fact, in display order. Values are null where a fact is unknown here.</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> Collect()
    {
        var facts = new List<KeyValuePair<string, string?>>
        {
            new("cpu_model", CpuModel),
            new("cpus_online", ReadCpuCount()),
            new("cpus_usable", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("affinity", ReadStatusField("Cpus_allowed_list")),
            new("memory_total_bytes", ReadMemoryTotal()),
            new("os", RuntimeInformation.OSDescription),
            new("architecture", RuntimeInformation.ProcessArchitecture.ToString()),
            new("dotnet", $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})"),
            new("avx512f", Avx512F.IsSupported ? "yes" : "no"),
            new("vector512_hardware_accelerated", Vector512.IsHardwareAccelerated ? "yes" : "no"),
            new("isa_cpu_paths", string.Join(", ", IsaNames.Paths.Where(ManagedIsa.Supports).Select(IsaNames.Name))),
            new("isa_requested", IsaNames.Name(IsaRequest.Current.Isa) + $" (from {IsaRequest.Current.Source})"),
            new("isa_managed", IsaNames.Name(ManagedIsa.Active)),
            new("native_library", NativeLibraryState()),
            new("isa_native", NativeIsaName()),
            new("isa_openblas", Try(OpenBlasIsa)),
        };
        foreach ((string key, string value) in NativeBuildInfo())
        {
            facts.Add(new($"{Schema.Documents.NativeBuildPrefix}{key}", value));
        }

        facts.Add(new("openblas", Try(NativeInverse.OpenBlasInfo)));
        // Only a process that MPI started has the MPI library loaded; others never load it.
        facts.Add(new("mpi_library", MpiLoader.IsLoaded
            ? MpiEnvironment.GetLibraryVersion().ReplaceLineEndings(" ").Trim()
            : "not in use (not started by an MPI launcher)"));
        facts.Add(new("openmp_runtimes_loaded", LoadedLibraries("gomp", "iomp", "libomp")));
        return facts;
    }

    /// <summary>The thread-related environment variables, including every SLURM_* one set.</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> CollectVariables()
    {
        IEnumerable<string> slurm = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("SLURM_", StringComparison.Ordinal));
        return [.. Variables.Concat(slurm).Distinct().Order(StringComparer.Ordinal)
            .Select(name => new KeyValuePair<string, string?>(name, Environment.GetEnvironmentVariable(name)))];
    }

    // "avx2 (core Zen, OPENBLAS_CORETYPE=Zen set by interop for the path in use)"
    private static string OpenBlasIsa()
    {
        string core = NativeInverse.OpenBlasCore();
        string why = NativeIsa.OpenBlasCoreChosen is string chosen
            ? $"{NativeIsa.OpenBlasCoreVariable}={chosen} set by interop for the path in use"
            : $"{NativeIsa.OpenBlasCoreVariable} as the user set it";
        return $"{IsaNames.Name(NativeIsa.OpenBlasPath(core))} (core {core}, {why})";
    }

    private static string NativeIsaName() => Try(() => IsaNames.Name(NativeIsa.Active)) ?? "not loaded";

    // "loaded", or why not: not built, or built but a library it needs is missing or lacks a symbol.
    private static string NativeLibraryState()
    {
        try
        {
            _ = NativeIsa.Active;
            return "loaded";
        }
        catch (BackendUnavailableException e)
        {
            return e.Message;
        }
    }

    // "avx2 (forced; CPU best avx2), managed avx2, native avx2, OpenBLAS Zen": what runs, and why.
    private static string IsaLine()
    {
        string requested = IsaRequest.Current.Isa == Isa.Auto ? "auto" : $"{IsaNames.Name(IsaRequest.Current.Isa)} forced by {IsaRequest.Current.Source}";
        string core = Try(NativeInverse.OpenBlasCore) ?? "not loaded";
        return $"{requested}, CPU best {IsaNames.Name(ManagedIsa.Best)}; managed {IsaNames.Name(ManagedIsa.Active)}, native {NativeIsaName()}, OpenBLAS {core}";
    }

    private static string? Try(Func<string> fact)
    {
        try
        {
            return fact();
        }
        catch (BackendUnavailableException)
        {
            return null;
        }
    }

    // Written by CMake at configure time beside the native library (CMakeLists.txt).
    private static IEnumerable<(string Key, string Value)> NativeBuildInfo()
    {
        string? dir = Environment.GetEnvironmentVariable("INTEROP_NATIVE_DIR") is { Length: > 0 } d && Directory.Exists(d) ? d : null;
        string path = Path.Combine(dir ?? AppContext.BaseDirectory, "interop-native-build.json");
        if (!File.Exists(path))
        {
            yield break;
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        foreach (JsonProperty p in doc.RootElement.EnumerateObject())
        {
            yield return (p.Name, p.Value.ValueKind == JsonValueKind.Null ? "none" : p.Value.ToString());
        }
    }

    // Which OpenMP runtimes this process has loaded: two (libgomp and libomp) in one process is a known crash.
    private static string? LoadedLibraries(params string[] fragments)
    {
        if (!File.Exists("/proc/self/maps"))
        {
            return null;
        }

        string[] found = [.. File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? string.Empty)
            .Where(path => path.StartsWith('/') && fragments.Any(f => Path.GetFileName(path).Contains(f, StringComparison.Ordinal)))
            .Select(Path.GetFileName)
            .Distinct()!];
        return found.Length == 0 ? "none yet" : string.Join(", ", found);
    }

    private static string ReadCpuModel() =>
        ReadProcField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();

    private static string? ReadCpuCount() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal)).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private static string? ReadMemoryTotal() =>
        ReadProcField("/proc/meminfo", "MemTotal") is string kb && long.TryParse(kb.Split(' ')[0], out long value)
            ? (value * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private static string? ReadStatusField(string field) => ReadProcField("/proc/self/status", field);

    private static string? ReadProcField(string path, string field)
    {
        try
        {
            return File.Exists(path)
                ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
