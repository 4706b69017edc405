using System.CommandLine;
using System.Runtime.CompilerServices;
using Interop.Cli.Jobs;
using Interop.Core;

namespace Interop.Cli;

/// <summary>
/// An option that was renamed: the new name is the option shown in help; the old spelling stays
/// accepted as a hidden option, so existing scripts keep working, and prints a one-line note on
/// stderr when used. Under MPI the ranks compare the new name whichever spelling each was given.
/// </summary>
internal sealed class RenamedOption
{
    private static readonly ConditionalWeakTable<Option, string> NewNames = [];

    public RenamedOption(Option<string?> current, params string[] oldSpellings)
    {
        Current = current;
        Old = new Option<string?>(oldSpellings[0], oldSpellings[1..])
        {
            Hidden = true,
            Description = $"Old spelling of {current.Name}.",
        };
        NewNames.AddOrUpdate(Old, current.Name);
    }

    public Option<string?> Current { get; }

    public Option<string?> Old { get; }

    /// <summary>The name <paramref name="option"/> goes by now: its new name if it is an old spelling.</summary>
    public static string NameOf(Option option) => NewNames.TryGetValue(option, out string? name) ? name : option.Name;

    public void AddTo(Command command)
    {
        command.Options.Add(Current);
        command.Options.Add(Old);
    }

    /// <summary>The value given under either spelling; both at once is a usage error.</summary>
    public string? Value(ParseResult parsed, TextWriter stderr)
    {
        string? current = parsed.GetValue(Current);
        string? old = parsed.GetValue(Old);
        if (old is null)
        {
            return current;
        }

        string spelling = parsed.GetResult(Old)?.IdentifierToken?.Value ?? Old.Name;
        if (current is not null)
        {
            throw new UsageException($"{spelling} is the old spelling of {Current.Name}: give only {Current.Name}");
        }

        Commands.Notices.Note(stderr, $"{spelling} is renamed {Current.Name}; the old spelling still works for now");

        return old;
    }
}
