using System.CommandLine;
using Interop.Core;

namespace Interop.Cli;

/// <summary>
/// The one declaration of each option that several commands take (pi and inv through
/// <see cref="CommonOptions{TBackend}"/>, compare, env): its name, alias and parsing rules live here,
/// while each command words its help for what the option means there (compare's --threads is a list,
/// pi's one count). Not System.CommandLine's recursive options: those would list them under the root
/// command and change every command's help.
/// </summary>
internal static class SharedOptions
{
    /// <summary>The seed of every command that is not given one (compare: nor a baseline's).</summary>
    public const ulong DefaultSeed = 42;

    /// <summary>--seed/-s; with <paramref name="showDefault"/> its help shows <see cref="DefaultSeed"/> as the default value.</summary>
    public static Option<string?> Seed(string description, bool showDefault) => new("--seed", "-s")
    {
        Description = description,
        DefaultValueFactory = showDefault ? _ => DefaultSeed.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
    };

    /// <summary>--backend/-b: a comma-separated list of backend names or 'all' (the default), names completed from <paramref name="names"/>.</summary>
    public static Option<string> Backend(string description, IEnumerable<string> names) => new Option<string>("--backend", "-b")
    {
        // Not the names: System.CommandLine would print them all in the option column, 100 characters wide.
        HelpName = "list",
        Description = description,
        DefaultValueFactory = _ => "all",
    }.Names(["all", .. names]);

    /// <summary>--threads/-t (default: <see cref="ThreadCount"/>'s rules).</summary>
    public static Option<string?> Threads(string description) => new("--threads", "-t") { Description = description };

    /// <summary>--repeat/-r (default: automatic, see <see cref="RepeatPolicy"/>).</summary>
    public static Option<string?> Repeat(string description) => new("--repeat", "-r") { Description = description };

    /// <summary>--warmup N: untimed runs before the timed ones (default 1; 0 allowed).</summary>
    public static Option<string> Warmup() => new("--warmup")
    {
        Description = "Untimed warm-up runs before the timed ones (JIT, thread start-up, page faults): 0 to 100, default 1.",
        DefaultValueFactory = _ => "1",
    };

    /// <summary>--trace FILE: a Chrome trace-event file.</summary>
    public static Option<string?> Trace(string description) => new("--trace") { Description = description };

    /// <summary>--mpi: MPI without a launcher's variables.</summary>
    public static Option<bool> Mpi(string description = "Initialize MPI even without a launcher's variables.") => new("--mpi") { Description = description };

    /// <summary>--json: one JSON document on stdout.</summary>
    public static Option<bool> Json(string description) => new("--json") { Description = description };

    /// <summary>--seed's value, or null when not given.</summary>
    public static ulong? ParseSeed(string? text) => text is null ? null : NumberParser.ParseUInt64(text, "--seed");

    /// <summary>One --threads count (1 to <see cref="ThreadCount.Max"/>).</summary>
    public static int ParseThreadCount(string text) => NumberParser.ParseInt32(text, "--threads", 1, ThreadCount.Max);

    /// <summary>--threads N as the threads to run: N when given, else <see cref="ThreadCount"/>'s rules.</summary>
    public static ThreadChoice ParseThreads(string? text) => ThreadCount.Resolve(text is null ? null : ParseThreadCount(text));

    /// <summary>--repeat R as a policy: a fixed count when given (1 to 1000), automatic when not.</summary>
    public static RepeatPolicy ParseRepeat(string? text) =>
        text is null ? RepeatPolicy.Auto : RepeatPolicy.Fixed(NumberParser.ParseInt32(text, "--repeat", 1, 1000));

    public static int ParseWarmup(string text) => NumberParser.ParseInt32(text, "--warmup", 0, 100);
}
