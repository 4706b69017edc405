using Interop.Backends;
using Interop.Cli;
using Interop.Cli.Workloads;
using Interop.Cli.Workloads.Pi;
using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// --help (issue 22): the root's description and backend list are written from the backend catalog and
/// the workload registry, so every name in them appears without an edit to the help; every screen fits
/// the terminal's width (COLUMNS); every command's help ends with an example line; and -n, which reads
/// as mpiexec's number of ranks, no longer means darts.
/// </summary>
[NonParallelizable]
public sealed class HelpTests
{
    private const int Columns = 80;

    private string? savedColumns;

    [SetUp]
    public void SetColumns()
    {
        savedColumns = Environment.GetEnvironmentVariable("COLUMNS");
        Environment.SetEnvironmentVariable("COLUMNS", Columns.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [TearDown]
    public void RestoreColumns() => Environment.SetEnvironmentVariable("COLUMNS", savedColumns);

    // Every help screen: the root's and each command's.
    private static IEnumerable<string[]> Screens() => [[], .. Driver.CommandNames.Select(c => new[] { c })];

    // The text with its line breaks and indents as single spaces.
    private static string Words(string text) => string.Join(' ', text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));

    private static string Help(params string[] command)
    {
        var (code, output, error) = Cli.Run([.. command, "--help"]);
        Assert.That(code, Is.EqualTo(Driver.Success), error);
        Assert.That(error, Is.Empty);
        return output;
    }

    [Test]
    public void RootHelpNamesEveryBackendOfTheCatalogUnderItsLanguageAndEveryWorkload()
    {
        string help = Help();
        IBackend[] backends = [.. BackendCatalog.All<IBackend>()];
        Assert.That(backends.Select(b => b.Language).Distinct(), Is.SupersetOf(new[] { "C#", "LAPACK" }), "the catalog this test reads");
        string[] lines = help.Split('\n');
        foreach (IBackend backend in backends)
        {
            string? row = lines.FirstOrDefault(l => l.TrimStart().StartsWith(backend.Language + " ", StringComparison.Ordinal));
            Assert.That(row, Is.Not.Null, $"a row for {backend.Language}\n{help}");
            Assert.That(row, Does.Contain(backend.Name), $"{backend.Name} in its language's row");
        }

        string description = Words(help.Split("Usage:")[0]);
        foreach (IWorkload workload in WorkloadRegistry.All)
        {
            Assert.That(description, Does.Contain($"{workload.Name} ({workload.Title})"), "the description names each workload");
            Assert.That(lines, Has.Some.StartsWith($"  {workload.Name} "), "and its command");
        }

        foreach (string language in backends.Select(b => b.Language).Distinct())
        {
            Assert.That(description, Does.Contain(language), "the description names each language");
        }
    }

    [Test]
    public void EveryKernelRowOfTheTableHasALanguageAndItsBackendShowsIt()
    {
        foreach (var kernel in Native.NativeKernelTable.Default.Kernels)
        {
            Assert.That(kernel.Language, Is.Not.Empty, kernel.Backend);
            Assert.That(BackendCatalog.All<IBackend>().Single(b => b.Name == kernel.Backend).Language, Is.EqualTo(kernel.Language));
        }
    }

    [Test]
    public void AWorkloadRegisteredLaterAppearsInTheRootHelp()
    {
        const string Fake = "stencil";
        Assert.That(Help(), Does.Not.Contain(Fake), "not before it is registered");
        using (WorkloadRegistry.Register(WorkloadDiscoveryTests.StencilWorkload.Instance))
        {
            string help = Help();
            Assert.That(Words(help), Does.Contain($"{Fake} ({WorkloadDiscoveryTests.StencilWorkload.Instance.Title})"), "in the description");
            Assert.That(help.Split('\n'), Has.Some.StartsWith($"  {Fake} "), "and among the commands");
        }
    }

    [TestCaseSource(nameof(Screens))]
    public void EveryHelpScreenFitsTheColumns(string[] command)
    {
        string help = Help(command);
        string[] tooLong = [.. help.Split('\n').Where(l => l.Length > Columns)];
        Assert.That(tooLong, Is.Empty, $"lines over {Columns} columns in 'interop {string.Join(' ', command)} --help'");
    }

    [Test]
    public void ANarrowerTerminalGetsNarrowerHelp()
    {
        Environment.SetEnvironmentVariable("COLUMNS", "60");
        Assert.That(Help("pi").Split('\n').Max(l => l.Length), Is.LessThanOrEqualTo(60));
    }

    [TestCaseSource(nameof(Screens))]
    public void EveryHelpScreenEndsWithOneExampleLineThatParses(string[] command)
    {
        string[] lines = Help(command).TrimEnd().Split('\n');
        string[] examples = [.. lines.Where(l => l.StartsWith("Example: ", StringComparison.Ordinal))];
        Assert.That(examples, Has.Length.EqualTo(1));
        Assert.That(lines[^1], Is.EqualTo(examples[0]), "the last line");

        // The example is a command line the driver accepts: its --dry-run (where the command has one)
        // or its parse finds no error.
        string[] words = examples[0]["Example: ".Length..].Split(' ');
        Assert.That(words[0], Is.EqualTo("interop"));
        Assert.That(words.Skip(1).Take(command.Length), Is.EqualTo(command), "an example of this command");
        System.CommandLine.RootCommand root = Driver.CreateRoot(TextWriter.Null, TextWriter.Null);
        Assert.That(root.Parse(words[1..]).Errors, Is.Empty, examples[0]);
    }

    [TestCase("pi", "-n", "5")]
    [TestCase("pi", "--backend", "c-openmp", "-n", "1e6")]
    [TestCase("pi", "-n")]
    [TestCase("compare", "--quick", "--workload", "pi", "-n", "1e6", "--dry-run")]
    public void DashNForDartsIsAUsageErrorThatSaysWhatToUse(params string[] args)
    {
        var (code, output, error) = Cli.Run(args);
        Assert.That(code, Is.EqualTo(Driver.UsageError), output);
        Assert.That(error.TrimEnd(), Is.EqualTo($"interop: {DartsSpelling.RefusedMessage}"));
        Assert.That(DartsSpelling.RefusedMessage, Does.Contain("--darts").And.Contain("-d").And.Contain("mpiexec"));
    }

    [TestCase("pi", "1e5")]
    [TestCase("pi", "--darts", "1e5")]
    [TestCase("pi", "-d", "1e5")]
    public void DartsArePositionalOrDashDashDartsOrDashD(params string[] darts)
    {
        var (code, output, error) = Cli.Run([.. darts, "--backend", "managed-serial", "--dry-run"]);
        Assert.That(code, Is.EqualTo(Driver.Success), error);
        Assert.That(output + error, Does.Contain("100,000 darts"));
    }

    [Test]
    public void DartsGivenTwiceIsAUsageError()
    {
        var (code, _, error) = Cli.Run("pi", "1e5", "--darts", "1e5", "--dry-run");
        Assert.That(code, Is.EqualTo(Driver.UsageError));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error, Does.Contain("given twice"));
    }

    [Test]
    public void TheRanksCompareThePositionalDartsAsDashDashDarts()
    {
        System.CommandLine.RootCommand root = Driver.CreateRoot(TextWriter.Null, TextWriter.Null);
        Assert.That(Interop.Cli.Jobs.CommandLineText.Of(root.Parse(["pi", "1e6", "-t", "2"])).ToString(), Is.EqualTo("interop pi --darts 1e6 --threads 2"));
        Assert.That(Interop.Cli.Jobs.CommandLineText.Of(root.Parse(["pi", "-d", "1e6", "-t", "2"])).ToString(), Is.EqualTo("interop pi --darts 1e6 --threads 2"));
    }

    [Test]
    public void TheBuiltDriverFitsItsHelpToColumnsUnderATerminalType()
    {
        var run = DriverProcess.Run(["--help"], new Dictionary<string, string> { ["COLUMNS"] = "80", ["TERM"] = "xterm" });
        Assert.That(run.Code, Is.EqualTo(Driver.Success), run.Err);
        Assert.That(run.Out.Split('\n').Max(l => l.Length), Is.LessThanOrEqualTo(Columns), run.Out);
        Assert.That(run.Out, Does.Contain("Backends (--backend), by language:"));
    }
}
