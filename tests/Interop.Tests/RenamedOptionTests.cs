using Interop.Cli;

namespace Interop.Tests;

/// <summary>
/// One name per concept: --size is the matrix order and --out-dir a results folder in every
/// command (-o is always an output file). The old spellings still work, hidden from help, with a
/// one-line note; both at once is a usage error.
/// </summary>
public sealed class RenamedOptionTests
{
    [Test]
    public void TheOldSpellingOfTheMatrixOrderStillWorksWithANote()
    {
        var (code, output, error) = Cli.Run("inv", "--n", "12", "--backend", "lapack", "--repeat", "1");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("n = 12"));
        Assert.That(error.TrimEnd(), Is.EqualTo("interop: note: --n is renamed --size; the old spelling still works for now"));
    }

    [Test]
    public void BothSpellingsAtOnceAreAUsageError()
    {
        var (code, _, error) = Cli.Run("inv", "--n", "12", "--size", "12");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--n is the old spelling of --size"));
    }

    [Test]
    public void TheOldResultsFolderSpellingsStillWork()
    {
        string dir = Directory.CreateTempSubdirectory("interop-renamed-").FullName;
        try
        {
            foreach (string spelling in new[] { "--out", "-o" })
            {
                string folder = Path.Combine(dir, spelling.TrimStart('-'));
                var (code, _, error) = Cli.Run("compare", "--quick", "--workload", "pi", "--darts", "2e5", "--threads", "1", "--backend", "c-openmp", spelling, folder);
                Assert.That(code, Is.EqualTo(0), error);
                Assert.That(File.Exists(Path.Combine(folder, "results.json")), Is.True);
                Assert.That(error, Does.Contain($"interop: note: {spelling} is renamed --out-dir"));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase("inv", "--size", "--n")]
    [TestCase("compare", "--size", "--n")]
    [TestCase("compare", "--out-dir", "--out")]
    [TestCase("report", "--out-dir", "--out")]
    public void HelpShowsTheNewNameOnly(string command, string current, string old)
    {
        var (code, output, _) = Cli.Run(command, "--help");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain(current));
        Assert.That(output, Does.Not.Match($@"(^|[\s,]){old}(\s|,|$)"));
    }

    [Test]
    public void MinusOIsAnOutputFileWhereverItIsShown()
    {
        foreach (string command in new[] { "pi", "inv", "compare", "report", "env" })
        {
            var (_, output, _) = Cli.Run(command, "--help");
            foreach (string line in output.Split('\n').Where(l => l.Contains("-o,", StringComparison.Ordinal)))
            {
                Assert.That(line, Does.Contain("--output"), $"{command}: {line}");
            }
        }
    }
}
