using System.CommandLine;
using Interop.Cli.Compare;
using Interop.Core;

namespace Interop.Cli.Workloads.Pi;

/// <summary>compare's --darts/-n: the darts of every parallel pi point (default: calibrated).</summary>
internal sealed class PiDartsOption : ICompareSizeOption
{
    private readonly Option<string?> darts = new("--darts", "-n") { Description = "Darts for pi (default: calibrated to the budget on this CPU; the serial baseline throws fewer)." };

    public void AddTo(Command command) => command.Options.Add(darts);

    public long? Read(ParseResult parsed, TextWriter stderr) =>
        parsed.GetValue(darts) is string d ? SizeScale.Darts(NumberParser.ParseInt64(d, "--darts", 1)) : null;
}
