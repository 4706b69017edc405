using System.CommandLine;
using Interop.Backends;
using Interop.Core;

namespace Interop.Cli;

/// <summary>
/// The instruction-set path a command was asked for: --isa, else $INTEROP_ISA, else auto. Applied to
/// every backend at once (<see cref="IsaSwitch"/>) before anything is measured, each kernel library
/// taking it when it loads (so asking loads nothing), and remembered for the environment block.
/// </summary>
internal sealed record IsaRequest(Isa Isa, string Source)
{
    public static IsaRequest Current { get; private set; } = new(Isa.Auto, "default");

    /// <summary>The --isa option of every measuring command (pi, inv, compare, env).</summary>
    public static Option<string?> CreateOption(string extraChoices = "") => new Option<string?>("--isa")
    {
        Description = $"Instruction-set path of every backend's kernels: {IsaNames.Choices}{extraChoices} " +
            $"(default: ${IsaNames.Variable}, else auto = the best this CPU has). A path this CPU lacks is a usage error.",
    }.Names(["auto", .. IsaNames.Paths.Select(IsaNames.Name), .. extraChoices.Contains("all", StringComparison.Ordinal) ? ["all"] : Array.Empty<string>()]);

    /// <summary>Resolves the option's value (null when not given) and the variable, and applies the path.</summary>
    public static IsaRequest Apply(string? option)
    {
        string? variable = Environment.GetEnvironmentVariable(IsaNames.Variable);
        IsaRequest request = option is not null ? new(IsaNames.Parse(option, "--isa"), "--isa")
            : !string.IsNullOrWhiteSpace(variable) ? new(IsaNames.Parse(variable, IsaNames.Variable), IsaNames.Variable)
            : new(Isa.Auto, "default");
        IsaSwitch.Apply(request.Isa);
        Current = request;
        return request;
    }
}
