namespace Interop.Cli.Commands;

/// <summary>
/// What a run's checks concluded, decided from the results alone before any format writes them:
/// the writers show it, the runner turns it into the exit code.
/// </summary>
internal sealed record Verdict(bool Passed, string? Failure)
{
    public static Verdict Ok { get; } = new(true, null);

    /// <summary>A failed check; <paramref name="why"/> is the one line the runner prints after "interop: error: ".</summary>
    public static Verdict Failed(string why) => new(false, why);
}
