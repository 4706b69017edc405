using Interop.Cli;
using Interop.Cli.Compare;

namespace Interop.Tests;

/// <summary>
/// Issue 22: default console tables fit the terminal (COLUMNS, else 100 where stdout is no terminal), the essential
/// columns first; --columns all shows every column, --columns NAME,... those named, an unknown name is exit 2.
/// The commands run as processes at small sizes, their stdout piped.
/// </summary>
[NonParallelizable]
public sealed class TableWidthTests
{
    private const int Narrow = 80;

    private static readonly Dictionary<string, string[]> Commands = new()
    {
        ["pi"] = ["pi", "--darts", "1e5", "--repeat", "3"],
        ["inv"] = ["inv", "--size", "64", "--repeat", "3"],
        ["ep"] = ["ep", "--m", "16", "--repeat", "3"],
        ["array"] = ["array", "--size", "128", "--chunk", "50", "--repeat", "3"],
    };

    private string folder = string.Empty;

    // One quick compare run, shared: compare's own tables, and the folder report merges.
    private string compareFolder = string.Empty;
    private string compareOut = string.Empty;

    [OneTimeSetUp]
    public void RunCompareOnce()
    {
        folder = Directory.CreateTempSubdirectory("interop-TableWidthTests-").FullName;
        compareFolder = Path.Combine(folder, "compare");
        var (code, stdout, stderr) = DriverProcess.Run(
            ["compare", "--quick", "--darts", "1000003", "--size", "64", "--m", "16", "--array-size", "256", "--repeat", "2", "--threads", "1,2", "--out-dir", compareFolder, "--columns", "all"],
            unset: ["COLUMNS"], limitSeconds: 300);
        Assert.That(code, Is.Zero, stderr);
        compareOut = stdout;
    }

    [OneTimeTearDown]
    public void RemoveFolder() => Directory.Delete(folder, recursive: true);

    [TestCase("pi", Narrow)]
    [TestCase("pi", TerminalMode.UnknownWidth)]
    [TestCase("inv", Narrow)]
    [TestCase("inv", TerminalMode.UnknownWidth)]
    [TestCase("ep", Narrow)]
    [TestCase("ep", TerminalMode.UnknownWidth)]
    [TestCase("array", Narrow)]
    [TestCase("array", TerminalMode.UnknownWidth)]
    public void AWorkloadsDefaultTableFitsTheWidth(string workload, int width)
    {
        var (code, stdout, stderr) = Run(Commands[workload], width);
        Assert.That(code, Is.Zero, stderr);
        AssertTablesFit(stdout, width, tables: 1);
    }

    [TestCase(Narrow)]
    [TestCase(TerminalMode.UnknownWidth)]
    public void CompareDefaultTablesFitTheWidth(int width)
    {
        var (code, stdout, stderr) = Run(
            ["compare", "--quick", "--darts", "100003", "--size", "48", "--m", "16", "--array-size", "128", "--repeat", "1", "--threads", "1,2",
                "--out-dir", Path.Combine(folder, $"compare-{width}")],
            width, limitSeconds: 300);
        Assert.That(code, Is.Zero, stderr);
        AssertTablesFit(stdout, width, tables: 4);
    }

    [TestCase(Narrow)]
    [TestCase(TerminalMode.UnknownWidth)]
    public void ReportDefaultTablesFitTheWidth(int width)
    {
        var (code, stdout, stderr) = Run(["report", compareFolder, "--out-dir", Path.Combine(folder, $"report-{width}")], width);
        Assert.That(code, Is.Zero, stderr);
        AssertTablesFit(stdout, width, tables: 5); // the runs, pi, inv, ep, array
    }

    [Test]
    public void TheDefaultLeavesColumnsOutAndSaysHowToShowThem()
    {
        var (code, stdout, stderr) = Run(Commands["pi"], Narrow);
        Assert.That(code, Is.Zero, stderr);
        string header = HeaderOf(stdout);
        Assert.That(header, Does.Contain("backend").And.Contain("median").And.Contain("speedup").And.Contain("check"), "the essential columns stay");
        Assert.That(header, Does.Not.Contain("estimate"), "an optional column is left out at 80 columns");
        Assert.That(stdout, Does.Contain("left out to fit 80 columns:").And.Contain("estimate").And.Contain("--columns all"));
    }

    [Test]
    public void AllShowsEveryColumnOfEveryTable()
    {
        foreach (string heading in CompareTables.Columns(Interop.Cli.Workloads.WorkloadRegistry.Named("inv")).Select(c => c.Heading))
        {
            Assert.That(compareOut, Does.Contain(heading));
        }

        var (code, stdout, stderr) = Run([.. Commands["pi"], "--columns", "all"], Narrow);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(HeaderOf(stdout).Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Is.EqualTo(Interop.Cli.Workloads.Pi.PiWorkload.Instance.CommandColumns(severalRanks: false).Select(c => c.Heading)));
        Assert.That(stdout, Does.Not.Contain("left out"));
    }

    [Test]
    public void NamedColumnsAreShownWithTheBackend()
    {
        var (code, stdout, stderr) = Run([.. Commands["inv"], "--columns", "median,GFLOP/s,residual"], TerminalMode.UnknownWidth);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(HeaderOf(stdout).Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Is.EqualTo(new[] { "backend", "median", "GFLOP/s", "residual" }));
    }

    [TestCase("pi")]
    [TestCase("inv")]
    [TestCase("ep")]
    [TestCase("compare")]
    [TestCase("report")]
    public void AnUnknownColumnIsAUsageErrorListingTheNames(string command)
    {
        string[] args = command switch
        {
            "compare" => ["compare", "--quick", "--out-dir", Path.Combine(folder, "never"), "--columns", "median,nonsense"],
            "report" => ["report", compareFolder, "--out-dir", Path.Combine(folder, "never"), "--columns", "median,nonsense"],
            _ => [.. Commands[command], "--columns", "median,nonsense"],
        };
        var (code, stdout, stderr) = Run(args, TerminalMode.UnknownWidth);
        Assert.That(code, Is.EqualTo(2), stdout);
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain("unknown column 'nonsense'").And.Contain("median").And.Contain("speedup"));
        Assert.That(Directory.Exists(Path.Combine(folder, "never")), Is.False, "nothing written");
    }

    [Test]
    public void WidthIsColumnsElseTheTerminalsElseAHundredAndUnderALauncherNeverThePseudoTerminals()
    {
        Assert.That(TerminalMode.DecideWidth(v => v == "COLUMNS" ? "72" : null, () => 200), Is.EqualTo(72));
        Assert.That(TerminalMode.DecideWidth(_ => null, () => 132), Is.EqualTo(132));
        Assert.That(TerminalMode.DecideWidth(_ => null, () => null), Is.EqualTo(TerminalMode.UnknownWidth));
        Assert.That(TerminalMode.DecideWidth(v => v == "COLUMNS" ? "wide" : null, () => null), Is.EqualTo(TerminalMode.UnknownWidth));
        Assert.That(TerminalMode.DecideWidth(v => v == "OMPI_COMM_WORLD_RANK" ? "0" : null, () => 300), Is.EqualTo(TerminalMode.UnknownWidth));
        Assert.That(TerminalMode.DecideWidth(v => v switch { "OMPI_COMM_WORLD_RANK" => "0", "COLUMNS" => "80", _ => null }, () => 300), Is.EqualTo(80));
    }

    [Test]
    public void FittingKeepsEssentialsAddsOptionalsByPriorityAndShortensCellsLast()
    {
        TableColumn[] columns =
        [
            new("name", ["name"], ColumnPriority.Backend, RightAligned: false),
            new("late", ["late"], ColumnPriority.Optional + 5),
            new("median", ["median"], ColumnPriority.Median),
            new("early", ["early"], ColumnPriority.Optional),
            new("check", ["check"], ColumnPriority.Check, RightAligned: false) { Shorten = TableColumn.Verdict },
        ];
        string[][] rows = [["alpha", "1234567890", "1.0 s", "12345", "ok inside=785404"]];

        FittedTable all = TextTable.Fit(columns, rows, width: 200, drawn: false);
        Assert.That(all.Shown, Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        Assert.That(all.Shortened, Is.Empty);

        // Optional columns come before full cells: at 40 all fit with the check cut to its verdict
        // (name 5 + late 10 + median 6 + early 5 + check 5 and 8 of separators = 39).
        FittedTable roomy = TextTable.Fit(columns, rows, width: 40, drawn: false);
        Assert.That(roomy.Shown, Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        Assert.That(roomy.Shortened, Is.EqualTo(new[] { 4 }));

        // At 30 "late" (the lower priority) no longer fits, "early" does: 27.
        FittedTable fitted = TextTable.Fit(columns, rows, width: 30, drawn: false);
        Assert.That(fitted.Shown, Is.EqualTo(new[] { 0, 2, 3, 4 }));
        Assert.That(fitted.LeftOut, Is.EqualTo(new[] { 1 }));

        // At 20 the essential columns alone, the check cut to its verdict: 5 + 6 + 5 + 4 = 20.
        FittedTable narrow = TextTable.Fit(columns, rows, width: 20, drawn: false);
        Assert.That(narrow.Shown, Is.EqualTo(new[] { 0, 2, 4 }));
        Assert.That(narrow.Cells(rows)[0], Is.EqualTo(new[] { "alpha", "1.0 s", "ok" }));
        Assert.That(narrow.LeftOutEssential, Is.False);

        // Narrower than the essential columns: the first column stays, the least important essential (median, not check) goes first.
        FittedTable tiny = TextTable.Fit(columns, rows, width: 12, drawn: false);
        Assert.That(tiny.Shown, Is.EqualTo(new[] { 0, 4 }));
        Assert.That(tiny.LeftOutEssential, Is.True);
    }

    [Test]
    public void ALongHeadingTakesTwoLinesOnlyWhereThatMakesItFit()
    {
        TableColumn[] columns =
        [
            new("backend", ["backend"], ColumnPriority.Backend, RightAligned: false),
            new("ranks x threads", ["ranks"], ColumnPriority.Shape),
        ];
        string[][] rows = [["c-openmp", "1x2"]];
        Assert.That(TextTable.Fit(columns, rows, 30, drawn: false).Split, Is.False);
        FittedTable split = TextTable.Fit(columns, rows, 20, drawn: false);
        Assert.That(split.Split, Is.True);
        Assert.That(split.Headings(split.Cells(rows)), Is.EqualTo(new[] { new[] { string.Empty, "ranks x" }, new[] { "backend", "threads" } }));
    }

    [Test]
    public void TheNoteIsWrappedToTheWidth()
    {
        string[] lines = [.. TextTable.Wrap("left out to fit 40 columns: darts, inside, estimate, |est-pi|, runs; --columns all shows them all", 40)];
        Assert.That(lines, Has.All.Length.LessThanOrEqualTo(40));
        Assert.That(string.Join(" ", lines), Is.EqualTo("left out to fit 40 columns: darts, inside, estimate, |est-pi|, runs; --columns all shows them all"));
    }

    private static (int Code, string Out, string Err) Run(string[] args, int width, int limitSeconds = 120) =>
        width == TerminalMode.UnknownWidth
            ? DriverProcess.Run(args, limitSeconds: limitSeconds, unset: ["COLUMNS"])
            : DriverProcess.Run(args, new Dictionary<string, string> { ["COLUMNS"] = width.ToString(System.Globalization.CultureInfo.InvariantCulture) }, limitSeconds);

    /// <summary>The heading line of the first table (the line above its rule of dashes).</summary>
    private static string HeaderOf(string output)
    {
        string[] lines = output.Split('\n');
        int rule = Array.FindIndex(lines, IsRule);
        Assert.That(rule, Is.GreaterThan(0), output);
        return lines[rule - 1];
    }

    private static bool IsRule(string line) => line.Length > 0 && line.Trim().All(c => c is '-' or ' ') && line.Contains("--", StringComparison.Ordinal);

    /// <summary>
    /// Every table's lines are at most <paramref name="width"/> long: its heading lines, its rule, its rows (the lines
    /// on the rule's grid: blank where the rule has a gap between columns) and the note under it.
    /// </summary>
    private static void AssertTablesFit(string output, int width, int tables)
    {
        string[] lines = output.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
        int[] rules = [.. Enumerable.Range(0, lines.Length).Where(i => IsRule(lines[i]))];
        Assert.That(rules, Has.Length.EqualTo(tables), output);
        foreach (int rule in rules)
        {
            string ruler = lines[rule];
            int[] gaps = [.. Enumerable.Range(0, ruler.Length).Where(i => ruler[i] == ' ')];
            bool OnGrid(string line) => line.Length > 0 && gaps.All(g => g >= line.Length || line[g] == ' ');
            var table = new List<string> { lines[rule - 1], ruler };
            if (rule >= 2 && OnGrid(lines[rule - 2]))
            {
                table.Add(lines[rule - 2]);
            }

            int next = rule + 1;
            for (; next < lines.Length && OnGrid(lines[next]); next++)
            {
                table.Add(lines[next]);
            }

            if (next < lines.Length && (lines[next].StartsWith("left out", StringComparison.Ordinal) || lines[next].StartsWith("shortened", StringComparison.Ordinal)))
            {
                // The notice wraps at the width, and "them all" may itself be split over two lines.
                string notice = string.Empty;
                for (; next < lines.Length && lines[next].Length > 0; next++)
                {
                    table.Add(lines[next]);
                    notice += " " + lines[next];
                    if (notice.EndsWith("them all", StringComparison.Ordinal))
                    {
                        break;
                    }
                }
            }

            Assert.That(table, Has.All.Length.LessThanOrEqualTo(width), string.Join('\n', table));
        }
    }
}
