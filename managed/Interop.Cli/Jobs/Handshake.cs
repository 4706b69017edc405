using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using Interop.Core;

namespace Interop.Cli.Jobs;

/// <summary>
/// The command line as the ranks compare it: the command and every option given, as typed (the
/// text, not values resolved from each node's environment such as thread defaults), in the
/// command's declaration order, whatever the order and the alias (-d or --darts) on the line. An
/// argument that an option of its name also gives (pi's darts: `pi 1e6` or `pi --darts 1e6`) is
/// compared as that option.
/// </summary>
internal sealed record CommandLineText(string Command, IReadOnlyList<KeyValuePair<string, string>> Options)
{
    /// <summary>
    /// The threads this rank runs when its command takes --threads and the line does not give it:
    /// the count from this rank's environment (OMP_NUM_THREADS, SLURM_CPUS_PER_TASK, its CPUs), which
    /// may differ between ranks although the lines are equal. Null when --threads is given (then the
    /// line says it), when the command takes no --threads, or when the environment's value is invalid
    /// (the command then refuses it on this rank).
    /// </summary>
    public ThreadChoice? EnvironmentThreads { get; init; }

    public static CommandLineText Of(ParseResult parsed)
    {
        Command command = parsed.CommandResult.Command;
        var given = parsed.CommandResult.Children.OfType<OptionResult>()
            .Where(o => !o.Implicit)
            .ToDictionary(o => o.Option, o => string.Join(' ', o.Tokens.Select(t => t.Value)));
        foreach (ArgumentResult argument in parsed.CommandResult.Children.OfType<ArgumentResult>().Where(a => a.Tokens.Count > 0))
        {
            if (command.Options.FirstOrDefault(o => o.Name == "--" + argument.Argument.Name) is Option same && !given.ContainsKey(same))
            {
                given[same] = string.Join(' ', argument.Tokens.Select(t => t.Value));
            }
        }

        var options = new List<KeyValuePair<string, string>>();
        foreach (Option option in command.Options.Concat(given.Keys.Except(command.Options)))
        {
            if (given.TryGetValue(option, out string? value))
            {
                options.Add(new(RenamedOption.NameOf(option), value));
            }
        }

        string name = parsed.CommandResult.Parent is null ? string.Empty : command.Name;
        return new CommandLineText(name, options) { EnvironmentThreads = ThreadsFromEnvironment(parsed, given.Keys) };
    }

    // Only for a command that runs (not --help or --version) and takes --threads that was not given.
    private static ThreadChoice? ThreadsFromEnvironment(ParseResult parsed, IEnumerable<Option> given)
    {
        Command command = parsed.CommandResult.Command;
        bool takesThreads = command.Options.Any(o => o.Name == ThreadsOption);
        bool runs = parsed.Action is null || parsed.Action == command.Action;
        if (!takesThreads || !runs || given.Any(o => o.Name == ThreadsOption))
        {
            return null;
        }

        try
        {
            return ThreadCount.Resolve(null);
        }
        catch (UsageException)
        {
            return null;
        }
    }

    private const string ThreadsOption = "--threads";

    /// <summary>"pi --darts 1e6 --threads 2", as people would type it (values with spaces quoted).</summary>
    public override string ToString()
    {
        var text = new StringBuilder("interop");
        if (Command.Length > 0)
        {
            text.Append(' ').Append(Command);
        }

        foreach ((string option, string value) in Options)
        {
            text.Append(' ').Append(option);
            if (value.Length > 0)
            {
                text.Append(' ').Append(Quote(value));
            }
        }

        return text.ToString();
    }

    internal static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsLetterOrDigit(c) || "-_.,:/=+".Contains(c)) ? value : $"'{value}'";
}

/// <summary>
/// What one rank brings to the start-up handshake: its command line and whether it could start
/// (0), or the exit code and message of the error it found first (2 usage, 1 failure).
/// </summary>
internal sealed record RankReport(int Status, CommandLineText Line, string Message)
{
    /// <summary>
    /// This rank's own host name (provenance.hosts): carried by the handshake, which every rank
    /// takes part in, so naming the hosts costs no collective of its own. Not compared.
    /// </summary>
    public string Host { get; init; } = string.Empty;

    private const char Field = '\u001f';
    private const char Record = '\u001e';

    public byte[] Encode()
    {
        var text = new StringBuilder();
        text.Append(Status.ToString(CultureInfo.InvariantCulture)).Append(Record)
            .Append(Clean(Line.Command)).Append(Record)
            .Append(Clean(Message)).Append(Record)
            .Append(Clean(Host)).Append(Record);
        if (Line.EnvironmentThreads is ThreadChoice threads)
        {
            text.Append(threads.Threads.ToString(CultureInfo.InvariantCulture)).Append(Field).Append(Clean(threads.Source));
        }

        foreach ((string option, string value) in Line.Options)
        {
            text.Append(Record).Append(Clean(option)).Append(Field).Append(Clean(value));
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Reads <see cref="Encode"/>'s bytes; bytes from something else give a report that disagrees with everything.</summary>
    public static RankReport Decode(byte[] bytes)
    {
        string[] records = Encoding.UTF8.GetString(bytes).Split(Record);
        if (records.Length < 5 || !int.TryParse(records[0], NumberStyles.None, CultureInfo.InvariantCulture, out int status))
        {
            return new RankReport(0, new CommandLineText("(not an interop handshake)", []), string.Empty);
        }

        string[] threads = records[4].Split(Field, 2);
        ThreadChoice? environmentThreads = threads.Length == 2 && int.TryParse(threads[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            ? new ThreadChoice(count, threads[1])
            : null;
        var options = records.Skip(5).Select(r => r.Split(Field, 2)).Select(p => new KeyValuePair<string, string>(p[0], p.Length > 1 ? p[1] : string.Empty));
        return new RankReport(status, new CommandLineText(records[1], [.. options]) { EnvironmentThreads = environmentThreads }, records[2]) { Host = records[3] };
    }

    // One line each, and the separators never appear inside a field.
    private static string Clean(string text) =>
        string.Create(text.Length, text, (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
}

/// <summary>
/// The outcome of the handshake, the same on every rank: the exit code, the one line rank 0 prints
/// and, for a declared heterogeneous job, every rank's thread counts.
/// </summary>
internal sealed record HandshakeVerdict(int Code, string? Line)
{
    public static readonly HandshakeVerdict Agreed = new(Driver.Success, null);

    /// <summary>
    /// The commands that run a heterogeneous job, ranks whose lines differ only in --threads: each
    /// rank runs its own count and every report states all of them. compare's --threads is a list,
    /// paired by position over the ranks; pi's and ep's is one count.
    /// </summary>
    internal static readonly IReadOnlySet<string> HeterogeneousCommands = new HashSet<string>(StringComparer.Ordinal) { "pi", "ep", "compare" };

    /// <summary>
    /// The commands whose ranks may also differ in the thread count their environments give
    /// (OMP_NUM_THREADS, SLURM_CPUS_PER_TASK, CPUs) with equal lines: those whose --threads is one
    /// count. compare's default thread list grows with that count (1, 2, 4, ... up to it), so
    /// different counts would give lists that cannot be paired: compare needs --threads lists then.
    /// </summary>
    internal static readonly IReadOnlySet<string> EnvironmentHeterogeneousCommands = new HashSet<string>(StringComparer.Ordinal) { "pi", "ep" };

    /// <summary>Each rank's thread counts when the job is heterogeneous; null when every rank runs the same.</summary>
    public RankThreads? Threads { get; init; }

    /// <summary>
    /// Usage errors first (exit 2: the lowest rank's, printed once, with its rank unless every rank
    /// found the same), then other failures (exit 1), then disagreement on the command or options
    /// (exit 2, naming what differs and on which ranks). Lines that differ only in --threads (every
    /// rank giving it, as lists of as many counts), or equal lines whose environments give different
    /// thread counts, are a heterogeneous job (<see cref="Threads"/>) for the commands that run one
    /// (<see cref="HeterogeneousCommands"/>), and refused for the others.
    /// </summary>
    public static HandshakeVerdict Of(IReadOnlyList<RankReport> ranks)
    {
        foreach (int code in new[] { Driver.UsageError, Driver.Failure })
        {
            int[] failing = [.. Enumerable.Range(0, ranks.Count).Where(r => ranks[r].Status == code)];
            if (failing.Length > 0)
            {
                return new HandshakeVerdict(code, ErrorLine(ranks, failing, code));
            }
        }

        int[] other = [.. Enumerable.Range(0, ranks.Count).Where(r => ranks[r].Status != Driver.Success)];
        if (other.Length > 0)
        {
            return new HandshakeVerdict(ranks[other[0]].Status, ErrorLine(ranks, other, ranks[other[0]].Status));
        }

        string? disagreement = Disagreement(ranks, out bool onlyThreads);
        if (disagreement is not null)
        {
            if (onlyThreads && GivenThreads(ranks) is RankThreads given)
            {
                // "1,2" and "2,1" are one list as the command reads it: not heterogeneous.
                return given.Lists.Select(l => l.Count).Distinct().Count() == 1
                    ? given.Lists.All(l => l.SequenceEqual(given.Lists[0])) ? Agreed : new HandshakeVerdict(Driver.Success, null) { Threads = given }
                    : new HandshakeVerdict(Driver.UsageError, $"interop: ranks disagree {disagreement}; the ranks of a heterogeneous job pair their --threads lists by position, so every rank must give as many counts");
            }

            return new HandshakeVerdict(Driver.UsageError, $"interop: ranks disagree {disagreement}; every rank must run the same command with the same options");
        }

        if (EnvironmentThreads(ranks) is not RankThreads environment)
        {
            return Agreed;
        }

        return EnvironmentHeterogeneousCommands.Contains(ranks[0].Line.Command)
            ? new HandshakeVerdict(Driver.Success, null) { Threads = environment }
            : new HandshakeVerdict(
                Driver.UsageError,
                $"interop: ranks would run different thread counts: {environment.Sources()}; every rank must run the same number (set OMP_NUM_THREADS alike on every rank, or give --threads)");
    }

    // Every rank gives --threads, a list of counts each (pi's and ep's one count), for a command that
    // runs a heterogeneous job; null otherwise (the disagreement stands as today's refusal).
    private static RankThreads? GivenThreads(IReadOnlyList<RankReport> ranks)
    {
        if (!HeterogeneousCommands.Contains(ranks[0].Line.Command))
        {
            return null;
        }

        var lists = new List<IReadOnlyList<int>>(ranks.Count);
        foreach (RankReport rank in ranks)
        {
            string? value = rank.Line.Options.FirstOrDefault(o => o.Key == ThreadsOption).Value;
            if (value is null || ThreadList(value) is not int[] list)
            {
                return null;
            }

            lists.Add(list);
        }

        return new RankThreads(lists, [.. ranks.Select(_ => ThreadsOption)]);
    }

    /// <summary>
    /// --threads as the command reads it: comma-separated counts, 1 to <see cref="ThreadCount.Max"/>,
    /// without repeats, in increasing order (compare's list; pi's and ep's one count); null when it is not.
    /// </summary>
    internal static int[]? ThreadList(string text)
    {
        try
        {
            int[] counts = [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(SharedOptions.ParseThreadCount).Distinct().Order()];
            return counts.Length > 0 ? counts : null;
        }
        catch (UsageException)
        {
            return null;
        }
    }

    private const string ThreadsOption = "--threads";

    // Equal lines without --threads can still mean different thread counts: each rank's own
    // environment decides them.
    private static RankThreads? EnvironmentThreads(IReadOnlyList<RankReport> ranks)
    {
        ThreadChoice?[] threads = [.. ranks.Select(r => r.Line.EnvironmentThreads)];
        if (threads.Any(t => t is null) || threads.Select(t => t!.Value.Threads).Distinct().Count() <= 1)
        {
            return null;
        }

        return new RankThreads([.. threads.Select(t => (IReadOnlyList<int>)[t!.Value.Threads])], [.. threads.Select(t => t!.Value.Source)]);
    }

    private static string ErrorLine(IReadOnlyList<RankReport> ranks, int[] failing, int code)
    {
        string message = ranks[failing[0]].Message;
        int[] same = [.. failing.Where(r => ranks[r].Message == message)];
        int[] others = [.. failing.Except(same)];
        string where = same.Length == ranks.Count ? string.Empty : $" on {RankList(same)} of {ranks.Count}";
        string also = others.Length == 0 ? string.Empty : $" (and other errors on {RankList(others)})";
        return code == Driver.UsageError ? $"interop{where}: {message}{also}" : $"interop: error{where}: {message}{also}";
    }

    // onlyThreads: the options differ in --threads alone (the command is the same).
    private static string? Disagreement(IReadOnlyList<RankReport> ranks, out bool onlyThreads)
    {
        onlyThreads = false;
        var lines = ranks.Select(r => r.Line).ToList();
        if (lines.Select(l => l.Command).Distinct().Count() > 1)
        {
            // Different commands: show each group's whole command line.
            var groups = Enumerable.Range(0, ranks.Count).GroupBy(r => lines[r].ToString());
            return "on the command: " + string.Join(", ", groups.Select(g => $"{RankList([.. g])} {(g.Count() == 1 ? "runs" : "run")} '{g.Key}'"));
        }

        var values = lines.Select(l => l.Options.ToDictionary(o => o.Key, o => o.Value)).ToList();
        string[] names = [.. lines.SelectMany(l => l.Options.Select(o => o.Key)).Distinct()];
        var parts = new List<string>();
        var differing = new List<string>();
        foreach (string name in names)
        {
            string?[] given = [.. values.Select(v => v.TryGetValue(name, out string? value) ? value : null)];
            if (given.Distinct().Count() > 1)
            {
                var groups = Enumerable.Range(0, ranks.Count).GroupBy(r => given[r]);
                parts.Add($"on {name}: " + string.Join(", ", groups.Select(g => $"{Shown(g.Key)} on {RankList([.. g])}")));
                differing.Add(name);
            }
        }

        onlyThreads = differing is [ThreadsOption];
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private static string Shown(string? value) => value switch
    {
        null => "not given",
        "" => "given",
        _ => $"'{value}'",
    };

    /// <summary>"rank 1", "ranks 0-2", "ranks 0,3,5-7".</summary>
    internal static string RankList(IReadOnlyList<int> ranks)
    {
        var runs = new List<string>();
        for (int i = 0; i < ranks.Count;)
        {
            int j = i;
            while (j + 1 < ranks.Count && ranks[j + 1] == ranks[j] + 1)
            {
                j++;
            }

            runs.Add(j == i ? ranks[i].ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{ranks[i]}-{ranks[j]}"));
            i = j + 1;
        }

        return (ranks.Count == 1 ? "rank " : "ranks ") + string.Join(",", runs);
    }
}

/// <summary>
/// Each rank's thread counts in a declared heterogeneous job, in rank order: one count a rank for pi
/// and ep, compare's --threads list (paired by position over the ranks), with where each came from
/// (--threads or the rank's environment). Every rank holds all of them (the handshake's verdict).
/// </summary>
internal sealed record RankThreads(IReadOnlyList<IReadOnlyList<int>> Lists, IReadOnlyList<string> From)
{
    /// <summary>Each rank's count at position <paramref name="index"/> of its list (pi and ep: 0).</summary>
    public int[] At(int index) => [.. Lists.Select(l => l[index])];

    /// <summary>
    /// "2 threads on rank 0, 1 on ranks 1-2 (from --threads)", or for compare's lists "threads 1,2
    /// on rank 0, 1,4 on rank 1 (from --threads)": the header line's words after "heterogeneous job: ".
    /// </summary>
    public string Describe()
    {
        var groups = Enumerable.Range(0, Lists.Count).GroupBy(r => string.Join(",", Lists[r])).ToList();
        bool counts = Lists.All(l => l.Count == 1);
        string text = string.Join(", ", groups.Select((g, i) =>
            counts
                ? $"{g.Key}{(i == 0 ? (g.Key == "1" ? " thread" : " threads") : string.Empty)} on {HandshakeVerdict.RankList([.. g])}"
                : $"{(i == 0 ? "threads " : string.Empty)}{g.Key} on {HandshakeVerdict.RankList([.. g])}"));
        string[] from = [.. From.Distinct()];
        return $"{text} (from {string.Join(", ", from)})";
    }

    /// <summary>A point's ranks and threads in a warning's list: "2x2", or "2+1" (each rank's threads) for a heterogeneous one.</summary>
    public static string Shape(int ranks, int threads, IReadOnlyList<int>? rankThreads) =>
        rankThreads is null ? string.Create(CultureInfo.InvariantCulture, $"{ranks}x{threads}") : string.Join("+", rankThreads);

    /// <summary>A table's threads cell: "2", or "2+1" for a point whose ranks run different counts.</summary>
    public static string Text(int threads, IReadOnlyList<int>? rankThreads) =>
        rankThreads is null ? threads.ToString(CultureInfo.InvariantCulture) : string.Join("+", rankThreads);

    /// <summary>"1 (from OMP_NUM_THREADS) on ranks 0,2, 2 (from OMP_NUM_THREADS) on rank 1": the counts with their sources.</summary>
    public string Sources() =>
        string.Join(", ", Enumerable.Range(0, Lists.Count).GroupBy(r => $"{string.Join(",", Lists[r])} (from {From[r]})")
            .Select(g => $"{g.Key} on {HandshakeVerdict.RankList([.. g])}"));

    /// <summary>The same lists and sources: records compare lists by reference.</summary>
    public bool Equals(RankThreads? other) =>
        other is not null && Lists.Count == other.Lists.Count && Lists.Zip(other.Lists).All(p => p.First.SequenceEqual(p.Second)) && From.SequenceEqual(other.From);

    public override int GetHashCode() => Lists.Count;
}
