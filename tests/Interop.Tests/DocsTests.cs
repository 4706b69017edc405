using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Interop.Cli.Compare;
using Interop.Cli.Schema;

namespace Interop.Tests;

/// <summary>
/// README.md is a front door (short; set-up, first run and its output on the first screen) and the
/// pages under docs/ stay navigable and honest: each has a contents list that matches its headings,
/// every results file a page points at exists and parses, and nothing points at files a clone of this
/// repository does not have. DocumentedCommandTests runs the commands of the same pages.
/// </summary>
public sealed partial class DocsTests
{
    /// <summary>README's length limit: past it, material belongs on a docs/ page.</summary>
    public const int ReadmeMostLines = 250;

    /// <summary>The first screen of README: set-up commands and the first run's output start within it.</summary>
    public const int FirstScreenLines = 40;

    /// <summary>The two commands a newcomer runs first, exactly as README gives them.</summary>
    public static readonly string[] SetUpCommands = ["./build.sh && build/bin/interop compare", "./build.sh test"];

    /// <summary>The only files a results folder under docs/results/ keeps (charts are left out to keep the repository small).</summary>
    public static readonly string[] ResultsFolderFiles = ["report.md", "results.csv", "results.json"];

    private static string Root => TestEnvironment.RepositoryRoot;

    private static string ReadmePath => Path.Combine(Root, "README.md");

    private static string ResultsRoot => Path.Combine(Root, "docs", "results");

    /// <summary>The documentation pages: every .md directly under docs/ (docs/results/ holds generated reports, not pages).</summary>
    public static IEnumerable<TestCaseData> Pages() =>
        Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.TopDirectoryOnly)
            .Order(StringComparer.Ordinal)
            .Select(p => new TestCaseData(Path.GetFileName(p)).SetArgDisplayNames(Path.GetFileName(p)));

    [Test]
    public void ReadmeIsAFrontDoorOfAtMostTheLimit()
    {
        int lines = File.ReadAllText(ReadmePath).TrimEnd('\n').Split('\n').Length;
        Assert.That(lines, Is.LessThanOrEqualTo(ReadmeMostLines), $"README.md has {lines} lines: move reference material to a docs/ page");
    }

    [Test]
    public void ReadmeFirstScreenHoldsTheSetUpCommandsAndTheFirstRunsOutput()
    {
        string[] lines = ReadLines(ReadmePath);
        string[] screen = [.. lines.Take(FirstScreenLines)];
        int lastCommand = -1;
        foreach (string command in SetUpCommands)
        {
            int at = Array.FindIndex(screen, l => l.Trim() == command);
            Assert.That(at, Is.GreaterThanOrEqualTo(0), $"README's first {FirstScreenLines} lines do not hold the line `{command}`");
            Assert.That(InsideFence(lines, at, "sh"), Is.True, $"`{command}` is not inside a ```sh block");
            lastCommand = Math.Max(lastCommand, at);
        }

        int output = Array.FindIndex(screen, lastCommand + 1, l => Regex.IsMatch(l, @"^\s*```text\s*$"));
        Assert.That(output, Is.GreaterThan(lastCommand), $"no ```text block of the first run's output opens after the set-up commands within README's first {FirstScreenLines} lines");
        string[] block = [.. lines.Skip(output + 1).TakeWhile(l => !Regex.IsMatch(l, @"^\s*```\s*$"))];
        Assert.That(block, Is.Not.Empty, "the output block is empty");
        Assert.That(block[0], Does.StartWith("interop compare:"), "the output block starts with the header line compare prints");
        Assert.That(block.Count(l => Regex.IsMatch(l, @"^-{4,}")), Is.GreaterThanOrEqualTo(1), "the output block holds at least one table");
    }

    [TestCaseSource(nameof(Pages))]
    public void EveryPageHasAContentsListThatMatchesItsHeadings(string page)
    {
        string[] lines = ReadLines(Path.Combine(Root, "docs", page));
        List<(int Level, string Text)> headings = Headings(lines);
        Assert.That(headings.Count(h => h.Level == 1), Is.EqualTo(1), $"docs/{page}: one # title");
        int contents = headings.FindIndex(h => h.Level == 2 && h.Text == "Contents");
        Assert.That(contents, Is.GreaterThanOrEqualTo(0), $"docs/{page} has no '## Contents' section");

        string[] listed = [.. ContentsLinks(lines)];
        string[] expected = [.. Anchors(headings.Where(h => h.Level >= 2 && h.Text != "Contents").Select(h => h.Text))];
        Assert.That(listed, Is.EqualTo(expected), $"docs/{page}: the contents list's links (left) must be the anchors of its headings, in order (right)");
    }

    [TestCase("MPI: hybrid ranks × threads", "mpi-hybrid-ranks--threads")]
    [TestCase("Instruction-set paths: --isa", "instruction-set-paths---isa")]
    [TestCase("A workload's own fields", "a-workloads-own-fields")]
    [TestCase("Scaled sizes: INTEROP_SIZE_SCALE", "scaled-sizes-interop_size_scale")]
    [TestCase("The `--dry-run` check", "the---dry-run-check")]
    [TestCase("See [backends](backends.md) **first**", "see-backends-first")]
    [TestCase("Provenance and results.csv", "provenance-and-resultscsv")]
    public void AnchorsFollowGitHubsRules(string heading, string anchor) =>
        Assert.That(Anchors([heading]).Single(), Is.EqualTo(anchor));

    [Test]
    public void RepeatedHeadingsGetNumberedAnchorsAsOnGitHub() =>
        Assert.That(Anchors(["Notes", "Other", "Notes", "Notes"]), Is.EqualTo(new[] { "notes", "other", "notes-1", "notes-2" }));

    [Test]
    public void EveryResultsFileTheDocsPointAtExistsAndParses()
    {
        var referenced = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string file in DocumentationFiles())
        {
            foreach ((int line, string target) in LinkTargets(ReadLines(file)))
            {
                string resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, target));
                if (!resolved.StartsWith(ResultsRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    continue;
                }

                string where = $"{Path.GetRelativePath(Root, file)}:{line} links {target}";
                Assert.That(File.Exists(resolved) || Directory.Exists(resolved), Is.True, $"{where}, which does not exist");
                string folder = Directory.Exists(resolved) ? resolved : Path.GetDirectoryName(resolved)!;
                Assert.That(File.Exists(Path.Combine(folder, "results.json")), Is.True, $"{where}: its folder has no results.json");
                referenced.Add(folder);
            }
        }

        Assert.That(referenced, Is.Not.Empty, "README and docs/ link no results folder under docs/results/");
        foreach (string folder in referenced)
        {
            string name = Path.GetRelativePath(Root, folder);
            CompareRun run = ResultsJsonReader.Read(Path.Combine(folder, "results.json"));
            Assert.That(run.Points, Is.Not.Empty, $"{name}/results.json has no points");
            Assert.That(run.Complete, Is.True, $"{name}/results.json is of a run that did not finish");
            string csv = Path.Combine(folder, "results.csv");
            if (File.Exists(csv))
            {
                AssertCsvIsRectangular(csv, name);
            }
        }
    }

    [Test]
    public void EveryLinkBetweenPagesReachesAFileAndAHeading()
    {
        var broken = new List<string>();
        foreach (string file in DocumentationFiles())
        {
            foreach ((int line, string link) in LinkTargets(ReadLines(file), keepFragments: true))
            {
                string[] parts = link.Split('#', 2);
                string target = parts[0].Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, parts[0]));
                string where = $"{Path.GetRelativePath(Root, file)}:{line} ({link})";
                if (!File.Exists(target) && !Directory.Exists(target))
                {
                    broken.Add($"{where}: no such file");
                }
                else if (parts.Length == 2 && target.EndsWith(".md", StringComparison.Ordinal)
                    && !Anchors(Headings(ReadLines(target)).Select(h => h.Text)).Contains(parts[1]))
                {
                    broken.Add($"{where}: no heading with that anchor");
                }
            }
        }

        Assert.That(broken, Is.Empty);
    }

    [Test]
    public void ResultsFoldersKeepOnlyTheirDataFilesAndEveryOneIsLinked()
    {
        if (!Directory.Exists(ResultsRoot))
        {
            Assert.Pass("no docs/results/");
        }

        string linkedText = string.Join('\n', DocumentationFiles().Select(File.ReadAllText));
        foreach (string folder in Directory.EnumerateDirectories(ResultsRoot))
        {
            string name = Path.GetFileName(folder);
            string[] files = [.. Directory.EnumerateFileSystemEntries(folder).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];
            Assert.That(files.Except(ResultsFolderFiles), Is.Empty, $"docs/results/{name} keeps only {string.Join(", ", ResultsFolderFiles)}");
            Assert.That(files, Does.Contain("results.json"), $"docs/results/{name} has no results.json");
            Assert.That(linkedText.Contains($"results/{name}/", StringComparison.Ordinal), Is.True, $"docs/results/{name} is linked from no page: link it or remove it");
        }
    }

    [Test]
    public void NoFilePointsAtTheSharedReferenceFolder()
    {
        // Spelt in two parts so that this file does not match itself.
        string reference = string.Concat("shared", "/reference/");
        var offenders = new List<string>();
        foreach (string file in RepositoryTextFiles())
        {
            string text = File.ReadAllText(file);
            int at = text.IndexOf(reference, StringComparison.Ordinal);
            if (at >= 0)
            {
                int line = text.AsSpan(0, at).Count('\n') + 1;
                offenders.Add($"{Path.GetRelativePath(Root, file)}:{line}");
            }
        }

        Assert.That(offenders, Is.Empty, $"a clone has no {reference}: point at docs/workload-spec.md (or another docs/ page) instead");
    }

    /// <summary>README.md and every .md directly under docs/.</summary>
    private static IEnumerable<string> DocumentationFiles() =>
        [ReadmePath, .. Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal)];

    /// <summary>The sources, scripts and documentation of the repository (build outputs left out).</summary>
    private static IEnumerable<string> RepositoryTextFiles()
    {
        string[] extensions = [".cs", ".c", ".h", ".cpp", ".hpp", ".f90", ".rs", ".md", ".sh", ".ps1", ".txt", ".json", ".cmake", ".toml", ".props", ".targets", ".csproj", ".py"];
        string[] skipped = ["bin", "obj", "build", "target", ".git", "results"];
        yield return ReadmePath;
        foreach (string top in new[] { "managed", "native", "tests", "docs", "examples", "cmake" })
        {
            string start = Path.Combine(Root, top);
            if (!Directory.Exists(start))
            {
                continue;
            }

            var pending = new Stack<string>([start]);
            while (pending.TryPop(out string? folder))
            {
                foreach (string sub in Directory.EnumerateDirectories(folder).Where(d => !skipped.Contains(Path.GetFileName(d))))
                {
                    pending.Push(sub);
                }

                foreach (string file in Directory.EnumerateFiles(folder).Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant()) || Path.GetFileName(f) == "CMakeLists.txt"))
                {
                    yield return file;
                }
            }
        }

        foreach (string file in new[] { "build.sh", "build.ps1", "CMakeLists.txt" }.Select(f => Path.Combine(Root, f)).Where(File.Exists))
        {
            yield return file;
        }
    }

    private static string[] ReadLines(string path) => [.. File.ReadAllText(path).Split('\n').Select(l => l.TrimEnd('\r'))];

    /// <summary>Whether line <paramref name="index"/> lies inside a fenced block opened with <paramref name="label"/>.</summary>
    private static bool InsideFence(string[] lines, int index, string label)
    {
        string? open = null;
        for (int i = 0; i < index; i++)
        {
            Match fence = Fence().Match(lines[i]);
            if (fence.Success)
            {
                open = open is null ? fence.Groups[1].Value : null;
            }
        }

        return open == label;
    }

    /// <summary>ATX headings (# to ######) outside fenced code blocks, in order.</summary>
    private static List<(int Level, string Text)> Headings(string[] lines)
    {
        var found = new List<(int, string)>();
        bool inFence = false;
        foreach (string line in lines)
        {
            if (Fence().IsMatch(line))
            {
                inFence = !inFence;
                continue;
            }

            if (!inFence && Heading().Match(line) is { Success: true } h)
            {
                found.Add((h.Groups[1].Value.Length, h.Groups[2].Value.Trim()));
            }
        }

        return found;
    }

    /// <summary>The anchors linked by the list right under '## Contents' (items may nest by indentation).</summary>
    private static IEnumerable<string> ContentsLinks(string[] lines)
    {
        int start = Array.FindIndex(lines, l => l.Trim() == "## Contents");
        int i = start + 1;
        while (i < lines.Length && lines[i].Trim().Length == 0)
        {
            i++;
        }

        for (; i < lines.Length && ContentsItem().Match(lines[i]) is { Success: true } item; i++)
        {
            yield return item.Groups[1].Value;
        }
    }

    /// <summary>
    /// GitHub's anchors for headings (github-slugger on the rendered text): markup removed, lower case,
    /// every character but letters, marks, digits, '_', '-' and spaces dropped, spaces as '-', and a
    /// repeated anchor numbered -1, -2, ...
    /// </summary>
    internal static IEnumerable<string> Anchors(IEnumerable<string> headings)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string heading in headings)
        {
            string text = MarkdownLink().Replace(heading, "$1").Replace("`", "", StringComparison.Ordinal).Replace("*", "", StringComparison.Ordinal);
            var slug = new StringBuilder();
            foreach (char c in text.ToLowerInvariant())
            {
                UnicodeCategory category = char.GetUnicodeCategory(c);
                if (char.IsLetterOrDigit(c) || c is '-' or ' ' || category is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
                {
                    slug.Append(c == ' ' ? '-' : c);
                }
            }

            string anchor = slug.ToString();
            if (seen.TryGetValue(anchor, out int count))
            {
                seen[anchor] = count + 1;
                yield return $"{anchor}-{count}";
            }
            else
            {
                seen[anchor] = 1;
                yield return anchor;
            }
        }
    }

    /// <summary>The relative targets of markdown links outside code blocks (URLs left out; fragments too unless asked for), with their lines.</summary>
    private static IEnumerable<(int Line, string Target)> LinkTargets(string[] lines, bool keepFragments = false)
    {
        bool inFence = false;
        for (int i = 0; i < lines.Length; i++)
        {
            if (Fence().IsMatch(lines[i]))
            {
                inFence = !inFence;
                continue;
            }

            if (inFence)
            {
                continue;
            }

            foreach (Match link in LinkTarget().Matches(lines[i]))
            {
                string target = keepFragments ? link.Groups[1].Value : link.Groups[1].Value.Split('#')[0];
                if (target.Length > 0 && !target.Contains("://", StringComparison.Ordinal) && !target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    yield return (i + 1, target);
                }
            }
        }
    }

    private static void AssertCsvIsRectangular(string path, string name)
    {
        string[] rows = [.. File.ReadAllText(path).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];
        Assert.That(rows, Has.Length.GreaterThan(1), $"{name}/results.csv has a header and no rows");
        int columns = CsvFields(rows[0]);
        for (int r = 1; r < rows.Length; r++)
        {
            Assert.That(CsvFields(rows[r]), Is.EqualTo(columns), $"{name}/results.csv row {r + 1} has another number of fields than the header");
        }
    }

    /// <summary>The fields of one CSV row (RFC 4180 quoting: commas inside quotes do not split).</summary>
    private static int CsvFields(string row)
    {
        int fields = 1;
        bool quoted = false;
        foreach (char c in row)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields++;
            }
        }

        return fields;
    }

    [GeneratedRegex(@"^\s*```\s*([A-Za-z0-9_+-]*)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^(#{1,6})\s+(.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\s*[-*]\s+\[[^\]]+\]\(#([^)]*)\)\s*$")]
    private static partial Regex ContentsItem();

    [GeneratedRegex(@"\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex LinkTarget();
}
