using System.CommandLine;
using Interop.Backends;
using Interop.Core;

namespace Interop.Cli;

/// <summary>`interop pi`: Monte Carlo pi on the chosen backends, verified and timed.</summary>
internal static class PiCommand
{
    public const string DefaultDarts = "1e9";
    public const ulong DefaultSeed = 42;
    public const int DefaultRepeat = 3;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var darts = new Option<string>("--darts", "-n")
        {
            Description = "Number of darts: digits, 1_000_000 or 1e9 (up to 2^63-1).",
            DefaultValueFactory = _ => DefaultDarts,
        };
        var seed = new Option<string>("--seed", "-s")
        {
            Description = "Seed of the counter-based generator (0 to 2^64-1).",
            DefaultValueFactory = _ => DefaultSeed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var backend = new Option<string>("--backend", "-b")
        {
            Description = "Comma-separated backends, or 'all': " + string.Join(", ", BackendCatalog.Pi.Select(b => b.Name)) + ".",
            DefaultValueFactory = _ => "all",
        };
        var threads = new Option<string?>("--threads", "-t")
        {
            Description = "Threads per parallel backend. " + ThreadCount.Rules,
        };
        var repeat = new Option<string>("--repeat", "-r")
        {
            Description = "Timed runs per backend, after one untimed warm-up; the median is reported.",
            DefaultValueFactory = _ => DefaultRepeat.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document on stdout instead of the table.",
        };

        var command = new Command("pi", "Monte Carlo pi: darts in the unit square, count those inside the circle; every backend's count is checked against the others.")
        {
            darts, seed, backend, threads, repeat, json,
        };
        command.SetAction(parsed => Driver.Guard(stderr, () =>
        {
            var options = new PiOptions(
                Darts: NumberParser.ParseInt64(parsed.GetValue(darts)!, "--darts", 1),
                Seed: NumberParser.ParseUInt64(parsed.GetValue(seed)!, "--seed"),
                Backends: BackendCatalog.SelectPi(parsed.GetValue(backend)!),
                Threads: ThreadCount.Resolve(parsed.GetValue(threads) is string t ? NumberParser.ParseInt32(t, "--threads", 1) : null),
                Repeat: NumberParser.ParseInt32(parsed.GetValue(repeat)!, "--repeat", 1, 1000),
                Json: parsed.GetValue(json));
            return Run(options, stdout, stderr);
        }));
        return command;
    }

    private static int Run(PiOptions options, TextWriter stdout, TextWriter stderr)
    {
        foreach (IPiBackend backend in options.Backends)
        {
            backend.EnsureAvailable();
        }

        var darts = new IndexRange(0, options.Darts);
        var results = new List<PiResult>();
        foreach (IPiBackend backend in options.Backends)
        {
            int threads = backend.IsParallel ? options.Threads.Threads : 1;
            Measurement<long> m = Measure.Run(() => backend.CountInside(options.Seed, darts, threads), options.Repeat);
            if (m.Values.Any(v => v != m.WarmUpValue))
            {
                throw new InvalidOperationException(
                    $"{backend.Name} returned different counts on repeated runs ({string.Join(", ", m.Values.Prepend(m.WarmUpValue).Distinct())})");
            }

            results.Add(new PiResult(backend.Name, threads, 1, options.Darts, options.Seed, m.WarmUpValue, m.Seconds));
        }

        var report = new PiReport(options, results);
        if (options.Json)
        {
            report.WriteJson(stdout);
        }
        else
        {
            report.WriteTable(stdout);
        }

        if (!report.Verified)
        {
            stderr.WriteLine($"interop: error: backends disagree on the count: {report.Disagreement}");
            return Driver.Failure;
        }

        return Driver.Success;
    }
}

/// <summary>The validated options of one `interop pi` run.</summary>
internal sealed record PiOptions(long Darts, ulong Seed, IReadOnlyList<IPiBackend> Backends, ThreadChoice Threads, int Repeat, bool Json);
