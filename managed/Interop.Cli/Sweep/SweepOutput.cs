using System.Globalization;
using System.Text;
using System.Text.Json;
using Interop.Core;

namespace Interop.Cli.Sweep;

/// <summary>
/// A verified sweep on stdout: the table for people (the default), one CSV row per (seed, darts)
/// task, or one JSON document of its own (kind "sweep", provenance and environment as the result
/// documents have them; fields in docs/result-schema.md, "The sweep document").
/// </summary>
internal static class SweepOutput
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(TextWriter output, SweepRun run, SweepSummary summary, string checkLine)
    {
        switch (run.Options.Format)
        {
            case SweepFormat.Csv:
                output.Write(Csv(run));
                break;
            case SweepFormat.Json:
                WriteJson(output, run, summary, checkLine);
                break;
            default:
                WriteTable(output, run, summary, checkLine);
                break;
        }
    }

    /// <summary>"sweep: pi on c-openmp (avx2), 1 rank(s) x 2 thread(s) (single process); 16 seeds 42..57 x 11 darts counts ...".</summary>
    public static string Header(SweepRun run)
    {
        SweepOptions o = run.Options;
        return string.Create(Invariant,
            $"sweep: Monte Carlo pi on {o.Backend.Name} ({IsaNames.Name(o.Backend.PiIsa)}), {run.Ranks.Count} rank(s) x {o.Threads} thread(s) ({run.Job}); " +
            $"{o.Seeds} seed(s) {o.SeedRange} x {o.Darts.Count} darts count(s) {o.Darts[0]:N0}..{o.Darts[^1]:N0}: " +
            $"{o.Tasks.Count:N0} tasks through the task pool, one at a time, largest first");
    }

    /// <summary>"slope -0.497 (95% CI -0.531 to -0.463); 1/√N predicts -0.5: inside the CI", or why there is no fit.</summary>
    public static string FitLine(SweepSummary summary)
    {
        string left = summary.LeftOutOfFit > 0 ? string.Create(Invariant, $" ({summary.LeftOutOfFit} darts count(s) with an RMS error of 0 left out)") : string.Empty;
        if (summary.Fit is not ConvergenceFit fit)
        {
            return $"fit: none: a slope needs 2 darts counts or more with an error above 0{left}";
        }

        string predicted = string.Create(Invariant, $"1/√N predicts {ConvergenceFit.PredictedSlope}");
        string line = fit.SlopeLower is double lower && fit.SlopeUpper is double upper
            ? string.Create(Invariant, $"slope {fit.Slope:0.000} (95% CI {lower:0.000} to {upper:0.000}); {predicted}: ") +
                (fit.ContainsPredicted == true ? "inside the CI" : "outside the CI (a statistical statement: a 95% CI misses the truth in 1 sweep of 20)")
            : string.Create(Invariant, $"slope {fit.Slope:0.000} (no CI from 2 points); {predicted}");
        return string.Create(Invariant, $"fit: log10(RMS error) on log10(darts) over {fit.Points} darts counts: {line}; intercept {fit.Intercept:0.000}{left}");
    }

    /// <summary>"work: rank 0 ran 88 tasks, busy 1.20 s; rank 1 ...; wall 1.25 s".</summary>
    public static string WorkLine(SweepRun run) => string.Create(Invariant,
        $"work: {string.Join("; ", run.Ranks.Select(r => $"rank {r.Rank} ran {r.Tasks:N0} tasks, busy {r.BusySeconds:0.000} s"))}; wall {run.WallSeconds:0.000} s");

    private static void WriteTable(TextWriter output, SweepRun run, SweepSummary summary, string checkLine)
    {
        output.WriteLine(Header(run));
        output.WriteLine();
        string[] header = ["darts", "seeds", "mean estimate", "RMS error", "mean |error|", "theory sd", "RMS/theory"];
        string[][] rows =
        [
            .. summary.Rows.Select(r => new[]
            {
                r.Darts.ToString("N0", Invariant), r.Seeds.ToString(Invariant), r.MeanEstimate.ToString("0.000000", Invariant),
                Small(r.RmsError), Small(r.MeanAbsError), Small(r.TheorySd), r.RmsOverTheory.ToString("0.00", Invariant),
            }),
        ];
        TextTable.Write(output, header, rows, [.. header.Select(_ => true)]);
        output.WriteLine();
        output.WriteLine(FitLine(summary));
        output.WriteLine(WorkLine(run));
        output.WriteLine(checkLine);
    }

    private static string Small(double value) => value.ToString("0.000e+00", Invariant);

    /// <summary>One row per task, darts ascending then seed: seed, darts, inside, estimate, error (estimate - π).</summary>
    public static string Csv(SweepRun run)
    {
        IReadOnlyList<SweepTask> tasks = run.Options.Tasks;
        var text = new StringBuilder("seed,darts,inside,estimate,error\n");
        foreach (int i in Enumerable.Range(0, tasks.Count).OrderBy(i => tasks[i].Darts).ThenBy(i => tasks[i].Seed))
        {
            double estimate = SweepSummary.Estimate(run.Inside[i], tasks[i].Darts);
            text.Append(Invariant, $"{tasks[i].Seed},{tasks[i].Darts},{run.Inside[i]},{estimate:R},{estimate - Math.PI:R}\n");
        }

        return text.ToString();
    }

    private static void WriteJson(TextWriter output, SweepRun run, SweepSummary summary, string checkLine)
    {
        SweepOptions o = run.Options;
        JsonReport.Write(output, json =>
        {
            json.WriteString("kind", "sweep");
            JsonReport.WriteEnvironment(json);
            json.WriteString("backend", o.Backend.Name);
            json.WriteString("isa", IsaNames.Name(o.Backend.PiIsa));
            json.WriteNumber("ranks", run.Ranks.Count);
            json.WriteNumber("threads", o.Threads);
            json.WriteNumber("seed_first", o.FirstSeed);
            json.WriteNumber("seeds", o.Seeds);
            Array(json, "darts", o.Darts, (w, n) => w.WriteNumberValue(n));
            json.WriteBoolean("verified", true);
            json.WriteString("check", checkLine);
            json.WriteString("recount_backend", o.Reference.Name);
            json.WriteNumber("recount_max_darts", SweepOptions.RecountLimit);
            json.WriteNumber("wall_seconds", run.WallSeconds);
            Array(json, "rank_work", run.Ranks, (w, r) =>
            {
                w.WriteStartObject();
                w.WriteNumber("rank", r.Rank);
                w.WriteNumber("tasks", r.Tasks);
                w.WriteNumber("busy_seconds", r.BusySeconds);
                w.WriteEndObject();
            });
            Array(json, "by_darts", summary.Rows, (w, r) =>
            {
                w.WriteStartObject();
                w.WriteNumber("darts", r.Darts);
                w.WriteNumber("seeds", r.Seeds);
                w.WriteNumber("mean_estimate", r.MeanEstimate);
                w.WriteNumber("rms_error", r.RmsError);
                w.WriteNumber("mean_abs_error", r.MeanAbsError);
                w.WriteNumber("theory_sd", r.TheorySd);
                w.WriteNumber("rms_over_theory", r.RmsOverTheory);
                w.WriteEndObject();
            });
            WriteFit(json, summary.Fit);
            Array(json, "tasks", Enumerable.Range(0, o.Tasks.Count).ToArray(), (w, i) =>
            {
                w.WriteStartObject();
                w.WriteNumber("seed", o.Tasks[i].Seed);
                w.WriteNumber("darts", o.Tasks[i].Darts);
                w.WriteNumber("inside", run.Inside[i]);
                w.WriteEndObject();
            });
        });
    }

    private static void WriteFit(Utf8JsonWriter json, ConvergenceFit? fit)
    {
        if (fit is null)
        {
            json.WriteNull("fit");
            return;
        }

        json.WriteStartObject("fit");
        json.WriteNumber("points", fit.Points);
        json.WriteNumber("slope", fit.Slope);
        Nullable(json, "slope_ci_lower", fit.SlopeLower);
        Nullable(json, "slope_ci_upper", fit.SlopeUpper);
        json.WriteNumber("intercept", fit.Intercept);
        json.WriteNumber("predicted_slope", ConvergenceFit.PredictedSlope);
        if (fit.ContainsPredicted is bool contains)
        {
            json.WriteBoolean("ci_contains_predicted", contains);
        }
        else
        {
            json.WriteNull("ci_contains_predicted");
        }

        json.WriteEndObject();
    }

    private static void Nullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is double v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void Array<T>(Utf8JsonWriter json, string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        json.WriteStartArray(name);
        foreach (T item in items)
        {
            write(json, item);
        }

        json.WriteEndArray();
    }
}
