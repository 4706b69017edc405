using Spectre.Console;

namespace Interop.Cli;

/// <summary>
/// The one table writer (pi, inv, compare, report, env). On an interactive terminal (see
/// <see cref="TerminalMode"/>) a Spectre.Console table; everywhere else a plain aligned text table:
/// header, dashes, rows, which tests and scripts parse.
/// </summary>
internal static class TextTable
{
    public static void Write(TextWriter output, IReadOnlyList<string> header, IReadOnlyList<string[]> rows, IReadOnlyList<bool> rightAligned)
    {
        if (TerminalMode.IsInteractive(output))
        {
            IAnsiConsole console = TerminalMode.Create(output);
            if (DrawnWidth(header, rows) <= console.Profile.Width)
            {
                WriteDrawn(console, header, rows, rightAligned);
                output.Flush();
                return;
            }

            // Too wide for the terminal: Spectre would cut cells to "…"; the plain lines wrap instead.
        }

        WritePlain(output, header, rows, rightAligned);
    }

    /// <summary>The plain aligned text, byte for byte as before Spectre came in.</summary>
    public static void WritePlain(TextWriter output, IReadOnlyList<string> header, IReadOnlyList<string[]> rows, IReadOnlyList<bool> rightAligned)
    {
        int[] widths = [.. header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)))];
        output.WriteLine(Line(header));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (string[] row in rows)
        {
            output.WriteLine(Line(row));
        }

        string Line(IReadOnlyList<string> cells) =>
            string.Join("  ", cells.Select((c, i) => rightAligned[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
    }

    /// <summary>Columns drawn by <see cref="WriteDrawn"/>: each cell's width, a space either side, a border before each and after the last.</summary>
    internal static int DrawnWidth(IReadOnlyList<string> header, IReadOnlyList<string[]> rows) =>
        header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)) + 3).Sum() + 1;

    /// <summary>The same cells as a Spectre.Console table on <paramref name="console"/>.</summary>
    public static void WriteDrawn(IAnsiConsole console, IReadOnlyList<string> header, IReadOnlyList<string[]> rows, IReadOnlyList<bool> rightAligned)
    {
        var table = new Table().Border(TableBorder.Rounded);
        for (int i = 0; i < header.Count; i++)
        {
            var column = new TableColumn(new Text(header[i], new Style(decoration: Decoration.Bold)));
            column = rightAligned[i] ? column.RightAligned() : column.LeftAligned();
            table.AddColumn(column.NoWrap());
        }

        foreach (string[] row in rows)
        {
            table.AddRow(row.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c)));
        }

        console.Write(table);
    }
}
