using System.CommandLine;
using Interop.Backends.Ep;
using Interop.Cli.Compare;

namespace Interop.Cli.Workloads.Ep;

/// <summary>compare's --class and --m: EP's size as `interop ep` takes it (default: calibrated to the budget).</summary>
internal sealed class EpCompareSize : ICompareSizeOption
{
    private readonly Option<string?> size = new("--class")
    {
        Description = $"NPB class for ep: {string.Join(", ", EpClass.All.Select(c => c.Name))} (default: calibrated to the budget: the largest class that fits, else a custom M).",
    };

    private readonly Option<string?> m = new("--m")
    {
        Description = $"A custom size for ep instead of --class: 2^M pairs, M from {EpClass.MinM} to {EpClass.MaxM} (unverified against NPB unless a class's M).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(size);
        command.Options.Add(m);
    }

    /// <summary>M of the class or the custom size given; null: neither given.</summary>
    public long? Read(ParseResult parsed, TextWriter stderr) =>
        parsed.GetValue(size) is null && parsed.GetValue(m) is null ? null : EpCommand.Size(parsed.GetValue(size), parsed.GetValue(m)).M;
}
