using System.CommandLine;
using Interop.Cli.Compare;
using Interop.Core;

namespace Interop.Cli.Workloads.Pi;

/// <summary>compare's --darts/-d: the darts of every parallel pi point (default: calibrated); -n is refused (<see cref="DartsSpelling"/>).</summary>
internal sealed class PiDartsOption : ICompareSizeOption
{
    private readonly Option<string?> darts = new(DartsSpelling.Name, DartsSpelling.Alias) { Description = "Darts for pi (default: calibrated to the budget on this CPU; the serial baseline throws fewer)." };

    private readonly Option<string?> refused = DartsSpelling.CreateRefused();

    public void AddTo(Command command)
    {
        command.Options.Add(darts);
        command.Options.Add(refused);
    }

    public long? Read(ParseResult parsed, TextWriter stderr)
    {
        DartsSpelling.Refuse(parsed, refused);
        return parsed.GetValue(darts) is string d ? SizeScale.Darts(NumberParser.ParseInt64(d, DartsSpelling.Name, 1)) : null;
    }
}
