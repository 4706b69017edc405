using Spectre.Console;

namespace Interop.Cli;

/// <summary>
/// The one table writer (pi, inv, ep, compare, report, env). On an interactive terminal (see
/// <see cref="TerminalMode"/>) a Spectre.Console table; everywhere else a plain aligned text table:
/// header, dashes, rows, which tests and scripts parse. A table of <see cref="TableColumn"/>s fits
/// the width <see cref="TerminalMode.Width"/> gives unless --columns asks for all or named ones
/// (<see cref="ColumnChoice"/>): see <see cref="Fit"/>.
/// </summary>
internal static class TextTable
{
    /// <summary>
    /// The columns <paramref name="choice"/> asks for: fitted to the terminal (saying under the table what
    /// was left out or shortened), all of them, or those named.
    /// </summary>
    public static void Write(TextWriter output, IReadOnlyList<TableColumn> columns, IReadOnlyList<string[]> rows, ColumnChoice choice)
    {
        if (!choice.Fitted)
        {
            int[] shown = [.. columns.Select((c, i) => (c, i)).Where(x => choice.Shows(x.c, x.i == 0)).Select(x => x.i)];
            Write(output, [.. shown.Select(i => columns[i].Heading)], [.. rows.Select(r => shown.Select(i => r[i]).ToArray())], [.. shown.Select(i => columns[i].RightAligned)]);
            return;
        }

        int width = TerminalMode.Width(output);
        if (TerminalMode.IsInteractive(output) && Fit(columns, rows, width, drawn: true) is { LeftOutEssential: false } boxed)
        {
            IAnsiConsole console = TerminalMode.Create(output);
            console.Profile.Width = width;
            WriteDrawn(console, [.. boxed.Headings(boxed.Cells(rows))[^1]], boxed.Cells(rows), [.. boxed.Shown.Select(i => columns[i].RightAligned)]);
            WriteNote(output, boxed, width);
            output.Flush();
            return;
        }

        FittedTable fitted = Fit(columns, rows, width, drawn: false);
        IReadOnlyList<string[]> cells = fitted.Cells(rows);
        WritePlain(output, fitted.Headings(cells), cells, [.. fitted.Shown.Select(i => columns[i].RightAligned)]);
        WriteNote(output, fitted, width);
    }

    /// <summary>Every cell given: a Spectre table where it fits an interactive terminal, else the plain lines.</summary>
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
    public static void WritePlain(TextWriter output, IReadOnlyList<string> header, IReadOnlyList<string[]> rows, IReadOnlyList<bool> rightAligned) =>
        WritePlain(output, [header], rows, rightAligned);

    /// <summary>The plain aligned text under heading lines (one, or two where long headings were split).</summary>
    private static void WritePlain(TextWriter output, IReadOnlyList<IReadOnlyList<string>> headings, IReadOnlyList<string[]> rows, IReadOnlyList<bool> rightAligned)
    {
        int[] widths = [.. Enumerable.Range(0, rightAligned.Count).Select(i => Math.Max(headings.Max(h => h[i].Length), rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)))];
        foreach (IReadOnlyList<string> heading in headings)
        {
            output.WriteLine(Line(heading));
        }

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
            var column = new Spectre.Console.TableColumn(new Text(header[i], new Style(decoration: Decoration.Bold)));
            column = rightAligned[i] ? column.RightAligned() : column.LeftAligned();
            table.AddColumn(column.NoWrap());
        }

        foreach (string[] row in rows)
        {
            table.AddRow(row.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c)));
        }

        console.Write(table);
    }

    /// <summary>
    /// Which columns of a table fit <paramref name="width"/>, and how. Every column at full width where that
    /// fits. Otherwise the essential columns (those that cannot all fit given up highest priority first; the
    /// first column never), their cells shortened where a column can (<see cref="TableColumn.Shorten"/>) and,
    /// in plain text where they need it, long headings split over two lines; then the optional columns in priority order, each
    /// that still fits; then full cells and one-line headings again where the room left allows.
    /// <paramref name="drawn"/>: measured as Spectre's boxed table (3 more per column, no split headings).
    /// </summary>
    internal static FittedTable Fit(IReadOnlyList<TableColumn> columns, IReadOnlyList<string[]> rows, int width, bool drawn)
    {
        int count = columns.Count;
        int[] full = [.. Enumerable.Range(0, count).Select(i => rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))];
        int[] shortened = [.. Enumerable.Range(0, count).Select(i => columns[i].Shorten is Func<string, string> cut && rows.Count > 0 ? rows.Max(r => cut(r[i]).Length) : full[i])];
        int OneLine(string heading) => heading.Length;
        int TwoLines(string heading) => SplitHeading(heading) is var (top, bottom) ? Math.Max(top.Length, bottom.Length) : heading.Length;

        int Cost(IEnumerable<int> shown, ISet<int> cut, bool split)
        {
            int[] widths = [.. shown.Select(i =>
            {
                string heading = cut.Contains(i) ? columns[i].ShortHeading ?? columns[i].Heading : columns[i].Heading;
                return Math.Max(cut.Contains(i) ? shortened[i] : full[i], split ? TwoLines(heading) : OneLine(heading));
            })];
            return drawn ? widths.Sum(w => w + 3) + 1 : widths.Sum() + (2 * Math.Max(widths.Length - 1, 0));
        }

        int[] all = [.. Enumerable.Range(0, count)];
        var none = new HashSet<int>();
        if (Cost(all, none, split: false) <= width)
        {
            return new FittedTable(columns, all, none, Split: false, LeftOut: [], LeftOutEssential: false);
        }

        var cutCells = new HashSet<int>(all.Where(i => shortened[i] < full[i]));
        var shownSet = new SortedSet<int>(all.Where(i => columns[i].IsEssential || i == 0));
        // Headings over two lines only where the essential columns need it: one line reads better.
        bool splitHeadings = !drawn && Cost(shownSet, cutCells, split: false) > width;
        foreach (int i in shownSet.Where(i => i != 0).OrderByDescending(i => columns[i].Priority).ThenByDescending(i => i).ToList())
        {
            if (Cost(shownSet, cutCells, splitHeadings) <= width)
            {
                break;
            }

            shownSet.Remove(i);
        }

        bool essentialLeftOut = all.Any(i => columns[i].IsEssential && !shownSet.Contains(i));
        foreach (int i in all.Where(i => !shownSet.Contains(i) && !columns[i].IsEssential).OrderBy(i => columns[i].Priority).ThenBy(i => i))
        {
            shownSet.Add(i);
            if (Cost(shownSet, cutCells, splitHeadings) > width)
            {
                shownSet.Remove(i);
            }
        }

        foreach (int i in cutCells.Where(shownSet.Contains).OrderBy(i => columns[i].Priority).ToList())
        {
            cutCells.Remove(i);
            if (Cost(shownSet, cutCells, splitHeadings) > width)
            {
                cutCells.Add(i);
            }
        }

        if (splitHeadings && Cost(shownSet, cutCells, split: false) <= width)
        {
            splitHeadings = false;
        }

        int[] shownColumns = [.. shownSet];
        return new FittedTable(columns, shownColumns, [.. cutCells.Where(shownSet.Contains)], splitHeadings, [.. all.Where(i => !shownSet.Contains(i))], essentialLeftOut);
    }

    /// <summary>"ranks x threads" as ("ranks x", "threads"): at the space nearest the middle; null without a space.</summary>
    internal static (string Top, string Bottom)? SplitHeading(string heading)
    {
        int[] spaces = [.. heading.Select((c, i) => (c, i)).Where(x => x.c == ' ').Select(x => x.i)];
        if (spaces.Length == 0)
        {
            return null;
        }

        int at = spaces.MinBy(i => Math.Max(i, heading.Length - i - 1));
        return (heading[..at], heading[(at + 1)..]);
    }

    /// <summary>
    /// The line under a fitted table naming what it left out or shortened and how to see it, wrapped to
    /// <paramref name="width"/>; nothing when it shows every column in full.
    /// </summary>
    private static void WriteNote(TextWriter output, FittedTable fitted, int width)
    {
        if (fitted.LeftOut.Count == 0 && fitted.Shortened.Count == 0)
        {
            return;
        }

        string leftOut = fitted.LeftOut.Count == 0 ? string.Empty
            : $"left out to fit {width} columns: {string.Join(", ", fitted.LeftOut.Select(i => fitted.Columns[i].Heading))}; ";
        string shortened = fitted.Shortened.Count == 0 ? string.Empty
            : $"{(leftOut.Length == 0 ? $"shortened to fit {width} columns" : "shortened")}: {string.Join(", ", fitted.Shortened.Order().Select(i => fitted.Columns[i].Heading))}; ";
        foreach (string line in Wrap($"{leftOut}{shortened}--columns all shows them all", width))
        {
            output.WriteLine(line);
        }
    }

    /// <summary><paramref name="text"/> in lines of at most <paramref name="width"/> characters, broken at spaces (a longer word alone on its line).</summary>
    internal static IEnumerable<string> Wrap(string text, int width)
    {
        string line = string.Empty;
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line;
                line = string.Empty;
            }

            line = line.Length == 0 ? word : $"{line} {word}";
        }

        if (line.Length > 0)
        {
            yield return line;
        }
    }
}

/// <summary>
/// A table fitted to a width (<see cref="TextTable.Fit"/>): the columns shown (indices, in the table's
/// order), those whose cells are shortened, whether long headings take two lines, those left out.
/// </summary>
internal sealed record FittedTable(IReadOnlyList<TableColumn> Columns, IReadOnlyList<int> Shown, IReadOnlyCollection<int> Shortened, bool Split, IReadOnlyList<int> LeftOut, bool LeftOutEssential)
{
    /// <summary>The cells of the shown columns, shortened where fitted so.</summary>
    public IReadOnlyList<string[]> Cells(IReadOnlyList<string[]> rows) =>
        [.. rows.Select(r => Shown.Select(i => Shortened.Contains(i) ? Columns[i].Shorten!(r[i]) : r[i]).ToArray())];

    /// <summary>The heading lines over <paramref name="cells"/> (<see cref="Cells"/>): one, or two where <see cref="Split"/> and a heading is wider than its cells.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Headings(IReadOnlyList<string[]> cells)
    {
        string[] top = new string[Shown.Count];
        string[] bottom = new string[Shown.Count];
        for (int k = 0; k < Shown.Count; k++)
        {
            TableColumn column = Columns[Shown[k]];
            string heading = Shortened.Contains(Shown[k]) ? column.ShortHeading ?? column.Heading : column.Heading;
            int widest = cells.Count == 0 ? 0 : cells.Max(r => r[k].Length);
            (top[k], bottom[k]) = Split && heading.Length > widest && TextTable.SplitHeading(heading) is var (upper, lower) ? (upper, lower) : (string.Empty, heading);
        }

        return top.All(t => t.Length == 0) ? [bottom] : [top, bottom];
    }
}
