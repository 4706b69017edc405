using Interop.Cli;
using Spectre.Console.Testing;

namespace Interop.Tests;

/// <summary>When tables and progress are drawn with Spectre.Console, and that plain text stays plain.</summary>
public sealed class TerminalModeTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Test]
    public void AnInteractiveTerminalIsDrawnOn() =>
        Assert.That(TerminalMode.Decide(ownDescriptor: true, isTerminal: true, Env(("TERM", "xterm-256color"))), Is.True);

    [Test]
    public void ARedirectedDescriptorGetsPlainText() =>
        Assert.That(TerminalMode.Decide(ownDescriptor: true, isTerminal: false, Env(("TERM", "xterm"))), Is.False);

    [Test]
    public void AWriterOtherThanStdoutOrStderrGetsPlainText()
    {
        Assert.That(TerminalMode.Decide(ownDescriptor: false, isTerminal: true, Env(("TERM", "xterm"))), Is.False);
        Assert.That(TerminalMode.IsInteractive(new StringWriter()), Is.False);
    }

    [TestCase("OMPI_COMM_WORLD_RANK")]
    [TestCase("PMI_RANK")]
    [TestCase("PMIX_RANK")]
    [TestCase("SLURM_PROCID")]
    public void EveryRankUnderALauncherGetsPlainText(string variable) =>
        Assert.That(TerminalMode.Decide(true, true, Env(("TERM", "xterm"), (variable, "0"))), Is.False);

    [TestCase(null)]
    [TestCase("")]
    [TestCase("dumb")]
    public void ADumbOrUnsetTermGetsPlainText(string? term) =>
        Assert.That(TerminalMode.Decide(true, true, name => name == "TERM" ? term : null), Is.False);

    [Test]
    public void InteropPlainForcesPlainText()
    {
        Assert.That(TerminalMode.Decide(true, true, Env(("TERM", "xterm"), ("INTEROP_PLAIN", "1"))), Is.False);
        Assert.That(TerminalMode.Decide(true, true, Env(("TERM", "xterm"), ("INTEROP_PLAIN", "0"))), Is.True);
    }

    [Test]
    public void NoColorTurnsColourOffButKeepsDrawing()
    {
        Func<string, string?> env = Env(("TERM", "xterm"), ("NO_COLOR", "1"));
        Assert.That(TerminalMode.Decide(true, true, env), Is.True);
        Assert.That(TerminalMode.ColorWanted(env), Is.False);
        Assert.That(TerminalMode.ColorWanted(Env(("TERM", "xterm"))), Is.True);

        var text = new StringWriter();
        TextTable.WriteDrawn(TerminalMode.Create(text, color: false), ["a"], [["1"]], [true]);
        Assert.That(text.ToString(), Does.Not.Contain("\u001b[3"), "no foreground colour codes");
    }

    [Test]
    public void ThePlainTableIsByteForByteAsBefore()
    {
        var text = new StringWriter { NewLine = "\n" };
        TextTable.Write(text, ["backend", "time", "note"], [["lapack", "0.390 s", ""], ["c-openmp", "12.5 s", "x"]], [false, true, false]);
        Assert.That(text.ToString(), Is.EqualTo(
            "backend      time  note\n" +
            "--------  -------  ----\n" +
            "lapack    0.390 s\n" +
            "c-openmp   12.5 s  x\n"));
    }

    [Test]
    public void TheDrawnTableHasTheHeadersAndCells()
    {
        var console = new TestConsole().Width(120);
        TextTable.WriteDrawn(console, ["backend", "time [s]", "speedup"], [["lapack", "0.390", "1.00x"], ["c-openmp", "12.5", "0.03x"]], [false, true, true]);
        string drawn = console.Output;
        foreach (string cell in new[] { "backend", "time [s]", "speedup", "lapack", "0.390", "1.00x", "c-openmp", "12.5", "0.03x" })
        {
            Assert.That(drawn, Does.Contain(cell));
        }

        Assert.That(drawn, Does.Contain("╭"), "a rounded border");
    }

    [Test]
    public void TheDrawnWidthIsWhatSpectreDraws()
    {
        string[] header = ["backend", "time [s]"];
        string[][] rows = [["lapack", "0.390"], ["c-openmp", "12.5"]];
        var console = new TestConsole().Width(200);
        TextTable.WriteDrawn(console, header, rows, [false, true]);
        int widest = console.Output.Split('\n').Max(l => l.TrimEnd().Length);
        Assert.That(TextTable.DrawnWidth(header, rows), Is.EqualTo(widest));
    }

    [Test]
    public void SquareBracketsInCellsAreNotTakenAsMarkup()
    {
        var console = new TestConsole().Width(80);
        TextTable.WriteDrawn(console, ["time [s]"], [["[red]"]], [false]);
        Assert.That(console.Output, Does.Contain("[red]"));
    }
}
