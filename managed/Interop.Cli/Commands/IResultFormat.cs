namespace Interop.Cli.Commands;

/// <summary>
/// One way to write a run on stdout (--format NAME). A new format is one class implementing this,
/// listed in <see cref="ResultFormats.All"/>; every command then offers it.
/// </summary>
internal interface IResultFormat
{
    /// <summary>The name --format takes: "table", "json", "csv", "md".</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>True for the human format; otherwise stdout holds only the data and the human text goes to stderr (compare).</summary>
    bool IsText { get; }

    void Write(TextWriter output, IRunReport report);
}
