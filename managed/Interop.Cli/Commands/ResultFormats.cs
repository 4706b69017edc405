using System.CommandLine;
using Interop.Core;

namespace Interop.Cli.Commands;

/// <summary>
/// Every <see cref="IResultFormat"/>, the human table first. Listed here, not found by reflection: a scan
/// of the assembly's types loads every type, ScottPlot's and the regular expressions' with them, at
/// each start (and Native AOT cannot keep such a scan whole). A test checks that every format class is listed.
/// </summary>
internal static class ResultFormats
{
    public const string Default = "table";

    public static IReadOnlyList<IResultFormat> All { get; } =
        [.. new IResultFormat[] { new TableFormat(), new CsvFormat(), new JsonFormat(), new MarkdownFormat() }
            .OrderBy(f => f.Name == Default ? 0 : 1).ThenBy(f => f.Name, StringComparer.Ordinal)];

    /// <summary>The format named <paramref name="name"/>; an unknown name is a usage error listing the known ones.</summary>
    public static IResultFormat Named(string name) =>
        All.FirstOrDefault(f => f.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new UsageException($"--format must be one of {string.Join(", ", All.Select(f => f.Name))}, not '{name}'");

    /// <summary>--format NAME, with completion of the names.</summary>
    public static Option<string?> CreateOption() =>
        new Option<string?>("--format")
        {
            Description = "How the results are written on stdout: " + string.Join("; ", All.Select(f => $"{f.Name} ({f.Description})")) + $". Default {Default}.",
        }.Names([.. All.Select(f => f.Name)]);

    /// <summary>
    /// The format --format and --json ask for: --json is short for --format json; both at once
    /// must agree.
    /// </summary>
    public static IResultFormat Choose(string? format, bool json)
    {
        if (format is null)
        {
            return Named(json ? "json" : Default);
        }

        IResultFormat chosen = Named(format);
        return json && chosen.Name != "json"
            ? throw new UsageException($"--json is short for --format json: it cannot go with --format {chosen.Name}")
            : chosen;
    }
}

/// <summary>The tables, check lines and warnings people read (the default).</summary>
internal sealed class TableFormat : IResultFormat
{
    public string Name => ResultFormats.Default;

    public string Description => "tables for people";

    public bool IsText => true;

    public void Write(TextWriter output, IRunReport report) => report.WriteText(output);
}

/// <summary>The typed result document (schema in docs/result-schema.md).</summary>
internal sealed class JsonFormat : IResultFormat
{
    public string Name => "json";

    public string Description => "one result document, the schema of results.json";

    public bool IsText => false;

    public void Write(TextWriter output, IRunReport report) => output.WriteLine(Schema.Documents.Serialize(report.Document()));
}

/// <summary>One row per measured point, the columns of results.csv (provenance in every row).</summary>
internal sealed class CsvFormat : IResultFormat
{
    public string Name => "csv";

    public string Description => "one row per point, the columns of results.csv";

    public bool IsText => false;

    public void Write(TextWriter output, IRunReport report) => output.Write(Schema.ResultCsv.Write(report.Document()));
}

/// <summary>
/// A markdown table of every column of results.csv, each cell written for people (units as the
/// console tables print them), with the command line above it and the environment and check lines
/// under it: a run to paste into an issue or a notebook.
/// </summary>
internal sealed class MarkdownFormat : IResultFormat
{
    public string Name => "md";

    public string Description => "a markdown table of the csv columns, for people";

    public bool IsText => false;

    public void Write(TextWriter output, IRunReport report) =>
        output.Write(Compare.MarkdownReport.Results(report.Document(), EnvironmentInfo.Summary(), report.CheckLine));
}
