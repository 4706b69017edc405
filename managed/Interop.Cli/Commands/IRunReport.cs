using Interop.Cli.Schema;

namespace Interop.Cli.Commands;

/// <summary>
/// A finished run as every output format sees it: the verdict (decided before), the typed
/// document (<see cref="ResultDocument"/>) and the human text. A format picks what it writes.
/// </summary>
internal interface IRunReport
{
    Verdict Verdict { get; }

    /// <summary>The run as the schema's document (JSON, CSV and any other machine format write from it).</summary>
    ResultDocument Document();

    /// <summary>The run for people: header, table, check lines and warnings.</summary>
    void WriteText(TextWriter output);

    /// <summary>
    /// The line that says what was checked and how it came out ("check: ..."), as the text writes it
    /// under the table; --format md writes it under its table too. No default: a report that wraps
    /// another (the load, the re-measure rounds) must pass the inner one's on, as it does the text.
    /// </summary>
    string CheckLine { get; }
}
