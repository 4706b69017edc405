using System.CommandLine;

namespace Interop.Cli;

/// <summary>
/// Shell completion of the names an option takes (backends, workloads, paths, check modes), for
/// System.CommandLine's suggest directive (dotnet-suggest): in a comma-separated list, the last
/// item is completed and the ones before it are kept.
/// </summary>
internal static class NameCompletion
{
    public static TOption Names<TOption>(this TOption option, IEnumerable<string> names)
        where TOption : Option
    {
        string[] all = [.. names.Distinct()];
        option.CompletionSources.Add(context =>
        {
            string word = context.WordToComplete;
            int comma = word.LastIndexOf(',');
            string done = word[..(comma + 1)];
            string last = word[(comma + 1)..];
            return all.Where(n => n.StartsWith(last, StringComparison.OrdinalIgnoreCase)).Select(n => done + n);
        });
        return option;
    }
}
