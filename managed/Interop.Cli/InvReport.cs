using System.Globalization;
using System.Text.Json;
using Interop.Core;

namespace Interop.Cli;

/// <summary>Formats measured inversion results: a console table or one JSON document.</summary>
internal sealed class InvReport(InvOptions options, int n, double generateSeconds, string? openBlas, IReadOnlyList<InvResult> results)
{
    private const string Baseline = "managed-serial";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public bool Verified => results.All(r => r.Verified);

    public string Failures => string.Join(", ", results.Where(r => !r.Verified).Select(r => $"{r.Backend} residual {r.Residual:G3}"));

    private string Source => options.Input is string path ? $"matrix from {path}" : $"A = R∘Rᵀ, seed {options.Seed}";

    private double? Speedup(InvResult r) =>
        results.FirstOrDefault(b => b.Backend == Baseline)?.Stats.Median is double b ? b / r.Stats.Median : null;

    public void WriteTable(TextWriter output)
    {
        output.WriteLine(
            $"Matrix inversion: n = {n}, {Source} ({(options.Input is null ? "generated" : "loaded")} in {generateSeconds:F2} s), " +
            $"{options.Threads.Threads} thread(s) per parallel backend (from {options.Threads.Source}), " +
            $"median of {options.Repeat} run(s) {(options.Warmup > 0 ? "after 1 warm-up" : "(no warm-up)")}");
        output.WriteLine($"Environment: {EnvironmentInfo.Summary()}");
        output.WriteLine($"OpenBLAS: {openBlas ?? "not available"}");
        output.WriteLine();

        string[] header = ["backend", "isa", "threads", "n", "median s", "min-max s", "GFLOP/s", "% of peak", "speedup", "residual", "max|X-X_lapack|", "check"];
        var rows = results.Select(r => new[]
        {
            r.Backend,
            IsaNames.Name(r.Isa),
            r.Threads.ToString(Invariant),
            r.N.ToString(Invariant),
            r.Stats.Median.ToString("F3", Invariant),
            $"{r.Stats.Min.ToString("F3", Invariant)}-{r.Stats.Max.ToString("F3", Invariant)}",
            r.Gflops.ToString("F1", Invariant),
            r.PercentOfPeak is double peak ? peak.ToString("F0", Invariant) + "%" : "-",
            Speedup(r) is double s ? s.ToString("F2", Invariant) + "x" : "-",
            r.Residual.ToString("G3", Invariant),
            r.MaxDifferenceFromLapack is double d ? d.ToString("0.0e+00", Invariant) : "-",
            r.Verified ? "ok" : "FAILED",
        }).ToList();
        TextTable.Write(output, header, rows, rightAligned: [false, false, true, true, true, true, true, true, true, true, true, false]);
        output.WriteLine();
        output.WriteLine(
            $"check: scaled residual ||I - A X||_1 / (n eps ||A||_1 ||X||_1) must be <= {InvResult.ResidualThreshold}" +
            (options.Check == InvCheck.Estimate ? " (||I - A X||_1 estimated: LAPACK's dlacn2, a lower bound; --check full computes it)" : string.Empty) + "; " +
            $"checks took {results.Sum(r => r.CheckSeconds):F2} s in all" +
            (options.Output is string path
                ? Verified ? $"; inverse from {results[0].Backend} written to {path}" : $"; {path} not written (a check failed)"
                : string.Empty));
        string peaks = string.Join(", ", results.Select(r => r.Peak).OfType<DgemmRate>().DistinctBy(p => p.Threads)
            .Select(p => $"{p.Gflops.ToString("F1", Invariant)} GFLOP/s on {p.Threads} thread(s)"));
        output.WriteLine(peaks.Length > 0
            ? $"peak: OpenBLAS dgemm at n = {results.Select(r => r.Peak).OfType<DgemmRate>().First().N}: {peaks} (% of peak = GFLOP/s over that rate at the same thread count)"
            : options.MeasurePeak ? "peak: not measured (no native library)" : "peak: not measured (one run, no warm-up; --repeat times it)");
    }

    public void WriteJson(TextWriter output)
    {
        JsonReport.Write(output, json =>
        {
            json.WriteString("workload", "inv");
            json.WriteNumber("n", n);
            if (options.Input is string input)
            {
                json.WriteString("input", input);
                json.WriteNull("seed");
            }
            else
            {
                json.WriteNull("input");
                json.WriteNumber("seed", options.Seed);
            }

            json.WriteNumber("threads", options.Threads.Threads);
            json.WriteString("isa_requested", IsaNames.Name(options.Isa.Isa));
            json.WriteString("threads_source", options.Threads.Source);
            json.WriteNumber("repeat", options.Repeat);
            json.WriteNumber("warmup", options.Warmup);
            json.WriteString("check", options.Check == InvCheck.Estimate ? "estimate" : "full");
            json.WriteNumber("generate_seconds", generateSeconds);
            json.WriteString("openblas", openBlas);
            json.WriteString("output", Verified ? options.Output : null);
            json.WriteBoolean("verified", Verified);
            JsonReport.WriteEnvironment(json);
            json.WriteStartArray("results");
            foreach (InvResult r in results)
            {
                json.WriteStartObject();
                json.WriteString("backend", r.Backend);
                json.WriteString("isa", IsaNames.Name(r.Isa));
                json.WriteNumber("threads", r.Threads);
                json.WriteNumber("ranks", r.Ranks);
                json.WriteNumber("n", r.N);
                JsonReport.WriteTimings(json, r.Seconds);
                json.WriteNumber("gflops", r.Gflops);
                if (r.Peak is DgemmRate peak)
                {
                    json.WriteNumber("percent_of_peak", r.PercentOfPeak ?? 0);
                    json.WriteStartObject("peak");
                    json.WriteString("measure", "OpenBLAS dgemm, one timed call after a warm-up");
                    json.WriteNumber("n", peak.N);
                    json.WriteNumber("threads", peak.Threads);
                    json.WriteNumber("gflops", peak.Gflops);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteNull("percent_of_peak");
                    json.WriteNull("peak");
                }

                json.WriteNumber("residual", double.IsFinite(r.Residual) ? r.Residual : double.MaxValue);
                if (r.MaxDifferenceFromLapack is double d && double.IsFinite(d))
                {
                    json.WriteNumber("max_abs_diff_vs_lapack", d);
                }
                else
                {
                    json.WriteNull("max_abs_diff_vs_lapack");
                }

                json.WriteNumber("generate_seconds", generateSeconds);
                json.WriteNumber("check_seconds", r.CheckSeconds);
                JsonReport.WriteSpeedup(json, Speedup(r));
                json.WriteBoolean("verified", r.Verified);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }
}
