using System.CommandLine;
using Interop.Cli.Compare;
using Interop.Core;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>compare's --array-size: the array's order (compare's --size is the inversion's); default calibrated to the budget.</summary>
internal sealed class ArraySizeOption : ICompareSizeOption
{
    private readonly Option<string?> size = new("--array-size") { Description = "Order n of the chunked array (n x n doubles; default: calibrated to the budget on this machine)." };

    public void AddTo(Command command) => command.Options.Add(size);

    public long? Read(ParseResult parsed, TextWriter stderr) =>
        parsed.GetValue(size) is string n ? SizeScale.Order(NumberParser.ParseInt32(n, "--array-size", 1, ArrayShape.MaxOrder)) : null;
}
