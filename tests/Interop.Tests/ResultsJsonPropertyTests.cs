using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace Interop.Tests;

/// <summary>
/// Property tests of the results.json reader (issue 20): random valid documents of every schema and
/// random mutations of them (values replaced by values of other types and ranges, fields removed or
/// added, the text cut short or bytes changed) are given to `interop report` in process. The
/// property: exit 0 with a report of every point and no non-finite number, or exit 2 with exactly
/// one line on stderr; never another code, never a .NET exception name or stack trace, never a hang.
/// Seeded and reproducible through <see cref="PropertyCheck"/>: INTEROP_PROPERTY_SEED replays
/// another seed, INTEROP_PROPERTY_CASES sets the count (`./build.sh fuzz` sets a large one).
/// </summary>
[Category("Property")]
public sealed class ResultsJsonPropertyTests : TempFolderTest
{
    private static readonly string[] Backends = ["managed-serial", "managed-parallel", "c-openmp", "fortran-openmp", "cpp-threads", "rust-threads", "lapack", "scalapack"];

    [Test]
    public void EveryDocumentIsReportedOrRefusedInOneLine()
    {
        // 300 cases in the suite (a few seconds on two cores); PropertyCheck draws each case from the
        // seed and its index, names the one that fails and fails one that hangs.
        int index = 0;
        PropertyCheck.Run(Gen.ULong, seed =>
        {
            string folder = Path.Combine(Folder, (index++).ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            try
            {
                Check(seed, folder);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }, suiteSeed: "results-json", suiteCases: 300, print: seed => Document(seed).Text, runsDriver: true);
    }

    [Test]
    public void UnmutatedDocumentsAreReportedWithTheirSpeedups()
    {
        // The half of the property that says "a correct result": a valid document is reported, and
        // its largest speedup is the ratio of that point's and its reference point's medians' throughputs.
        for (ulong seed = 0; seed < 16; seed++)
        {
            var random = new Random((int)seed);
            JsonObject document = Valid(random, out double expectedBest);
            string folder = Path.Combine(Folder, seed.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "results.json"), document.ToJsonString());
            var (code, stdout, stderr) = Cli.Run("report", folder, "--out-dir", Path.Combine(folder, "R"));
            Assert.That(code, Is.Zero, $"seed {seed}: {stderr}\n{document}");
            double best = stdout.Split('\n').SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(w => w.EndsWith('x') && double.TryParse(w[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                .Select(w => double.Parse(w[..^1], CultureInfo.InvariantCulture)).Max();
            Assert.That(best, Is.EqualTo(expectedBest).Within(0.01 * expectedBest + 0.006), $"seed {seed}:\n{stdout}");
        }
    }

    private static void Check(ulong seed, string folder)
    {
        (string text, bool flags) = Document(seed);
        string path = Path.Combine(folder, "results.json");
        File.WriteAllText(path, text);
        string[] args = flags
            ? ["report", path, "--out-dir", Path.Combine(folder, "R"), "--allow-mixed", "--allow-incomplete"]
            : ["report", path, "--out-dir", Path.Combine(folder, "R")];
        (int code, string stdout, string stderr) = Cli.Run(args);
        string context = $"exit {code}\nstderr: {stderr}\ndocument:\n{Clip(text)}";
        Assert.That(code, Is.EqualTo(0).Or.EqualTo(2), context);
        Assert.That(stderr + stdout, Does.Not.Contain("Exception").And.Not.Contain("   at ").And.Not.Contain("System."), context);
        if (code == 2)
        {
            string[] lines = stderr.TrimEnd('\n').Split('\n');
            Assert.That(lines, Has.Length.EqualTo(1), context);
            Assert.That(lines[0], Does.StartWith("interop: "), context);
            return;
        }

        Assert.That(stdout, Does.Contain("interop report: 1 run(s)"), context);
        foreach (string nonFinite in new[] { "NaN", "Infinity", "∞" }.Where(w => !text.Contains(w, StringComparison.Ordinal)))
        {
            Assert.That(stdout, Does.Not.Contain(nonFinite), context);
        }

        Assert.That(stdout, Does.Not.Match(@"\s-\d[\d.]*x\b"), "no negative speedup: " + context);
        Assert.That(File.Exists(Path.Combine(folder, "R", "report.html")), context);
    }

    private static string Clip(string text) => text.Length <= 4000 ? text : text[..4000] + "...";

    // The document of one case: a valid one of a random schema, then 0 to 3 mutations; a tenth of
    // the cases are also damaged as text. Deterministic in the seed.
    private static (string Text, bool Flags) Document(ulong seed)
    {
        var random = new Random((int)(seed ^ (seed >> 32)));
        JsonObject document = Valid(random, out _);
        int mutations = random.Next(4);
        for (int i = 0; i < mutations; i++)
        {
            Mutate(document, random);
        }

        string text = document.ToJsonString();
        if (random.Next(10) == 0)
        {
            text = Damage(text, random);
        }

        return (text, random.Next(2) == 0);
    }

    // A valid document: this schema (from the test sample, its points replaced) or schema 1 to 3
    // (strings), with 1 to 5 points; expectedBest: the largest speedup report should print.
    private static JsonObject Valid(Random random, out double expectedBest)
    {
        bool current = random.Next(2) == 0;
        int version = current ? random.Next(4, Interop.Cli.Schema.ResultDocument.CurrentVersion + 1) : random.Next(1, 4);
        bool inv = random.Next(3) == 0;
        long size = inv ? random.Next(8, 400) : random.Next(1000, 100_000_000);
        double work = inv ? 2.0 * size * size * size / 1e9 : size;
        var points = new JsonArray();
        var throughputs = new List<(string Backend, string Isa, int Ranks, int Threads, double Throughput)>();
        int count = random.Next(1, 6);
        var used = new HashSet<string>();
        for (int i = 0; i < count; i++)
        {
            string backend = i == 0 ? "managed-serial" : Backends[random.Next(Backends.Length)];
            int ranks = random.Next(1, 3);
            int threads = i == 0 ? 1 : random.Next(1, 9);
            if (i == 0)
            {
                ranks = 1;
            }

            if (!used.Add($"{backend} {ranks} {threads}"))
            {
                continue;
            }

            double[] seconds = [.. Enumerable.Range(0, random.Next(1, 6)).Select(_ => Math.Round(1e-4 + (random.NextDouble() * 2), 6))];
            double median = Interop.Core.TimingStats.From(seconds).Median;
            string isa = random.Next(2) == 0 ? "avx2" : "scalar";
            throughputs.Add((backend, isa, ranks, threads, work / median));
            var point = new JsonObject
            {
                ["workload"] = inv ? "inv" : "pi",
                ["backend"] = backend,
                ["isa"] = isa,
                ["ranks"] = ranks,
                ["threads"] = threads,
                ["workers"] = ranks * threads,
                ["seconds"] = new JsonArray([.. seconds.Select(s => (JsonNode?)JsonValue.Create(s))]),
                ["work_per_run"] = work,
                ["throughput_unit"] = inv ? "GFLOP/s" : "darts/s",
                ["verified"] = random.Next(8) != 0,
                ["check"] = inv ? "residual=0.5" : "inside=1",
            };
            if (current)
            {
                point[inv ? "n" : "darts"] = size;
                point["repeats"] = seconds.Length;
                point["peak_gflops"] = inv ? 10.0 : null;
                point["dgemm_gflops"] = inv ? 8.0 : null;
            }
            else
            {
                point["size"] = size;
                point["peak_gflops"] = null;
            }

            points.Add(point);
        }

        // Each speedup is over the same backend's 1x1 point on the same path, else over managed-serial's
        // 1x1 point (the first point, always there; one on the same path first).
        expectedBest = throughputs.Max(t =>
        {
            var own = throughputs.Where(r => r.Backend == t.Backend && r.Isa == t.Isa && r.Ranks == 1 && r.Threads == 1).ToList();
            var serial = throughputs.Where(r => r.Backend == "managed-serial" && r.Ranks == 1 && r.Threads == 1).ToList();
            var reference = own.Count > 0 ? own[0] : serial.FirstOrDefault(r => r.Isa == t.Isa) is { Backend: not null } same ? same : serial[0];
            return t.Throughput / reference.Throughput;
        });

        JsonObject document;
        if (current)
        {
            document = ReportInputTests.CurrentDocument();
            document["schema_version"] = version;
            document["parameters"]!["workloads"] = new JsonArray(inv ? "inv" : "pi");
            document["parameters"]!["darts"] = inv ? null : size;
            document["parameters"]!["n"] = inv ? size : null;
        }
        else
        {
            document = ReportInputTests.LegacyDocument();
            if (version == 1)
            {
                document.Remove("schema_version");
            }
            else
            {
                document["schema_version"] = version;
            }

            document["parameters"]!["darts"] = inv ? null : size.ToString(CultureInfo.InvariantCulture);
            document["parameters"]!["n"] = inv ? size.ToString(CultureInfo.InvariantCulture) : null;
        }

        document["points"] = points;
        return document;
    }

    // One mutation at a random place of the tree: a value replaced, a field removed, a field added.
    private static void Mutate(JsonObject document, Random random)
    {
        var places = new List<(JsonNode Parent, object Key)>();
        Collect(document, places);
        if (places.Count == 0)
        {
            return;
        }

        (JsonNode parent, object key) = places[random.Next(places.Count)];
        int what = random.Next(10);
        if (parent is JsonObject obj && key is string name)
        {
            if (what == 0)
            {
                obj.Remove(name);
            }
            else if (what == 1)
            {
                obj["x_" + random.Next(100).ToString(CultureInfo.InvariantCulture)] = AnyValue(random);
            }
            else
            {
                obj[name] = AnyValue(random);
            }
        }
        else if (parent is JsonArray array && key is int index)
        {
            if (what == 0)
            {
                array.RemoveAt(index);
            }
            else if (what == 1)
            {
                array.Add(AnyValue(random));
            }
            else
            {
                array[index] = AnyValue(random);
            }
        }
    }

    private static void Collect(JsonNode node, List<(JsonNode Parent, object Key)> places)
    {
        if (node is JsonObject obj)
        {
            foreach ((string name, JsonNode? child) in obj.ToList())
            {
                places.Add((obj, name));
                if (child is not null)
                {
                    Collect(child, places);
                }
            }
        }
        else if (node is JsonArray array)
        {
            for (int i = 0; i < array.Count; i++)
            {
                places.Add((array, i));
                if (array[i] is JsonNode child)
                {
                    Collect(child, places);
                }
            }
        }
    }

    private static readonly string[] Strings =
    [
        "", " ", "pi", "inv", "fft", "darts/s", "GFLOP/s", "c-openmp", "managed-serial", "avx2", "unknown", "compare", "pi ", "-1", "1e309",
        "NaN", "Infinity", "2026-13-45T99:00:00Z", "2026-11-20T10:00:00+01:00", "<script>|x", "a\nb", "\u0000", "é漢字", new string('x', 300), "18446744073709551616",
    ];

    private static JsonNode? AnyValue(Random random) => random.Next(14) switch
    {
        0 => null,
        1 => random.Next(2) == 0,
        2 => Strings[random.Next(Strings.Length)],
        3 => JsonValue.Create(random.Next(-3, 4)),
        4 => JsonValue.Create(new[] { 0.0, -0.0, -1.5, 1e-300, 5e-324, 1e300, double.MaxValue, -double.MaxValue, 0.5, 1e-9 }[random.Next(10)]),
        5 => JsonValue.Create(new[] { int.MaxValue, int.MinValue, long.MaxValue, long.MinValue, 1L << 31, 1L << 53 }[random.Next(6)]),
        6 => JsonNode.Parse(new[] { "1e400", "-1e400", "123456789012345678901234567890", "1.0", "2e0", "-0" }[random.Next(6)]),
        7 => new JsonArray(),
        8 => new JsonObject(),
        9 => new JsonArray(AnyValue(random), AnyValue(random)),
        10 => new JsonObject { ["a"] = AnyValue(random) },
        11 => JsonValue.Create(Math.Round(random.NextDouble() * 10, 3)),
        12 => new JsonArray(JsonValue.Create(-0.1), JsonValue.Create(0.2)),
        _ => JsonValue.Create(random.Next(1, 100)),
    };

    // The text cut short, a byte changed, or a byte inserted.
    private static string Damage(string text, Random random)
    {
        const string Bytes = "{}[],:\"0-eE.\\ x\u00ff";
        var builder = new StringBuilder(text);
        int at = random.Next(Math.Max(1, builder.Length));
        switch (random.Next(3))
        {
            case 0:
                return text[..at];
            case 1:
                builder[at] = Bytes[random.Next(Bytes.Length)];
                return builder.ToString();
            default:
                builder.Insert(at, Bytes[random.Next(Bytes.Length)]);
                return builder.ToString();
        }
    }
}
