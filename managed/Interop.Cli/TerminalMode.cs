using System.Runtime.InteropServices;
using Spectre.Console;

namespace Interop.Cli;

/// <summary>
/// Whether a writer may get Spectre.Console drawing (boxed tables, live progress) or must get the
/// plain lines that tests, CI logs, files, pipes and every rank under mpiexec read. Drawing only
/// when all hold: the writer is this process's own stdout or stderr (Console.Out/Error, set in
/// Program.cs), that descriptor is a terminal, no MPI or Slurm launcher started the process, and
/// TERM is set and not "dumb". INTEROP_PLAIN=1 forces plain text; NO_COLOR keeps drawing without colour.
/// </summary>
internal static partial class TerminalMode
{
    /// <summary>Variables a launcher sets in each process it starts (see JobFactory and MpiLaunch).</summary>
    internal static readonly string[] LauncherVariables =
        ["OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "PMI_RANK", "PMI_SIZE", "PMIX_RANK", "SLURM_PROCID", "MPI_LOCALRANKID"];

    /// <summary>The decision itself, with every input given: the tests call this.</summary>
    internal static bool Decide(bool ownDescriptor, bool isTerminal, Func<string, string?> environment)
    {
        if (!ownDescriptor || !isTerminal)
        {
            return false;
        }

        if (LauncherVariables.Any(v => !string.IsNullOrEmpty(environment(v))))
        {
            return false;
        }

        if (environment("INTEROP_PLAIN") is string plain && plain.Length > 0 && plain != "0")
        {
            return false;
        }

        string? term = environment("TERM");
        return !string.IsNullOrEmpty(term) && !term.Equals("dumb", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether <paramref name="writer"/> (stdout's or stderr's) may be drawn on.</summary>
    public static bool IsInteractive(TextWriter writer)
    {
        int descriptor = ReferenceEquals(writer, Console.Out) ? 1 : ReferenceEquals(writer, Console.Error) ? 2 : -1;
        return Decide(descriptor > 0, descriptor > 0 && IsTerminal(descriptor), Environment.GetEnvironmentVariable);
    }

    /// <summary>The width a table fits where nothing says the terminal's: pipes, files, CI logs, ranks under a launcher.</summary>
    public const int UnknownWidth = 100;

    /// <summary>
    /// The columns a table written to <paramref name="writer"/> must fit: COLUMNS where it is set (also under
    /// mpiexec, whose ranks write to a pseudo-terminal of the launcher's, not the user's), else the terminal's
    /// width where the writer is this process's own terminal outside a launcher, else <see cref="UnknownWidth"/>.
    /// </summary>
    public static int Width(TextWriter writer)
    {
        int descriptor = ReferenceEquals(writer, Console.Out) ? 1 : ReferenceEquals(writer, Console.Error) ? 2 : -1;
        bool ownTerminal = descriptor > 0 && IsTerminal(descriptor);
        return DecideWidth(Environment.GetEnvironmentVariable, () => ownTerminal ? TerminalWidth() : null);
    }

    /// <summary>The decision of <see cref="Width"/>, with every input given: the tests call this.</summary>
    internal static int DecideWidth(Func<string, string?> environment, Func<int?> terminalWidth)
    {
        if (int.TryParse(environment("COLUMNS"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int columns) && columns > 0)
        {
            return columns;
        }

        // A launcher's rank writes to the launcher's pseudo-terminal, whose size is not the user's.
        return LauncherVariables.Any(v => !string.IsNullOrEmpty(environment(v))) ? UnknownWidth
            : terminalWidth() is int width and > 0 ? width
            : UnknownWidth;
    }

    private static int? TerminalWidth()
    {
        try
        {
            return Console.WindowWidth;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Whether colour is wanted: https://no-color.org (any non-empty NO_COLOR turns it off).</summary>
    internal static bool ColorWanted(Func<string, string?> environment) => string.IsNullOrEmpty(environment("NO_COLOR"));

    /// <summary>A Spectre console that writes through <paramref name="writer"/>, never .NET's console streams.</summary>
    public static IAnsiConsole Create(TextWriter writer, bool color)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(writer),
        });
        return console;
    }

    /// <summary>The console for an interactive <paramref name="writer"/>: colour as NO_COLOR says.</summary>
    public static IAnsiConsole Create(TextWriter writer) => Create(writer, ColorWanted(Environment.GetEnvironmentVariable));

    private static bool IsTerminal(int descriptor)
    {
        if (OperatingSystem.IsWindows())
        {
            return descriptor == 1 ? !Console.IsOutputRedirected : !Console.IsErrorRedirected;
        }

        try
        {
            return IsATty(descriptor) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "isatty")]
    private static partial int IsATty(int fd);
}
