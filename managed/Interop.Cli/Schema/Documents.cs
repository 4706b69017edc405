using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Interop.Cli.Compare;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Cli.Schema;

/// <summary>The interop version and the git commit this driver was built from (BuildInfo.targets).</summary>
internal static class BuildInfo
{
    public const string Unknown = "unknown";

    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(BuildInfo).Assembly.GetName().Version?.ToString(3) ?? Unknown;

    /// <summary>`git rev-parse --short=12 HEAD` at build time, or "unknown".</summary>
    public static string Commit { get; } = Metadata("InteropGitCommit");

    /// <summary>`git describe --always --dirty` at build time ("...-dirty" for uncommitted changes), or "unknown".</summary>
    public static string Describe { get; } = Metadata("InteropGitDescribe");

    /// <summary>The configuration the driver was built in ("Release", "Debug"), or "unknown".</summary>
    public static string Configuration { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c ? c : Unknown;

    private static string Metadata(string key) =>
        typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value is { Length: > 0 } v ? v : Unknown;
}

/// <summary>
/// Builds, writes and reads the result documents (<see cref="ResultDocument"/>): the one place
/// between interop's measurements and the schema.
/// </summary>
internal static class Documents
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // A point's throughput also goes under the legacy key of its unit, darts_per_second or gflops.
    private const string DartsPerSecondUnit = "darts/s";
    private const string GflopsUnit = "GFLOP/s";

    /// <summary>
    /// This build, this host, now (UTC), a new run id and the command line of this run (with the MPI job's
    /// world size, once it started): called once, when a run starts.
    /// </summary>
    public static Provenance Here() =>
        new(BuildInfo.Version, BuildInfo.Commit, BuildInfo.Describe, HostName(), DateTimeOffset.UtcNow)
        {
            RunId = Guid.NewGuid().ToString("D"),
            Command = Invocation.Here(Jobs.JobLaunch.Current?.WorldSize ?? 1),
            BuildConfiguration = BuildInfo.Configuration,
            Hosts = Jobs.JobLaunch.Current is Jobs.JobLaunch launch ? launch.Hosts : [new HostRanks(HostName(), [0])],
        };

    public static string Serialize(ResultDocument document) =>
        JsonSerializer.Serialize(document, SchemaJsonContext.Default.ResultDocument);

    public static ResultDocument Deserialize(string json) =>
        JsonSerializer.Deserialize(json, SchemaJsonContext.Default.ResultDocument) ?? throw new JsonException("the document is null");

    /// <summary>A compare run as a document (results.json, compare --json).</summary>
    public static ResultDocument FromCompare(CompareRun run)
    {
        RunParameters parameters = Parameters(run.Parameters);
        return new ResultDocument
        {
            Kind = "compare",
            Provenance = run.Provenance ?? Here(),
            Complete = run.Complete,
            Status = run.Status,
            Verified = run.Verified,
            PointsPlanned = run.PointsPlanned,
            Started = run.Started.ToUniversalTime(),
            WallSeconds = run.WallSeconds,
            Parameters = parameters,
            Environment = Environment(run.Environment),
            Variables = run.Variables.ToDictionary(p => p.Key, p => p.Value),
            Points = [.. run.Points.Select(p => Point(p, parameters.Seed,
                CompareMetrics.SpeedupOf(run, p), CompareMetrics.Efficiency(run, p), CompareMetrics.OverManaged(run, p)))],
            MachineLoad = run.MachineLoad,
        };
    }

    /// <summary>A document read back as the compare run it describes (for --baseline and report).</summary>
    public static CompareRun ToCompare(ResultDocument doc) =>
        new(doc.Started, doc.WallSeconds, Pairs(doc.Parameters), Pairs(doc.Environment),
            [.. doc.Variables.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))],
            [.. doc.Points.Select(p => ToComparePoint(p, doc.SchemaVersion))])
        {
            Complete = doc.Complete,
            Status = doc.Status,
            PointsPlanned = doc.PointsPlanned,
            Provenance = doc.Provenance,
            SchemaVersion = doc.SchemaVersion,
            MachineLoad = doc.MachineLoad,
        };

    /// <summary>
    /// One measured point of a workload's own command (its backends' rows): the workload says the work a run
    /// does and its unit; the size goes under its legacy key, darts or n.
    /// </summary>
    public static MeasuredPoint Point(
        IWorkload workload, string backend, Isa isa, int ranks, int threads, long? darts, int? n, ulong? seed,
        IReadOnlyList<double> seconds, bool verified, string check, IReadOnlyList<int>? rankThreads = null)
    {
        TimingStats stats = TimingStats.From(seconds);
        // A heterogeneous point's workers are its ranks' threads together.
        int workers = rankThreads?.Sum() ?? ranks * threads;
        double work = workload.WorkPerRun(darts ?? n ?? 0);
        double throughput = work / stats.Median;
        return new MeasuredPoint
        {
            Workload = workload.Name,
            Backend = backend,
            Isa = IsaNames.Name(isa),
            Ranks = ranks,
            Threads = threads,
            Workers = workers,
            Darts = darts,
            N = n,
            Seed = seed,
            Repeats = seconds.Count,
            Seconds = seconds,
            SecondsMedian = stats.Median,
            SecondsMin = stats.Min,
            SecondsMax = stats.Max,
            SecondsCiLower = stats.CiLower,
            SecondsCiUpper = stats.CiUpper,
            WorkPerRun = work,
            Throughput = Finite(throughput) ?? 0,
            ThroughputUnit = workload.ThroughputUnit,
            ThroughputPerWorker = Finite(throughput / workers) ?? 0,
            DartsPerSecond = workload.ThroughputUnit == DartsPerSecondUnit ? Finite(throughput) : null,
            Gflops = workload.ThroughputUnit == GflopsUnit ? Finite(throughput) : null,
            Verified = verified,
            Check = check,
            RankThreads = rankThreads,
        };
    }

    /// <summary>
    /// A pi or inv run of this process as a document: provenance, start and wall time, the
    /// environment block (<paramref name="environment"/>, else collected here) and the variables
    /// filled in here; the parameters and points come from the report.
    /// </summary>
    public static ResultDocument OfThisProcess(string kind, bool verified, RunParameters parameters, IReadOnlyList<MeasuredPoint> points, EnvironmentFacts? environment = null)
    {
        (DateTimeOffset started, double wall) = ProcessClock();
        return new ResultDocument
        {
            Kind = kind,
            Provenance = Here() with { TimestampUtc = started },
            Verified = verified,
            PointsPlanned = points.Count,
            Started = started,
            WallSeconds = wall,
            Parameters = parameters,
            Environment = environment ?? Environment(EnvironmentInfo.Collect()),
            Variables = EnvironmentInfo.CollectVariables().ToDictionary(p => p.Key, p => p.Value),
            Points = points,
        };
    }

    /// <summary>When this process started (UTC) and the seconds since: a pi or inv run's start and wall time.</summary>
    public static (DateTimeOffset Started, double WallSeconds) ProcessClock()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        DateTimeOffset started = new DateTimeOffset(self.StartTime.ToUniversalTime(), TimeSpan.Zero);
        return (started, (DateTimeOffset.UtcNow - started).TotalSeconds);
    }

    /// <summary>A null for NaN and infinities, which JSON has no number for.</summary>
    public static double? Finite(double? value) => value is double v && double.IsFinite(v) ? v : null;

    public static string HostName()
    {
        try
        {
            return System.Net.Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return System.Environment.MachineName;
        }
    }

    // The common fields here; the workload adds its own (its size key, its check's fields).
    private static MeasuredPoint Point(ComparePoint p, ulong? seed, Speedup? speedup, double? efficiency, double? overManaged)
    {
        TimingStats stats = p.Stats;
        var common = new MeasuredPoint
        {
            Workload = p.Workload,
            Backend = p.Backend,
            Isa = p.Isa,
            Schedule = p.Schedule,
            Ranks = p.Ranks,
            Threads = p.Threads,
            Workers = p.Workers,
            RankThreads = p.RankThreads,
            Seed = seed,
            Repeats = p.Seconds.Count,
            RemeasureRounds = p.RemeasureRounds,
            Seconds = p.Seconds,
            SecondsMedian = stats.Median,
            SecondsMin = stats.Min,
            SecondsMax = stats.Max,
            SecondsCiLower = stats.CiLower,
            SecondsCiUpper = stats.CiUpper,
            WorkPerRun = p.WorkPerRun,
            Throughput = Finite(p.Throughput) ?? 0,
            ThroughputUnit = p.ThroughputUnit,
            ThroughputPerWorker = Finite(p.ThroughputPerWorker) ?? 0,
            PeakGflops = Finite(p.PeakGflops),
            PeakSource = p.PeakGflops is null ? null : MeasuredPoint.FmaLimitSource,
            FractionOfPeak = Finite(p.PercentOfPeak / 100),
            AbovePeak = p.PeakGflops is null ? null : p.AbovePeak,
            DgemmGflops = Finite(p.DgemmGflops),
            OverDgemm = Finite(p.OverDgemm),
            Speedup = Finite(speedup?.Ratio.Value),
            SpeedupReference = speedup?.ReferenceName,
            Efficiency = Finite(efficiency),
            OverManaged = Finite(overManaged),
            Verified = p.Verified,
            Check = p.Check,
            // A point on several ranks: each rank's compute time and items, and the slowest over the mean less 1.
            RankComputeSeconds = p.RankComputeSeconds,
            RankItems = p.RankItems,
            LoadImbalance = p.RankComputeSeconds is { } compute ? Finite(LoadImbalance.Of(compute)) : null,
        };
        return WorkloadRegistry.Named(p.Workload).ToDocument(common, p);
    }

    // Before schema 5 peak_gflops was OpenBLAS's dgemm rate: read as such, it is no limit of the point's path.
    // A workload this build does not know keeps the common fields alone: the reader then rejects its name.
    private static ComparePoint ToComparePoint(MeasuredPoint p, int version)
    {
        var common = new ComparePoint(p.Workload, p.Backend, p.Ranks, p.Threads, p.Seconds, p.WorkPerRun, p.ThroughputUnit, p.Verified, p.Check)
        {
            Isa = p.Isa,
            // Null for a workload that does not schedule, and in a point written before compare had --schedule (then static: BaselineComparison.Key).
            Schedule = p.Schedule,
            RankThreads = p.RankThreads,
            RankComputeSeconds = p.RankComputeSeconds,
            RankItems = p.RankItems,
            RemeasureRounds = p.RemeasureRounds,
            PeakGflops = version >= ResultDocument.FmaLimitVersion ? p.PeakGflops : null,
            DgemmGflops = version >= ResultDocument.FmaLimitVersion ? p.DgemmGflops : p.PeakGflops,
        };
        return WorkloadRegistry.Find(p.Workload) is IWorkload workload ? workload.FromDocument(common, p) : common;
    }

    // compare keeps its parameters as display pairs (CompareCommand.Parameters); the schema types them.
    private static RunParameters Parameters(IReadOnlyList<KeyValuePair<string, string?>> pairs)
    {
        string? Get(string key) => pairs.FirstOrDefault(p => p.Key == key).Value;
        long? Long(string key) => long.TryParse(Get(key), NumberStyles.Integer, Invariant, out long v) ? v : null;
        int? Int(string key) => int.TryParse(Get(key), NumberStyles.Integer, Invariant, out int v) ? v : null;
        double? Double(string key) => double.TryParse(Get(key), NumberStyles.Float, Invariant, out double v) ? v : null;
        string[] List(string key) => Get(key)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        return new RunParameters
        {
            Workloads = List("workloads"),
            Darts = Long("darts"),
            DartsSerialBaseline = Long("darts_serial_baseline"),
            N = Int("n"),
            Seed = ulong.TryParse(Get("seed"), NumberStyles.None, Invariant, out ulong seed) ? seed : null,
            Sizes = Get("sizes"),
            BudgetSecondsPerPath = Int("budget_seconds_per_path"),
            MinPointSeconds = Double("min_point_seconds"),
            EstimatedSeconds = Double("estimated_seconds"),
            Isa = List("isa"),
            IsaSource = Get("isa_source"),
            Threads = [.. List("threads").Select(t => int.Parse(t, Invariant))],
            Ranks = Int("ranks") ?? 1,
            Job = Get("job") ?? BuildInfo.Unknown,
            Repeat = Int("repeat") ?? 0,
            Warmup = Int("warmup") ?? 1,
            OwnParameters = Own(pairs),
        };
    }

    // The parameters RunParameters has no field for, in order: a workload's own size parameters
    // (IWorkload.SizeParameters), a whole number as a number, anything else as text; null: none.
    private static Dictionary<string, JsonElement>? Own(IReadOnlyList<KeyValuePair<string, string?>> pairs)
    {
        KeyValuePair<string, string?>[] own = [.. pairs.Where(p => !TypedParameters.Contains(p.Key))];
        if (own.Length == 0)
        {
            return null;
        }

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            foreach ((string key, string? value) in own)
            {
                if (long.TryParse(value, NumberStyles.AllowLeadingSign, Invariant, out long whole))
                {
                    json.WriteNumber(key, whole);
                }
                else
                {
                    json.WriteString(key, value);
                }
            }

            json.WriteEndObject();
        }

        using JsonDocument document = JsonDocument.Parse(stream.ToArray());
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    // The keys of compare's parameters that RunParameters types (Parameters, Pairs).
    private static readonly string[] TypedParameters =
    [
        "workloads", "darts", "darts_serial_baseline", "n", "seed", "sizes", "budget_seconds_per_path", "min_point_seconds",
        "estimated_seconds", "isa", "isa_source", "threads", "ranks", "job", "repeat", "warmup",
    ];

    private static IReadOnlyList<KeyValuePair<string, string?>> Pairs(RunParameters p) =>
    [
        new("workloads", string.Join(",", p.Workloads)),
        new("darts", p.Darts?.ToString(Invariant)),
        new("darts_serial_baseline", p.DartsSerialBaseline?.ToString(Invariant)),
        new("n", p.N?.ToString(Invariant)),
        new("sizes", p.Sizes),
        new("budget_seconds_per_path", p.BudgetSecondsPerPath?.ToString(Invariant)),
        new("min_point_seconds", p.MinPointSeconds?.ToString(Invariant)),
        new("estimated_seconds", p.EstimatedSeconds?.ToString("F1", Invariant)),
        new("isa", string.Join(",", p.Isa)),
        new("isa_source", p.IsaSource),
        new("seed", p.Seed?.ToString(Invariant)),
        new("threads", string.Join(",", p.Threads.Select(t => t.ToString(Invariant)))),
        new("ranks", p.Ranks.ToString(Invariant)),
        new("job", p.Job),
        new("repeat", p.Repeat.ToString(Invariant)),
        new("warmup", p.Warmup.ToString(Invariant)),
        .. (p.OwnParameters ?? []).Select(o => new KeyValuePair<string, string?>(o.Key, o.Value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => o.Value.GetString(),
            _ => o.Value.GetRawText(),
        })),
    ];

    /// <summary>The facts of <see cref="EnvironmentInfo.Collect"/> (display pairs), typed.</summary>
    public static EnvironmentFacts Environment(IReadOnlyList<KeyValuePair<string, string?>> pairs)
    {
        string? Get(string key) => pairs.FirstOrDefault(p => p.Key == key).Value;
        int? Int(string key) => int.TryParse(Get(key), NumberStyles.Integer, Invariant, out int v) ? v : null;
        return new EnvironmentFacts
        {
            CpuModel = Get("cpu_model"),
            CpusOnline = Int("cpus_online"),
            CpusUsable = Int("cpus_usable") ?? 0,
            Affinity = Get("affinity"),
            MemoryTotalBytes = long.TryParse(Get("memory_total_bytes"), NumberStyles.Integer, Invariant, out long bytes) ? bytes : null,
            Os = Get("os"),
            Architecture = Get("architecture"),
            Dotnet = Get("dotnet"),
            Avx512f = Get("avx512f") == "yes",
            Vector512HardwareAccelerated = Get("vector512_hardware_accelerated") == "yes",
            IsaCpuPaths = Get("isa_cpu_paths")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            IsaRequested = Get("isa_requested"),
            IsaManaged = Get("isa_managed"),
            NativeLibrary = Get("native_library"),
            IsaNative = Get("isa_native"),
            IsaOpenblas = Get("isa_openblas"),
            NativeBuild = pairs.Where(p => p.Key.StartsWith(NativeBuildPrefix, StringComparison.Ordinal))
                .ToDictionary(p => p.Key[NativeBuildPrefix.Length..], p => p.Value),
            Openblas = Get("openblas"),
            MpiLibrary = Get("mpi_library"),
            OpenmpRuntimesLoaded = Get("openmp_runtimes_loaded"),
        };
    }

    /// <summary>The prefix of the native library's build facts among the environment pairs.</summary>
    public const string NativeBuildPrefix = "native_build_";

    private static IReadOnlyList<KeyValuePair<string, string?>> Pairs(EnvironmentFacts e) =>
    [
        new("cpu_model", e.CpuModel),
        new("cpus_online", e.CpusOnline?.ToString(Invariant)),
        new("cpus_usable", e.CpusUsable.ToString(Invariant)),
        new("affinity", e.Affinity),
        new("memory_total_bytes", e.MemoryTotalBytes?.ToString(Invariant)),
        new("os", e.Os),
        new("architecture", e.Architecture),
        new("dotnet", e.Dotnet),
        new("avx512f", e.Avx512f ? "yes" : "no"),
        new("vector512_hardware_accelerated", e.Vector512HardwareAccelerated ? "yes" : "no"),
        new("isa_cpu_paths", string.Join(", ", e.IsaCpuPaths)),
        new("isa_requested", e.IsaRequested),
        new("isa_managed", e.IsaManaged),
        new("native_library", e.NativeLibrary),
        new("isa_native", e.IsaNative),
        new("isa_openblas", e.IsaOpenblas),
        .. e.NativeBuild.Select(p => new KeyValuePair<string, string?>(NativeBuildPrefix + p.Key, p.Value)),
        new("openblas", e.Openblas),
        new("mpi_library", e.MpiLibrary),
        new("openmp_runtimes_loaded", e.OpenmpRuntimesLoaded),
    ];
}
