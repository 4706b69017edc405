using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Interop.Cli.Compare;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Cli.Schema;

/// <summary>
/// Reads a compare's results.json: the input of `interop report` and of `compare --baseline`. The
/// file is someone else's (another machine, another version, an editor), so every field read is
/// checked before a number is derived from it: a schema this build reads (1 to
/// <see cref="ResultDocument.CurrentVersion"/>), JSON types, and values that make sense (times
/// finite and positive, at least one per point, known workloads, well-formed backend and path
/// names, ranks and threads in range, sizes positive). Anything else is a usage error, one line
/// naming the file and the field ("runs/x/results.json: points[3].seconds is empty"), never a
/// .NET message or a silently wrong speedup.
/// </summary>
internal static partial class ResultsJsonReader
{
    /// <summary>The first version written as <see cref="ResultDocument"/> (numbers as numbers).</summary>
    public const int SharedDocumentVersion = 4;

    /// <summary>The most ranks a point may claim: no MPI job this tool runs has more.</summary>
    public const int MaxRanks = 1_000_000;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// The run in <paramref name="path"/> (schemas 1 to 3: values as strings; 4 and later: <see cref="ResultDocument"/>),
    /// checked; <see cref="CompareRun.SchemaVersion"/> says which schema it was.
    /// </summary>
    public static CompareRun Read(string path)
    {
        InputFile.RequireRegular(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            throw new UsageException($"{path}: cannot be read: {e.Message.ReplaceLineEndings(" ")}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new UsageException(string.Create(Invariant, $"{path}: not valid JSON (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}); not a results.json of interop compare"));
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new UsageException($"{path}: the document is {Kind(root)}, not an object; not a results.json of interop compare");
            }

            int version = Version(root, path);
            CompareRun run = version >= SharedDocumentVersion ? ReadDocument(text, root, path) : ReadLegacy(root, version, path);
            Check(run, path);
            return run;
        }
    }

    private static int Version(JsonElement root, string path)
    {
        // Schema 1 had no version field.
        if (!root.TryGetProperty("schema_version", out JsonElement element))
        {
            return 1;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out int version))
        {
            throw Field(path, "schema_version", $"is {Kind(element)}, not an integer");
        }

        return version is >= 1 and <= ResultDocument.CurrentVersion
            ? version
            : throw Field(path, "schema_version", string.Create(Invariant, $"is {version}: this interop reads schemas 1 to {ResultDocument.CurrentVersion} (a newer interop wrote it?)"));
    }

    // Schema 4 and later: the one document shape, read by System.Text.Json, then checked for the
    // nulls the serializer lets through into non-nullable fields.
    private static CompareRun ReadDocument(string text, JsonElement root, string path)
    {
        ResultDocument document;
        try
        {
            document = Documents.Deserialize(text);
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path}: {Describe(e, root)}");
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            throw new UsageException($"{path}: not a readable results.json of interop compare ({e.Message.ReplaceLineEndings(" ")})");
        }

        NotNull(path, "kind", document.Kind);
        if (document.Kind != "compare")
        {
            throw Field(path, "kind", $"is '{document.Kind}': a document of `interop {document.Kind} --json`, not a results.json of compare");
        }

        NotNull(path, "status", document.Status);
        Provenance provenance = NotNull(path, "provenance", document.Provenance);
        NotNull(path, "provenance.interop_version", provenance.InteropVersion);
        NotNull(path, "provenance.git_commit", provenance.GitCommit);
        NotNull(path, "provenance.git_describe", provenance.GitDescribe);
        NotNull(path, "provenance.host", provenance.Host);
        if (provenance.RunId is string id && (id.Length is 0 or > 100 || id.Any(char.IsControl)))
        {
            throw Field(path, "provenance.run_id", $"is '{Clip(id)}': not a run id (1 to 100 characters)");
        }

        if (provenance.Command is RecordedCommand command)
        {
            NotNull(path, "provenance.command.program", command.Program);
            NoNulls(path, "provenance.command.argv", command.Argv);
            NotNull(path, "provenance.command.cwd", command.Cwd);
            NotNull(path, "provenance.command.launcher", command.Launcher);
            if (command.WorldSize is < 1 or > MaxRanks)
            {
                throw Field(path, "provenance.command.world_size", string.Create(Invariant, $"is {command.WorldSize}: not a number of processes (1 to {MaxRanks})"));
            }
        }

        if (provenance.Hosts is IReadOnlyList<HostRanks> hosts)
        {
            CheckHosts(path, hosts, provenance.Command?.WorldSize);
        }

        RunParameters parameters = NotNull(path, "parameters", document.Parameters);
        NoNulls(path, "parameters.workloads", parameters.Workloads);
        NoNulls(path, "parameters.isa", parameters.Isa);
        NotNull(path, "parameters.threads", parameters.Threads);
        NotNull(path, "parameters.job", parameters.Job);
        EnvironmentFacts environment = NotNull(path, "environment", document.Environment);
        NoNulls(path, "environment.isa_cpu_paths", environment.IsaCpuPaths);
        NotNull(path, "environment.native_build", environment.NativeBuild);
        NotNull(path, "variables", document.Variables);
        NoNulls(path, "points", document.Points);
        for (int i = 0; i < document.Points.Count; i++)
        {
            MeasuredPoint p = document.Points[i];
            string at = string.Create(Invariant, $"points[{i}]");
            NotNull(path, $"{at}.workload", p.Workload);
            NotNull(path, $"{at}.backend", p.Backend);
            NotNull(path, $"{at}.isa", p.Isa);
            NotNull(path, $"{at}.seconds", p.Seconds);
            NotNull(path, $"{at}.throughput_unit", p.ThroughputUnit);
            NotNull(path, $"{at}.check", p.Check);
            CheckTaskPool(path, at, p);
            if (WorkloadRegistry.Find(p.Workload) is IWorkload workload)
            {
                foreach (string key in (string[])[workload.SizeName, .. workload.ResultFields.Select(f => f.Key)])
                {
                    if (OwnFieldsJson.NotANumber(p, key) is JsonElement value)
                    {
                        throw Field(path, $"{at}.{key}", $"is {Kind(value)}, not a number");
                    }
                }
            }
        }

        if (document.MachineLoad is MachineLoad load)
        {
            CheckLoad(path, load);
        }

        return Documents.ToCompare(document);
    }

    // A task pool's figures (schema 10): one per rank of the point, none negative, the times finite.
    // A point's ranks out of range are CheckPoint's to name: the lists are not measured against them.
    private static void CheckTaskPool(string path, string at, MeasuredPoint p)
    {
        if (p.Ranks is < 1 or > MaxRanks)
        {
            return;
        }

        foreach ((string key, IReadOnlyList<double>? values) in new[]
        {
            ("rank_chunks", p.RankChunks?.Select(v => (double)v).ToArray()),
            ("rank_items", p.RankItems?.Select(v => (double)v).ToArray()),
            ("rank_busy_seconds", p.RankBusySeconds),
        })
        {
            if (values is null)
            {
                continue;
            }

            if (values.Count != p.Ranks)
            {
                throw Field(path, $"{at}.{key}", string.Create(Invariant, $"has {values.Count} value(s): the point has {p.Ranks} rank(s)"));
            }

            for (int rank = 0; rank < values.Count; rank++)
            {
                if (!double.IsFinite(values[rank]) || values[rank] < 0)
                {
                    throw Field(path, string.Create(Invariant, $"{at}.{key}[{rank}]"), $"is {Show(values[rank])}: not an amount (finite, at least 0)");
                }
            }
        }

        CheckRankThreads(path, at, p);
    }

    // A heterogeneous point's threads (schema 11): one count a rank, 1 to ThreadCount.Max, rank 0's
    // the point's threads and all of them its workers; each rank's pool threads' figures (schema 11),
    // as many as that rank's threads, each an amount, the chunks adding up to the rank's.
    private static void CheckRankThreads(string path, string at, MeasuredPoint p)
    {
        if (p.RankThreads is IReadOnlyList<int> threads)
        {
            if (threads.Count != p.Ranks)
            {
                throw Field(path, $"{at}.rank_threads", string.Create(Invariant, $"has {threads.Count} value(s): the point has {p.Ranks} rank(s)"));
            }

            for (int rank = 0; rank < threads.Count; rank++)
            {
                if (threads[rank] is < 1 or > ThreadCount.Max)
                {
                    throw Field(path, string.Create(Invariant, $"{at}.rank_threads[{rank}]"), string.Create(Invariant, $"is {threads[rank]}: not a number of threads (1 to {ThreadCount.Max})"));
                }
            }

            if (threads[0] != p.Threads || threads.Sum(t => (long)t) != p.Workers)
            {
                throw Field(path, $"{at}.rank_threads", string.Create(Invariant, $"are {string.Join(",", threads)}: rank 0's must be the point's threads ({p.Threads}) and their sum its workers ({p.Workers})"));
            }
        }

        foreach ((string key, IReadOnlyList<IReadOnlyList<double>>? lists) in new[]
        {
            ("rank_thread_chunks", p.RankThreadChunks?.Select(l => (IReadOnlyList<double>)[.. l.Select(v => (double)v)]).ToArray()),
            ("rank_thread_busy_seconds", p.RankThreadBusySeconds),
        })
        {
            if (lists is null)
            {
                continue;
            }

            if (lists.Count != p.Ranks)
            {
                throw Field(path, $"{at}.{key}", string.Create(Invariant, $"has {lists.Count} list(s): the point has {p.Ranks} rank(s)"));
            }

            for (int rank = 0; rank < lists.Count; rank++)
            {
                int expected = p.RankThreads?[rank] ?? p.Threads;
                if (expected is < 1 or > ThreadCount.Max)
                {
                    continue; // a point's threads out of range are named with its other fields, not as a list's length
                }

                if (lists[rank] is null || lists[rank].Count != expected)
                {
                    throw Field(path, string.Create(Invariant, $"{at}.{key}[{rank}]"), string.Create(Invariant, $"has {lists[rank]?.Count ?? 0} value(s): rank {rank} ran {expected} thread(s)"));
                }

                for (int thread = 0; thread < expected; thread++)
                {
                    if (!double.IsFinite(lists[rank][thread]) || lists[rank][thread] < 0)
                    {
                        throw Field(path, string.Create(Invariant, $"{at}.{key}[{rank}][{thread}]"), $"is {Show(lists[rank][thread])}: not an amount (finite, at least 0)");
                    }
                }
            }
        }

        if (p.RankThreadChunks is { } perThread && p.RankChunks is { } perRank && perThread.Count == perRank.Count &&
            Enumerable.Range(0, perRank.Count).FirstOrDefault(r => perThread[r].Sum() != perRank[r], -1) is int wrong and >= 0)
        {
            throw Field(path, string.Create(Invariant, $"{at}.rank_thread_chunks[{wrong}]"), string.Create(Invariant, $"add up to {perThread[wrong].Sum()}: rank {wrong} ran {perRank[wrong]} chunk(s)"));
        }
    }

    // machine_load (schema 8): a known status, and every figure a finite amount that cannot be negative.
    private static void CheckLoad(string path, MachineLoad load)
    {
        NotNull(path, "machine_load.status", load.Status);
        if (load.Status is not (MachineLoad.Measured or MachineLoad.Unknown))
        {
            throw Field(path, "machine_load.status", $"is '{Clip(load.Status)}': not {MachineLoad.Measured} or {MachineLoad.Unknown}");
        }

        NoNulls(path, "machine_load.top", load.Top);
        var amounts = new List<(string Field, double? Value)>
        {
            ("machine_load.seconds", load.Seconds), ("machine_load.other_cpu_seconds", load.OtherCpuSeconds), ("machine_load.other_cpus", load.OtherCpus),
            ("machine_load.nodes", load.Nodes), ("machine_load.cpus_usable", load.CpusUsable), ("machine_load.job_threads", load.JobThreads),
        };
        foreach ((string name, LoadAverage? average) in new[] { ("before", load.Before), ("after", load.After) })
        {
            amounts.AddRange([($"machine_load.{name}.load1", average?.Load1), ($"machine_load.{name}.load5", average?.Load5), ($"machine_load.{name}.load15", average?.Load15)]);
        }

        for (int i = 0; i < load.Top.Count; i++)
        {
            string at = string.Create(Invariant, $"machine_load.top[{i}]");
            NotNull(path, $"{at}.name", load.Top[i].Name);
            NotNull(path, $"{at}.host", load.Top[i].Host);
            amounts.AddRange([($"{at}.cpu_seconds", load.Top[i].CpuSeconds), ($"{at}.cpu_share", load.Top[i].CpuShare)]);
        }

        foreach ((string name, double? value) in amounts)
        {
            if (value is double v && (!double.IsFinite(v) || v < 0))
            {
                throw Field(path, name, $"is {Show(v)}: not an amount (finite, at least 0)");
            }
        }
    }

    // Schemas 1 to 3: parameters, environment and variables were string pairs.
    private static CompareRun ReadLegacy(JsonElement root, int version, string path)
    {
        var points = new List<ComparePoint>();
        JsonElement array = Get(root, "points", JsonValueKind.Array, path, "points");
        int i = 0;
        foreach (JsonElement p in array.EnumerateArray())
        {
            string at = string.Create(Invariant, $"points[{i++}]");
            if (p.ValueKind != JsonValueKind.Object)
            {
                throw Field(path, at, $"is {Kind(p)}, not an object");
            }

            JsonElement seconds = Get(p, "seconds", JsonValueKind.Array, path, $"{at}.seconds");
            int s = 0;
            var times = new List<double>();
            foreach (JsonElement t in seconds.EnumerateArray())
            {
                times.Add(Number(t, path, string.Create(Invariant, $"{at}.seconds[{s++}]")));
            }

            points.Add(new ComparePoint(
                String(p, "workload", path, at),
                String(p, "backend", path, at),
                Integer(p, "ranks", path, at),
                Integer(p, "threads", path, at),
                times,
                Number(Get(p, "work_per_run", JsonValueKind.Number, path, $"{at}.work_per_run"), path, $"{at}.work_per_run"),
                String(p, "throughput_unit", path, at),
                Boolean(p, "verified", path, at),
                String(p, "check", path, at))
            {
                // Absent from schema 1 files.
                Isa = p.TryGetProperty("isa", out JsonElement isa) && isa.ValueKind != JsonValueKind.Null ? String(p, "isa", path, at) : "unknown",
                Size = p.TryGetProperty("size", out JsonElement size) ? Long(size, path, $"{at}.size") : 0,
                // The peak of schemas 2 and 3 was OpenBLAS's dgemm rate.
                DgemmGflops = p.TryGetProperty("peak_gflops", out JsonElement peak) && peak.ValueKind != JsonValueKind.Null ? Number(peak, path, $"{at}.peak_gflops") : null,
            });
        }

        JsonElement started = Get(root, "started", JsonValueKind.String, path, "started");
        if (!started.TryGetDateTimeOffset(out DateTimeOffset start))
        {
            throw Field(path, "started", "is not a date and time (ISO 8601)");
        }

        return new CompareRun(
            start,
            Number(Get(root, "wall_seconds", JsonValueKind.Number, path, "wall_seconds"), path, "wall_seconds"),
            Pairs(root, "parameters", path),
            Pairs(root, "environment", path),
            Pairs(root, "variables", path),
            points)
        {
            // Absent before schema 3, whose files were written only at the end of a run.
            Complete = !root.TryGetProperty("complete", out _) || Boolean(root, "complete", path, null),
            Status = root.TryGetProperty("status", out _) ? String(root, "status", path, null) : "complete",
            PointsPlanned = root.TryGetProperty("points_planned", out JsonElement planned) && planned.ValueKind != JsonValueKind.Null ? Integer(root, "points_planned", path, null) : null,
            SchemaVersion = version,
        };
    }

    /// <summary>The values every reader derives numbers from, checked; throws a usage error naming the first bad field.</summary>
    private static void Check(CompareRun run, string path)
    {
        if (!double.IsFinite(run.WallSeconds) || run.WallSeconds < 0)
        {
            throw Field(path, "wall_seconds", $"is {Show(run.WallSeconds)}: not a time in seconds");
        }

        if (run.PointsPlanned is < 0)
        {
            throw Field(path, "points_planned", $"is {run.PointsPlanned.Value.ToString(Invariant)}: a count cannot be negative");
        }

        CheckPositiveLong(run, "darts", path);
        CheckPositiveLong(run, "darts_serial_baseline", path);
        if (Parameter(run, "n") is string n && (!int.TryParse(n, NumberStyles.None, Invariant, out int order) || order < 1))
        {
            throw Field(path, "parameters.n", $"is '{n}': not a matrix order (a positive integer)");
        }

        if (Parameter(run, "seed") is string seed && !ulong.TryParse(seed, NumberStyles.None, Invariant, out _))
        {
            throw Field(path, "parameters.seed", $"is '{seed}': not a seed (0 to 2^64-1)");
        }

        for (int i = 0; i < run.Points.Count; i++)
        {
            CheckPoint(run.Points[i], string.Create(Invariant, $"points[{i}]"), path);
        }
    }

    private static void CheckPoint(ComparePoint p, string at, string path)
    {
        IWorkload workload = WorkloadRegistry.Find(p.Workload)
            ?? throw Field(path, $"{at}.workload", $"is '{Clip(p.Workload)}': not {string.Join(" or ", WorkloadRegistry.All.Select(w => w.Name))}");
        if (!WellFormedName().IsMatch(p.Backend))
        {
            throw Field(path, $"{at}.backend", $"is '{Clip(p.Backend)}': not a backend name (1 to 64 letters, digits, '-', '_', '.' or '+')");
        }

        if (!WellFormedName().IsMatch(p.Isa))
        {
            throw Field(path, $"{at}.isa", $"is '{Clip(p.Isa)}': not an instruction-set path name (1 to 64 letters, digits, '-', '_', '.' or '+')");
        }

        if (p.Schedule is string schedule)
        {
            if (workload.ScheduledItems is null)
            {
                throw Field(path, $"{at}.schedule", $"is '{Clip(schedule)}', but {workload.Name} does not schedule its items (null)");
            }

            try
            {
                _ = RankSchedule.Parse(schedule, workload.ScheduledItems);
            }
            catch (UsageException)
            {
                throw Field(path, $"{at}.schedule", $"is '{Clip(schedule)}': not static, dynamic[:CHUNK] or guided[:MIN]");
            }
        }

        if (p.Ranks is < 1 or > MaxRanks)
        {
            throw Field(path, $"{at}.ranks", string.Create(Invariant, $"is {p.Ranks}: not a number of ranks (1 to {MaxRanks})"));
        }

        if (p.Threads is < 1 or > ThreadCount.Max)
        {
            throw Field(path, $"{at}.threads", string.Create(Invariant, $"is {p.Threads}: not a number of threads (1 to {ThreadCount.Max})"));
        }

        if (p.Seconds.Count == 0)
        {
            throw Field(path, $"{at}.seconds", "is empty: a point has at least one timed run");
        }

        for (int s = 0; s < p.Seconds.Count; s++)
        {
            if (!double.IsFinite(p.Seconds[s]) || p.Seconds[s] <= 0)
            {
                throw Field(path, string.Create(Invariant, $"{at}.seconds[{s}]"), $"is {Show(p.Seconds[s])}: a time is a positive number of seconds");
            }
        }

        if (!double.IsFinite(p.WorkPerRun) || p.WorkPerRun <= 0)
        {
            throw Field(path, $"{at}.work_per_run", $"is {Show(p.WorkPerRun)}: the work of a run is positive");
        }

        // The work of a run follows from its size, as the workload counts it (darts; 2n^3 / 1e9 GFLOP).
        double work = workload.WorkPerRun(p.Size);
        if (p.Size > 0 && Math.Abs(p.WorkPerRun - work) > 1e-6 * work)
        {
            throw Field(path, $"{at}.work_per_run", $"is {Show(p.WorkPerRun)}: a run of {workload.SizeName} = {p.Size.ToString(Invariant)} does {Show(work)} {workload.WorkUnit}");
        }

        if (p.ThroughputUnit != workload.ThroughputUnit)
        {
            throw Field(path, $"{at}.throughput_unit", $"is '{Clip(p.ThroughputUnit)}': {p.Workload} is measured in {workload.ThroughputUnit}");
        }

        if (p.Size < 0 || p.Size > workload.MaxSize)
        {
            throw Field(path, $"{at}.{workload.SizeName}", $"is {p.Size.ToString(Invariant)}: not a {workload.SizeMeaning}");
        }

        CheckRate(p.PeakGflops, $"{at}.peak_gflops", path);
        CheckRate(p.DgemmGflops, $"{at}.dgemm_gflops", path);
        if (workload.CheckFields(p) is (string field, string problem))
        {
            throw Field(path, $"{at}.{field}", problem);
        }

        // Each value may be fine and their quotient still overflow (1e300 darts in 1e-300 s).
        if (!double.IsFinite(p.Throughput) || !double.IsFinite(p.ThroughputPerWorker))
        {
            throw Field(path, $"{at}.work_per_run", "over the median of seconds is not a finite throughput");
        }
    }

    private static void CheckRate(double? value, string field, string path)
    {
        if (value is double v && (!double.IsFinite(v) || v <= 0))
        {
            throw Field(path, field, $"is {Show(v)}: a rate is a positive number");
        }
    }

    private static void CheckPositiveLong(CompareRun run, string key, string path)
    {
        // compare records 0 for the size of a workload it did not measure (it calibrated none): a
        // size of a workload with points in the file is at least 1.
        bool measured = WorkloadRegistry.All.Any(w => (key == w.SizeName || key == $"{w.SizeName}_serial_baseline") && run.Points.Any(p => p.Workload == w.Name));
        if (Parameter(run, key) is string text && (!long.TryParse(text, NumberStyles.None, Invariant, out long value) || value < (measured ? 1 : 0)))
        {
            throw Field(path, $"parameters.{key}", $"is '{Clip(text)}': not a positive number of darts");
        }
    }

    private static string? Parameter(CompareRun run, string key) =>
        run.Parameters.FirstOrDefault(p => p.Key == key).Value is { Length: > 0 } v ? v : null;

    // System.Text.Json says where it stopped ($.points[0].seconds[1]); the words are ours, without .NET type names.
    private static string Describe(JsonException e, JsonElement root)
    {
        string field = e.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : e.Path is "$" or null ? string.Empty : e.Path;
        if (MissingRequired().Match(e.Message) is { Success: true } missing)
        {
            string name = missing.Groups[1].Value;
            return field.Length == 0 || field == name ? $"{name} is missing" : $"{field}.{name} is missing";
        }

        if (field.Length == 0)
        {
            return "not a results.json of interop compare (its fields do not have their types)";
        }

        string found = Find(root, field) is JsonElement value ? Kind(value) : "a value";
        return $"{field} is {found}, not the type or range of that field (see docs/result-schema.md)";
    }

    // The element at a path such as "points[0].seconds[1]", or null where it cannot be followed.
    private static JsonElement? Find(JsonElement root, string field)
    {
        JsonElement at = root;
        foreach (string part in field.Split('.'))
        {
            Match m = PathPart().Match(part);
            if (!m.Success || at.ValueKind != JsonValueKind.Object || !at.TryGetProperty(m.Groups[1].Value, out at))
            {
                return null;
            }

            foreach (Capture index in m.Groups[3].Captures)
            {
                if (at.ValueKind != JsonValueKind.Array || !int.TryParse(index.Value, NumberStyles.None, Invariant, out int k) || k >= at.GetArrayLength())
                {
                    return null;
                }

                at = at[k];
            }
        }

        return at;
    }

    private static T NotNull<T>(string path, string field, T? value)
        where T : class =>
        value ?? throw Field(path, field, "is null or missing");

    private static void NoNulls<T>(string path, string field, IReadOnlyList<T?>? values)
        where T : class
    {
        NotNull(path, field, values);
        for (int i = 0; i < values!.Count; i++)
        {
            if (values[i] is null)
            {
                throw Field(path, string.Create(Invariant, $"{field}[{i}]"), "is null");
            }
        }
    }

    private static JsonElement Get(JsonElement parent, string name, JsonValueKind kind, string path, string field)
    {
        if (!parent.TryGetProperty(name, out JsonElement value))
        {
            throw Field(path, field, "is missing");
        }

        return value.ValueKind == kind ? value : throw Field(path, field, $"is {Kind(value)}, not {Article(kind)}");
    }

    private static string String(JsonElement parent, string name, string path, string? at) =>
        Get(parent, name, JsonValueKind.String, path, Join(at, name)).GetString()!;

    private static bool Boolean(JsonElement parent, string name, string path, string? at)
    {
        string field = Join(at, name);
        return parent.TryGetProperty(name, out JsonElement value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw Field(path, field, value.ValueKind == JsonValueKind.Undefined ? "is missing" : $"is {Kind(value)}, not true or false");
    }

    private static int Integer(JsonElement parent, string name, string path, string? at)
    {
        string field = Join(at, name);
        JsonElement value = Get(parent, name, JsonValueKind.Number, path, field);
        return value.TryGetInt32(out int v) ? v : throw Field(path, field, $"is {value.GetRawText()}: not an integer in range");
    }

    private static long Long(JsonElement value, string path, string field) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long v) ? v : throw Field(path, field, $"is {Kind(value)}, not an integer in range");

    private static double Number(JsonElement value, string path, string field) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double v) && double.IsFinite(v) ? v : throw Field(path, field, $"is {Kind(value)}, not a finite number");

    private static IReadOnlyList<KeyValuePair<string, string?>> Pairs(JsonElement root, string name, string path)
    {
        JsonElement pairs = Get(root, name, JsonValueKind.Object, path, name);
        var list = new List<KeyValuePair<string, string?>>();
        foreach (JsonProperty p in pairs.EnumerateObject())
        {
            list.Add(new(p.Name, p.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => p.Value.GetString(),
                _ => throw Field(path, $"{name}.{p.Name}", $"is {Kind(p.Value)}, not a string (schemas 1 to 3 keep them as strings)"),
            }));
        }

        return list;
    }

    private static string Join(string? at, string name) => at is null ? name : $"{at}.{name}";

    private static UsageException Field(string path, string field, string problem) => new($"{path}: {field} {problem}");

    // "a string", "an array", "the number 12": what a field holds, in words.
    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Clip(value.GetString() ?? string.Empty)}\"",
        JsonValueKind.Number => $"the number {Clip(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Null => "null",
        _ => "missing",
    };

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Show(double value) => value.ToString("G6", Invariant);

    // A value quoted in a message: one line, at most 40 characters.
    private static string Clip(string text)
    {
        string line = new([.. text.Select(c => char.IsControl(c) ? '?' : c)]);
        return line.Length <= 40 ? line : line[..37] + "...";
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")]
    private static partial Regex WellFormedName();

    [GeneratedRegex(@"missing required properties[^']*'([^']+)'")]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"^([^\[\]]+)((?:\[(\d+)\])*)$")]
    private static partial Regex PathPart();

    // provenance.hosts: named hosts, each rank of the job on exactly one (0 to world_size - 1 when the command line says it).
    private static void CheckHosts(string path, IReadOnlyList<HostRanks> hosts, int? worldSize)
    {
        NoNulls(path, "provenance.hosts", hosts);
        var seen = new HashSet<int>();
        for (int i = 0; i < hosts.Count; i++)
        {
            string at = string.Create(Invariant, $"provenance.hosts[{i}]");
            string host = NotNull(path, $"{at}.host", hosts[i].Host);
            if (host.Length is 0 or > 255 || host.Any(char.IsControl))
            {
                throw Field(path, $"{at}.host", $"is '{Clip(host)}': not a host name (1 to 255 characters)");
            }

            IReadOnlyList<int> ranks = NotNull(path, $"{at}.ranks", hosts[i].Ranks);
            if (ranks.Count == 0)
            {
                throw Field(path, $"{at}.ranks", "is empty: a host of the job ran at least one rank");
            }

            int limit = worldSize ?? MaxRanks;
            foreach (int rank in ranks)
            {
                if (rank < 0 || rank >= limit)
                {
                    throw Field(path, $"{at}.ranks", string.Create(Invariant, $"holds {rank}: not a rank of the job (0 to {limit - 1})"));
                }

                if (!seen.Add(rank))
                {
                    throw Field(path, $"{at}.ranks", string.Create(Invariant, $"holds {rank}, which another host of the job also lists"));
                }
            }
        }

        if (worldSize is int size && seen.Count != size)
        {
            throw Field(path, "provenance.hosts", string.Create(Invariant, $"lists {seen.Count} rank(s): provenance.command.world_size is {size}"));
        }
    }
}
