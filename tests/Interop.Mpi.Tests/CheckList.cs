namespace Interop.Mpi.Tests;

/// <summary>
/// The checks of one run, in the order they were registered. Every check is collective, so every rank
/// must run the same checks in the same order: each feature's Register adds its checks here, and
/// <see cref="RunAll"/> runs them one after the other through the <see cref="CheckRunner"/>.
/// </summary>
internal sealed class CheckList
{
    private readonly List<(string Name, Func<string?> Check)> checks = [];
    private readonly HashSet<string> names = new(StringComparer.Ordinal);

    public int Count => checks.Count;

    /// <summary>Adds a check; <paramref name="check"/> returns null when it passed or what went wrong.</summary>
    /// <exception cref="InvalidOperationException">A check of that name was registered already: its "ok" line would not tell the two apart.</exception>
    public void Add(string name, Func<string?> check)
    {
        if (!names.Add(name))
        {
            throw new InvalidOperationException($"two checks are named '{name}'");
        }

        checks.Add((name, check));
    }

    public void RunAll(CheckRunner run)
    {
        foreach ((string name, Func<string?> check) in checks)
        {
            run.Run(name, check);
        }
    }
}
