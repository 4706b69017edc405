using System.CommandLine;
using Interop.Cli.Compare;
using Interop.Core;

namespace Interop.Cli.Workloads.Inv;

/// <summary>compare's --size (once --n, still accepted with a note): the inversions' matrix order (default: calibrated).</summary>
internal sealed class InvSizeOption : ICompareSizeOption
{
    private readonly RenamedOption size = new(new Option<string?>("--size") { Description = "Matrix order for inv (default: calibrated to the budget on this CPU)." }, "--n");

    public void AddTo(Command command) => size.AddTo(command);

    public long? Read(ParseResult parsed, TextWriter stderr) =>
        size.Value(parsed, stderr) is string n ? SizeScale.Order(NumberParser.ParseInt32(n, "--size", 1, SpecMatrix.MaxOrder)) : null;
}
