using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;
using System.Text;
using Interop.Backends;
using Interop.Cli.Workloads;
using Interop.Core;

namespace Interop.Cli;

/// <summary>
/// What --help prints beyond System.CommandLine's own screen: the root's description and its list of
/// backends, written from the backend catalog and the workload registry (so a new backend or workload
/// shows up without an edit here), one example line at the end of every command's help, and the
/// width every screen is wrapped to.
/// </summary>
internal static class HelpText
{
    /// <summary>The width help is wrapped to when neither COLUMNS nor a terminal says one (pipes, files, tests).</summary>
    public const int DefaultWidth = 80;

    // Wider lines are hard to read, even on a wide terminal.
    private const int MaxWidth = 120;

    // Narrower than this, System.CommandLine's two columns leave no room for words.
    private const int MinWidth = 40;

    private const string Indent = "  ";

    private static readonly ConditionalWeakTable<Command, string> Examples = [];

    /// <summary>Sets the example line <paramref name="commandLine"/> ("interop pi --darts 1e8") that ends <paramref name="command"/>'s help.</summary>
    public static TCommand Example<TCommand>(this TCommand command, string commandLine)
        where TCommand : Command
    {
        Examples.AddOrUpdate(command, commandLine);
        return command;
    }

    /// <summary>The example line of <paramref name="command"/>'s help, or null when it has none.</summary>
    public static string? ExampleOf(Command command) => Examples.TryGetValue(command, out string? line) ? line : null;

    /// <summary>
    /// The root command's description: what the driver is and which workloads and languages it
    /// compares, named from the registry and the catalog.
    /// </summary>
    public static string RootDescription()
    {
        string[] workloads = [.. WorkloadRegistry.All.Select(w => $"{w.Name} ({w.Title})")];
        return "Interop: hybrid parallel computing from .NET. Runs the workloads " + Series(workloads) +
            " on backends in " + Series(Languages().Select(l => l.Language)) +
            ", verifies every result and compares them side by side.";
    }

    /// <summary>Every backend of the catalog (and of every registered workload), grouped by language in catalog order.</summary>
    internal static IReadOnlyList<(string Language, IReadOnlyList<string> Backends)> Languages()
    {
        IBackend[] backends = [.. BackendCatalog.All<IBackend>()
            .Concat(WorkloadRegistry.All.SelectMany(w => w.CatalogBackends))
            .DistinctBy(b => b.Name)
            .OrderBy(b => b.Order)];
        return [.. backends.GroupBy(b => b.Language).Select(g => (g.Key, (IReadOnlyList<string>)[.. g.Select(b => b.Name)]))];
    }

    /// <summary>
    /// The width help is wrapped to: COLUMNS when it holds a number, else the terminal's width when
    /// stdout is one that may be drawn on (not under a launcher), else <see cref="DefaultWidth"/>;
    /// at most <see cref="MaxWidth"/>.
    /// </summary>
    internal static int Width(TextWriter stdout, Func<string, string?> environment)
    {
        if (int.TryParse(environment("COLUMNS"), out int columns) && columns > 0)
        {
            return Math.Clamp(columns, MinWidth, MaxWidth);
        }

        if (TerminalMode.IsInteractive(stdout))
        {
            try
            {
                int width = Console.WindowWidth;
                if (width > 0)
                {
                    return Math.Clamp(width, MinWidth, MaxWidth);
                }
            }
            catch (Exception e) when (e is IOException or PlatformNotSupportedException)
            {
                // no size known: the default below
            }
        }

        return DefaultWidth;
    }

    /// <summary>Makes --help of <paramref name="root"/> and of every command under it wrap to <paramref name="width"/> and end with the extra sections.</summary>
    public static void Install(RootCommand root, int width)
    {
        foreach (HelpOption help in root.Options.OfType<HelpOption>())
        {
            help.Action = new ExtendedHelp(new HelpAction { MaxWidth = width }, width);
        }
    }

    /// <summary><paramref name="text"/> in lines of at most <paramref name="width"/> characters, each starting with <paramref name="indent"/> (words longer than a line stay whole).</summary>
    internal static IEnumerable<string> Wrap(string text, int width, string indent, string? firstIndent = null)
    {
        var line = new StringBuilder(firstIndent ?? indent);
        int start = line.Length;
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > start && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear().Append(indent);
                start = line.Length;
            }

            if (line.Length > start)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        if (line.Length > start)
        {
            yield return line.ToString();
        }
    }

    private static string Series(IEnumerable<string> items)
    {
        string[] all = [.. items];
        return all.Length <= 1 ? string.Concat(all) : string.Join(", ", all[..^1]) + " and " + all[^1];
    }

    /// <summary>System.CommandLine's help, then the root's backends and the command's example line.</summary>
    private sealed class ExtendedHelp(HelpAction standard, int width) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => standard.ClearsParseErrors;

        public override int Invoke(ParseResult parseResult)
        {
            // The standard screen is captured and written without the trailing blanks it leaves on
            // wrapped lines, which would make a line of exactly the width one too long.
            InvocationConfiguration configuration = parseResult.InvocationConfiguration;
            TextWriter output = configuration.Output;
            var screen = new StringWriter();
            int code;
            configuration.Output = screen;
            try
            {
                code = standard.Invoke(parseResult);
            }
            finally
            {
                configuration.Output = output;
            }

            foreach (string line in screen.ToString().ReplaceLineEndings("\n").Split('\n').SkipLast(1))
            {
                output.WriteLine(line.TrimEnd());
            }

            Command command = parseResult.CommandResult.Command;
            if (command is RootCommand)
            {
                WriteBackends(output);
            }

            if (ExampleOf(command) is string example)
            {
                foreach (string line in Wrap(example, width, Indent + Indent, "Example: "))
                {
                    output.WriteLine(line);
                }

                output.WriteLine();
            }

            return code;
        }

        // "Backends (--backend), by language:" and one wrapped row per language, as the Commands section is laid out.
        private void WriteBackends(TextWriter output)
        {
            var languages = Languages();
            int column = languages.Max(l => l.Language.Length) + 2;
            output.WriteLine("Backends (--backend), by language:");
            foreach ((string language, IReadOnlyList<string> backends) in languages)
            {
                string first = Indent + language.PadRight(column);
                foreach (string line in Wrap(string.Join(", ", backends), width, new string(' ', first.Length), first))
                {
                    output.WriteLine(line);
                }
            }

            output.WriteLine();
        }
    }
}
