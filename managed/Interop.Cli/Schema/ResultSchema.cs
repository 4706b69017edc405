using System.Text.Json;
using System.Text.Json.Serialization;

namespace Interop.Cli.Schema;

/// <summary>
/// The one result document of interop: what `pi --json`, `inv --json` and `compare --json` print
/// and what a compare's results.json holds. Every field is documented in docs/result-schema.md (its field table),
/// kept by a test. Numbers are JSON numbers, units are in the field names, a fraction is 0-1.
/// </summary>
internal sealed record ResultDocument
{
    /// <summary>
    /// 11: points' rank_threads, each rank's threads in a heterogeneous job (ranks that run different
    /// thread counts; null when every rank runs the point's threads), and rank_thread_chunks and
    /// rank_thread_busy_seconds, each rank's pool threads' chunks and busy seconds (null under static
    /// and in a version-10 file); rank_items also under static (each rank's range of the split).
    /// 10: points' rank_chunks, rank_items and rank_busy_seconds, which rank ran how much of a
    /// task-pool schedule (pi --schedule dynamic or guided; null under static and in a version-9 file).
    /// 9: provenance.hosts, every host of the job with the ranks that ran on it, each rank's own
    /// host name (a version-8 file has none). 8: a point's speedup is over the same backend on 1 rank x 1 thread (same workload, size and
    /// path) where measured, else over the point speedup_reference names ("backend isa ranks x
    /// threads"): speedup_vs_managed_serial, always over managed-serial, became speedup and
    /// speedup_reference (a version-7 file's speedup_vs_managed_serial is read and ignored: every
    /// reader derives speedups from the seconds); provenance.command (the command line: program, argv,
    /// cwd, MPI launcher, world size), provenance.build_configuration, machine_load (how busy the machine
    /// was while measuring) and points' remeasure_rounds. 7: a workload's own fields (a workload beside pi and inv: ep) after mpi_seconds in its points, its own
    /// parameters, and kind "ep"; pi's, inv's and compare's documents keep version 6's keys. 6: provenance.run_id, one id per run, made when the run starts (`interop report` counts a run
    /// given twice once). 5: an inversion's peak_gflops is the FMA limit of the point's own path at its threads
    /// (peak_source "fma_limit"), so fraction_of_peak is at most 1 unless above_peak; OpenBLAS's dgemm
    /// rate, the peak of versions 2 to 4, moved to dgemm_gflops and over_dgemm. 4: one document for
    /// pi, inv and compare; provenance; typed parameters and environment; check details as fields.
    /// 3: complete, status, verified, points_planned. 2: points gained isa, size, peak_gflops,
    /// percent_of_peak and throughput_per_worker.
    /// </summary>
    public const int CurrentVersion = 11;

    /// <summary>The first version whose peak_gflops is the FMA limit of the point's path, not OpenBLAS's dgemm.</summary>
    public const int FmaLimitVersion = 5;

    public int SchemaVersion { get; init; } = CurrentVersion;

    /// <summary>The command that wrote the document: a workload's name (its own command) or "compare".</summary>
    public required string Kind { get; init; }

    public required Provenance Provenance { get; init; }

    /// <summary>False while a compare goes on, or after it was interrupted or failed.</summary>
    public bool Complete { get; init; } = true;

    public string Status { get; init; } = "complete";

    public bool Verified { get; init; }

    public int? PointsPlanned { get; init; }

    /// <summary>When the run began (UTC, ISO 8601).</summary>
    public required DateTimeOffset Started { get; init; }

    public double WallSeconds { get; init; }

    public required RunParameters Parameters { get; init; }

    public required EnvironmentFacts Environment { get; init; }

    /// <summary>Thread-related environment variables (OMP_*, OPENBLAS_*, SLURM_*): null where unset.</summary>
    public required IReadOnlyDictionary<string, string?> Variables { get; init; }

    public required IReadOnlyList<MeasuredPoint> Points { get; init; }

    /// <summary>How busy the machine was while the run measured (schema 8; null in older files and while a compare calibrates).</summary>
    public MachineLoad? MachineLoad { get; init; }

    public bool Equals(ResultDocument? other) =>
        other is not null && SchemaVersion == other.SchemaVersion && Kind == other.Kind && Provenance == other.Provenance &&
        Complete == other.Complete && Status == other.Status && Verified == other.Verified && PointsPlanned == other.PointsPlanned &&
        Started == other.Started && WallSeconds.Equals(other.WallSeconds) && Parameters == other.Parameters && Environment == other.Environment &&
        SchemaEquality.Same(Variables, other.Variables) && Points.SequenceEqual(other.Points) && MachineLoad == other.MachineLoad;

    public override int GetHashCode() => HashCode.Combine(Kind, Started, Points.Count);
}

/// <summary>Who measured, with what build, where and when: in every document and every CSV row.</summary>
internal sealed record Provenance(
    string InteropVersion,
    string GitCommit,
    string GitDescribe,
    string Host,
    DateTimeOffset TimestampUtc)
{
    /// <summary>
    /// The run's own id (a UUID), made when the run starts and kept by every rewrite of its
    /// results.json (schema 6; null in older files): two files with one id hold the same run.
    /// </summary>
    public string? RunId { get; init; }

    /// <summary>The command line that produced the document (schema 8; null in older files and where none is known).</summary>
    public RecordedCommand? Command { get; init; }

    /// <summary>The configuration the driver was built in ("Release", "Debug"; schema 8); the native build's flags are environment.native_build.</summary>
    public string? BuildConfiguration { get; init; }

    /// <summary>
    /// Every host of the job with the ranks that ran on it, in the order of their first rank, from
    /// each rank's own host name (schema 9; null in older files, and where the ranks did not meet).
    /// </summary>
    public IReadOnlyList<HostRanks>? Hosts { get; init; }

    public bool Equals(Provenance? other) =>
        other is not null && InteropVersion == other.InteropVersion && GitCommit == other.GitCommit && GitDescribe == other.GitDescribe &&
        Host == other.Host && TimestampUtc == other.TimestampUtc && RunId == other.RunId && Command == other.Command &&
        BuildConfiguration == other.BuildConfiguration &&
        (Hosts is null ? other.Hosts is null : other.Hosts is not null && Hosts.SequenceEqual(other.Hosts));

    public override int GetHashCode() => HashCode.Combine(InteropVersion, GitCommit, Host, TimestampUtc, RunId);
}

/// <summary>One host of an MPI job and the ranks that ran on it (provenance.hosts).</summary>
internal sealed record HostRanks(string Host, IReadOnlyList<int> Ranks)
{
    /// <summary>
    /// The hosts of a job from the host name each rank gave (<paramref name="hostOfRank"/>[r] is
    /// rank r's), in the order of their first rank.
    /// </summary>
    public static IReadOnlyList<HostRanks> Of(IReadOnlyList<string> hostOfRank) =>
        [.. Enumerable.Range(0, hostOfRank.Count).GroupBy(r => hostOfRank[r], StringComparer.Ordinal).Select(g => new HostRanks(g.Key, [.. g]))];

    /// <summary>"n1 (rank 0), n2 (ranks 1-3)": the hosts in one line.</summary>
    public static string Describe(IReadOnlyList<HostRanks> hosts) =>
        string.Join(", ", hosts.Select(h => $"{h.Host} ({Jobs.HandshakeVerdict.RankList(h.Ranks)})"));

    public bool Equals(HostRanks? other) => other is not null && Host == other.Host && Ranks.SequenceEqual(other.Ranks);

    public override int GetHashCode() => HashCode.Combine(Host, Ranks.Count);
}

/// <summary>What the run was asked to do. Fields a command has no use for are null.</summary>
internal sealed record RunParameters
{
    public required IReadOnlyList<string> Workloads { get; init; }

    public long? Darts { get; init; }

    /// <summary>compare: the darts of managed-serial, which throws fewer.</summary>
    public long? DartsSerialBaseline { get; init; }

    public int? N { get; init; }

    public ulong? Seed { get; init; }

    /// <summary>inv: the matrix file read instead of generating one (then seed is null).</summary>
    public string? Input { get; init; }

    /// <summary>inv: the file the inverse was written to; null when none was written.</summary>
    public string? Output { get; init; }

    /// <summary>The instruction-set paths asked for ("auto", "avx2", or several for compare --isa all).</summary>
    public required IReadOnlyList<string> Isa { get; init; }

    public string? IsaSource { get; init; }

    /// <summary>Thread counts measured (pi, inv: the one count of the parallel backends).</summary>
    public required IReadOnlyList<int> Threads { get; init; }

    public string? ThreadsSource { get; init; }

    public int Ranks { get; init; } = 1;

    /// <summary>How the ranks were started ("single process", "MPI job of 4 ranks ...").</summary>
    public required string Job { get; init; }

    public int Repeat { get; init; }

    public int Warmup { get; init; } = 1;

    /// <summary>compare: where darts and n came from (calibrated, given, the baseline).</summary>
    public string? Sizes { get; init; }

    public int? BudgetSecondsPerPath { get; init; }

    public double? MinPointSeconds { get; init; }

    public double? EstimatedSeconds { get; init; }

    /// <summary>inv: seconds to generate or load the matrix.</summary>
    public double? GenerateSeconds { get; init; }

    /// <summary>inv: how the scaled residual was computed, "full" (A·X) or "estimate" (1-norm estimator).</summary>
    public string? ResidualCheck { get; init; }

    /// <summary>
    /// A workload's own parameters beyond the ones above (its size and options, as its own command takes
    /// them), written after them in its order; null (nothing written) for pi and inv, whose parameters are keys above.
    /// </summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? OwnParameters { get; set; }

    public bool Equals(RunParameters? other) =>
        other is not null && Workloads.SequenceEqual(other.Workloads) && Darts == other.Darts && DartsSerialBaseline == other.DartsSerialBaseline &&
        N == other.N && Seed == other.Seed && Input == other.Input && Output == other.Output && Isa.SequenceEqual(other.Isa) &&
        IsaSource == other.IsaSource && Threads.SequenceEqual(other.Threads) && ThreadsSource == other.ThreadsSource && Ranks == other.Ranks &&
        Job == other.Job && Repeat == other.Repeat && Warmup == other.Warmup && Sizes == other.Sizes && BudgetSecondsPerPath == other.BudgetSecondsPerPath &&
        MinPointSeconds == other.MinPointSeconds && EstimatedSeconds == other.EstimatedSeconds && GenerateSeconds == other.GenerateSeconds &&
        ResidualCheck == other.ResidualCheck && SchemaEquality.Same(OwnParameters, other.OwnParameters);

    public override int GetHashCode() => HashCode.Combine(Darts, N, Seed, Job);
}

/// <summary>The machine and software of the run (`interop env`). Null where a fact is unknown here.</summary>
internal sealed record EnvironmentFacts
{
    public string? CpuModel { get; init; }

    public int? CpusOnline { get; init; }

    public int CpusUsable { get; init; }

    public string? Affinity { get; init; }

    public long? MemoryTotalBytes { get; init; }

    public string? Os { get; init; }

    public string? Architecture { get; init; }

    public string? Dotnet { get; init; }

    public bool Avx512f { get; init; }

    public bool Vector512HardwareAccelerated { get; init; }

    public IReadOnlyList<string> IsaCpuPaths { get; init; } = [];

    public string? IsaRequested { get; init; }

    public string? IsaManaged { get; init; }

    public string? NativeLibrary { get; init; }

    public string? IsaNative { get; init; }

    public string? IsaOpenblas { get; init; }

    /// <summary>How the native library was built (compilers, flags: CMake's interop-native-build.json).</summary>
    public IReadOnlyDictionary<string, string?> NativeBuild { get; init; } = new Dictionary<string, string?>();

    public string? Openblas { get; init; }

    public string? MpiLibrary { get; init; }

    public string? OpenmpRuntimesLoaded { get; init; }

    public bool Equals(EnvironmentFacts? other) =>
        other is not null && CpuModel == other.CpuModel && CpusOnline == other.CpusOnline && CpusUsable == other.CpusUsable &&
        Affinity == other.Affinity && MemoryTotalBytes == other.MemoryTotalBytes && Os == other.Os && Architecture == other.Architecture &&
        Dotnet == other.Dotnet && Avx512f == other.Avx512f && Vector512HardwareAccelerated == other.Vector512HardwareAccelerated &&
        IsaCpuPaths.SequenceEqual(other.IsaCpuPaths) && IsaRequested == other.IsaRequested && IsaManaged == other.IsaManaged &&
        NativeLibrary == other.NativeLibrary && IsaNative == other.IsaNative && IsaOpenblas == other.IsaOpenblas &&
        SchemaEquality.Same(NativeBuild, other.NativeBuild) && Openblas == other.Openblas && MpiLibrary == other.MpiLibrary &&
        OpenmpRuntimesLoaded == other.OpenmpRuntimesLoaded;

    public override int GetHashCode() => HashCode.Combine(CpuModel, CpusUsable, Os);
}

/// <summary>
/// One measured point, the same in every document: one workload on one backend at one ranks x
/// threads shape on one instruction-set path, every timed run, its statistics and its check.
/// </summary>
internal sealed record MeasuredPoint
{
    public required string Workload { get; init; }

    public required string Backend { get; init; }

    public required string Isa { get; init; }

    /// <summary>
    /// How the point's items were split (--schedule): "static", "dynamic", "dynamic:CHUNK", "guided", "guided:MIN"; null for a
    /// workload that does not schedule its items (inv). Absent (before it was written) means static.
    /// </summary>
    public string? Schedule { get; init; }

    public int Ranks { get; init; } = 1;

    public int Threads { get; init; } = 1;

    /// <summary>ranks x threads.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>pi: darts of one run; null for inv.</summary>
    public long? Darts { get; init; }

    /// <summary>inv: matrix order; null for pi.</summary>
    public int? N { get; init; }

    /// <summary>Null for a matrix read from a file.</summary>
    public ulong? Seed { get; init; }

    public int Repeats { get; init; }

    /// <summary>
    /// How many times the point was measured again after its first measurement came out noisy
    /// (schema 8; 0: measured once). <see cref="Seconds"/> are the runs of the quietest measurement.
    /// </summary>
    public int RemeasureRounds { get; init; }

    /// <summary>Every timed run, in order (after the warm-up).</summary>
    public required IReadOnlyList<double> Seconds { get; init; }

    public double SecondsMedian { get; init; }

    public double SecondsMin { get; init; }

    public double SecondsMax { get; init; }

    /// <summary>Confidence interval of the median, where the statistics give one; null otherwise.</summary>
    public double? SecondsCiLower { get; init; }

    public double? SecondsCiUpper { get; init; }

    /// <summary>Work of one run in the unit's numerator: darts (pi), GFLOP (inv, 2n³ / 1e9).</summary>
    public double WorkPerRun { get; init; }

    /// <summary>Work per second at the median time, in <see cref="ThroughputUnit"/>.</summary>
    public double Throughput { get; init; }

    /// <summary>"darts/s" (pi) or "GFLOP/s" (inv, 2n³ flops per inversion).</summary>
    public required string ThroughputUnit { get; init; }

    public double ThroughputPerWorker { get; init; }

    /// <summary>pi: the throughput in darts/s; null for inv.</summary>
    public double? DartsPerSecond { get; init; }

    /// <summary>inv: the throughput in GFLOP/s; null for pi.</summary>
    public double? Gflops { get; init; }

    /// <summary>What <see cref="PeakGflops"/> is in this version: the FMA limit of the point's path.</summary>
    public const string FmaLimitSource = "fma_limit";

    /// <summary>
    /// inv: the floating-point limit of the point's own path at its threads (one rank's), GFLOP/s:
    /// independent multiply-add chains on every thread, the best of several short runs.
    /// </summary>
    public double? PeakGflops { get; init; }

    /// <summary>inv: what peak_gflops measured, "fma_limit"; null where there is no peak.</summary>
    public string? PeakSource { get; init; }

    /// <summary>inv: gflops per rank / peak_gflops, a fraction (at most 1 unless above_peak).</summary>
    public double? FractionOfPeak { get; init; }

    /// <summary>inv: true when gflops per rank beat peak_gflops even after the limit was measured again: a limit measured wrong.</summary>
    public bool? AbovePeak { get; init; }

    /// <summary>inv: OpenBLAS dgemm's GFLOP/s at the same thread count (on OpenBLAS's own path, environment.isa_openblas).</summary>
    public double? DgemmGflops { get; init; }

    /// <summary>inv: gflops per rank / dgemm_gflops, a ratio (above 1: faster than OpenBLAS's dgemm).</summary>
    public double? OverDgemm { get; init; }

    /// <summary>
    /// The reference's time over this point's (as a throughput ratio): the reference is the same
    /// backend on 1 rank x 1 thread where measured, else <see cref="SpeedupReference"/>'s point.
    /// </summary>
    public double? Speedup { get; init; }

    /// <summary>The point <see cref="Speedup"/> is over, "backend isa ranks x threads" ("managed-serial scalar 1 x 1").</summary>
    public string? SpeedupReference { get; init; }

    /// <summary>Parallel efficiency, a fraction (1 = perfect scaling from the backend's 1-worker point).</summary>
    public double? Efficiency { get; init; }

    /// <summary>compare: throughput over managed-parallel's at the same shape.</summary>
    public double? OverManaged { get; init; }

    public bool Verified { get; init; }

    /// <summary>The check in words ("inside=785398163 (= c-openmp)", "residual=0.0123").</summary>
    public required string Check { get; init; }

    /// <summary>pi: darts that fell inside the quarter circle.</summary>
    public long? Inside { get; init; }

    /// <summary>pi: 4 inside / darts.</summary>
    public double? Estimate { get; init; }

    /// <summary>pi: |estimate - pi|.</summary>
    public double? AbsError { get; init; }

    /// <summary>inv: scaled residual ||I - A X||_1 / (n eps ||A||_1 ||X||_1).</summary>
    public double? Residual { get; init; }

    /// <summary>inv: the largest residual that passes.</summary>
    public double? ResidualThreshold { get; init; }

    public double? MaxAbsDiffVsLapack { get; init; }

    public double? CheckSeconds { get; init; }

    /// <summary>pi under MPI: each rank's median compute time.</summary>
    public IReadOnlyList<double>? RankComputeSeconds { get; init; }

    /// <summary>pi and ep: the slowest rank's compute seconds over the mean, less 1 (<see cref="Interop.Core.LoadImbalance"/>), a fraction.</summary>
    public double? LoadImbalance { get; init; }

    public double? MpiSeconds { get; init; }

    /// <summary>
    /// Under a task-pool schedule (pi --schedule dynamic or guided): the chunks each rank took, in rank
    /// order, in the timed run whose time is the median (schema 10); null under static.
    /// </summary>
    public IReadOnlyList<long>? RankChunks { get; init; }

    /// <summary>
    /// The items (pi: darts) in each rank's chunks in that run: they add up to the items of the run
    /// (schema 10); under static (schema 11), each rank's range of the split.
    /// </summary>
    public IReadOnlyList<long>? RankItems { get; init; }

    /// <summary>The seconds each rank's pool threads spent running their chunks in that run (schema 10).</summary>
    public IReadOnlyList<double>? RankBusySeconds { get; init; }

    /// <summary>
    /// In a heterogeneous job (ranks that run different thread counts), each rank's threads in rank
    /// order, <see cref="Threads"/> being rank 0's and <see cref="Workers"/> their sum (schema 11);
    /// null when every rank runs <see cref="Threads"/>.
    /// </summary>
    public IReadOnlyList<int>? RankThreads { get; init; }

    /// <summary>Under a task-pool schedule, each rank's list of its pool threads' chunks in that run (schema 11).</summary>
    public IReadOnlyList<IReadOnlyList<long>>? RankThreadChunks { get; init; }

    /// <summary>The seconds each of those threads spent running its chunks, as <see cref="RankThreadChunks"/> (schema 11).</summary>
    public IReadOnlyList<IReadOnlyList<double>>? RankThreadBusySeconds { get; init; }

    /// <summary>
    /// A workload's own keys beyond the ones above (its size and fields, <see cref="Workloads.IWorkload.ResultFields"/>),
    /// written after them in its order; null (nothing written) for pi and inv, whose fields are keys above.
    /// </summary>
    /// <remarks>Settable, not init: System.Text.Json fills extension data only through a setter.</remarks>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? OwnFields { get; set; }

    public bool Equals(MeasuredPoint? other) =>
        other is not null && Workload == other.Workload && Backend == other.Backend && Isa == other.Isa && Schedule == other.Schedule && Ranks == other.Ranks &&
        Threads == other.Threads && Workers == other.Workers && Darts == other.Darts && N == other.N && Seed == other.Seed &&
        Repeats == other.Repeats && RemeasureRounds == other.RemeasureRounds && Seconds.SequenceEqual(other.Seconds) && SecondsMedian.Equals(other.SecondsMedian) &&
        SecondsMin.Equals(other.SecondsMin) && SecondsMax.Equals(other.SecondsMax) && SecondsCiLower == other.SecondsCiLower &&
        SecondsCiUpper == other.SecondsCiUpper && WorkPerRun.Equals(other.WorkPerRun) && Throughput.Equals(other.Throughput) && ThroughputUnit == other.ThroughputUnit &&
        ThroughputPerWorker.Equals(other.ThroughputPerWorker) && DartsPerSecond == other.DartsPerSecond && Gflops == other.Gflops &&
        PeakGflops == other.PeakGflops && PeakSource == other.PeakSource && FractionOfPeak == other.FractionOfPeak && AbovePeak == other.AbovePeak &&
        DgemmGflops == other.DgemmGflops && OverDgemm == other.OverDgemm && Speedup == other.Speedup && SpeedupReference == other.SpeedupReference &&
        Efficiency == other.Efficiency && OverManaged == other.OverManaged && Verified == other.Verified && Check == other.Check &&
        Inside == other.Inside && Estimate == other.Estimate && AbsError == other.AbsError && Residual == other.Residual &&
        ResidualThreshold == other.ResidualThreshold && MaxAbsDiffVsLapack == other.MaxAbsDiffVsLapack && CheckSeconds == other.CheckSeconds &&
        SchemaEquality.Same(RankComputeSeconds, other.RankComputeSeconds) && LoadImbalance == other.LoadImbalance && MpiSeconds == other.MpiSeconds &&
        SchemaEquality.Same(RankChunks, other.RankChunks) && SchemaEquality.Same(RankItems, other.RankItems) &&
        SchemaEquality.Same(RankBusySeconds, other.RankBusySeconds) && SchemaEquality.Same(RankThreads, other.RankThreads) &&
        SchemaEquality.Same(RankThreadChunks, other.RankThreadChunks) && SchemaEquality.Same(RankThreadBusySeconds, other.RankThreadBusySeconds) &&
        SchemaEquality.Same(OwnFields, other.OwnFields);

    public override int GetHashCode() => HashCode.Combine(Workload, Backend, Isa, Ranks, Threads, SecondsMedian);
}

/// <summary>Value equality of the collections inside the schema records (records compare lists by reference).</summary>
internal static class SchemaEquality
{
    public static bool Same<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b);

    /// <summary>Lists of lists, element by element.</summary>
    public static bool Same<T>(IReadOnlyList<IReadOnlyList<T>>? a, IReadOnlyList<IReadOnlyList<T>>? b) =>
        a is null ? b is null : b is not null && a.Count == b.Count && a.Zip(b).All(p => p.First.SequenceEqual(p.Second));

    /// <summary>Same keys, each with the same JSON text.</summary>
    public static bool Same(IReadOnlyDictionary<string, JsonElement>? a, IReadOnlyDictionary<string, JsonElement>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(p => b!.TryGetValue(p.Key, out JsonElement v) && v.GetRawText() == p.Value.GetRawText()));

    public static bool Same(IReadOnlyDictionary<string, string?> a, IReadOnlyDictionary<string, string?> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out string? v) && v == p.Value);
}

/// <summary>System.Text.Json source generation for the schema: snake_case names, indented, nulls written.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ResultDocument))]
[JsonSerializable(typeof(Provenance))]
[JsonSerializable(typeof(RecordedCommand))]
[JsonSerializable(typeof(HostRanks))]
[JsonSerializable(typeof(EnvironmentFacts))]
[JsonSerializable(typeof(MachineLoad))]
internal sealed partial class SchemaJsonContext : JsonSerializerContext;
