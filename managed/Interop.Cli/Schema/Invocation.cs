using System.Text.Json.Serialization;
using Interop.Mpi;

namespace Interop.Cli.Schema;

/// <summary>
/// The command line that produced a result document (schema 8, provenance.command): the program and
/// its arguments as given, the folder it ran in, and the MPI launcher and world size, so that a
/// results.json says how to run it again.
/// </summary>
internal sealed record RecordedCommand
{
    /// <summary>The launcher value of a process that no MPI launcher started.</summary>
    public const string NoLauncher = "none";

    /// <summary>The program's file name without its folder ("interop"; "dotnet interop.dll" when run through the host).</summary>
    public required string Program { get; init; }

    /// <summary>The arguments after the program, as given (before any parsing or defaults).</summary>
    public required IReadOnlyList<string> Argv { get; init; }

    /// <summary>The working folder the program ran in (relative paths among the arguments are relative to it).</summary>
    public required string Cwd { get; init; }

    /// <summary>"mpiexec", "srun" or "none": what started the process, from the launcher's environment variables.</summary>
    public required string Launcher { get; init; }

    /// <summary>The processes of the MPI job (MPI_COMM_WORLD's size), 1 without MPI.</summary>
    public int WorldSize { get; init; } = 1;

    public bool Equals(RecordedCommand? other) =>
        other is not null && Program == other.Program && Argv.SequenceEqual(other.Argv) && Cwd == other.Cwd &&
        Launcher == other.Launcher && WorldSize == other.WorldSize;

    public override int GetHashCode() => HashCode.Combine(Program, Argv.Count, Cwd, Launcher, WorldSize);

    /// <summary>
    /// "interop pi --darts 1e6", each argument quoted for a POSIX shell where it needs it, so the line
    /// can be pasted back into one.
    /// </summary>
    [JsonIgnore]
    public string Text => string.Join(' ', [Program, .. Argv.Select(Quote)]);

    /// <summary>"no MPI launcher", "mpiexec, 2 ranks": how the processes were started.</summary>
    [JsonIgnore]
    public string Job => Launcher == NoLauncher && WorldSize == 1
        ? "no MPI launcher"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Launcher}, {WorldSize} rank{(WorldSize == 1 ? string.Empty : "s")}");

    /// <summary>"interop pi --darts 1e6 (in /home/me; mpiexec, 2 ranks)": the line and where it ran.</summary>
    public string Describe() => $"{Text} (in {Cwd}; {Job})";

    /// <summary>
    /// The launcher of this process as results.json names it: "mpiexec" (Open MPI's mpiexec/mpirun, or any
    /// PMI/PMIx launcher outside a Slurm step), "srun" (a Slurm job step), or "none". Read from the same
    /// variables that decide whether MPI starts (<see cref="MpiLaunch.Launcher"/>).
    /// </summary>
    public static string LauncherOf(Func<string, string?> environment)
    {
        bool Has(string name) => !string.IsNullOrEmpty(environment(name));
        return MpiLaunch.Launcher(environment) switch
        {
            null => NoLauncher,
            "Open MPI" => "mpiexec",
            _ when Has("SLURM_PROCID") && Has("SLURM_STEP_ID") => "srun",
            _ => "mpiexec",
        };
    }

    // A POSIX shell word: bare when it holds only characters no shell treats specially, else in single quotes.
    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c))
            ? argument
            : $"'{argument.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}

/// <summary>
/// The arguments and working folder of the driver run in progress (<see cref="Driver.Run"/> sets them
/// before parsing), per flow of control, so that runs of the driver inside one process (the tests)
/// each see their own.
/// </summary>
internal static class Invocation
{
    private static readonly AsyncLocal<(IReadOnlyList<string> Args, string Cwd)?> Current = new();

    /// <summary>Records <paramref name="args"/> and the working folder now, for <see cref="Here"/>.</summary>
    public static void Begin(IReadOnlyList<string> args) => Current.Value = ([.. args], Environment.CurrentDirectory);

    /// <summary>
    /// The command line of this run, with the launcher and the world size of <paramref name="worldSize"/>;
    /// outside <see cref="Driver.Run"/> (a command called directly) the process's own arguments.
    /// </summary>
    public static RecordedCommand Here(int worldSize)
    {
        (IReadOnlyList<string> args, string cwd) = Current.Value ?? ([.. Environment.GetCommandLineArgs().Skip(1)], Environment.CurrentDirectory);
        return new RecordedCommand
        {
            Program = ProgramName(),
            Argv = args,
            Cwd = cwd,
            Launcher = RecordedCommand.LauncherOf(Environment.GetEnvironmentVariable),
            WorldSize = worldSize,
        };
    }

    // The apphost's name ("interop"); run as `dotnet interop.dll`, the host and the assembly.
    private static string ProgramName()
    {
        string name = Environment.ProcessPath is string path ? Path.GetFileNameWithoutExtension(path) : "interop";
        return name == "dotnet" && Environment.GetCommandLineArgs() is [string assembly, ..]
            ? $"dotnet {Path.GetFileName(assembly)}"
            : name;
    }
}
