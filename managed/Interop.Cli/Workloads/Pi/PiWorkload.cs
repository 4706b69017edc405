using Interop.Backends;
using Interop.Core;

namespace Interop.Cli.Workloads.Pi;

/// <summary>Monte Carlo pi: darts thrown, counted in darts per second, on every rank.</summary>
internal sealed class PiWorkload : IWorkload
{
    public static PiWorkload Instance { get; } = new();

    private PiWorkload()
    {
    }

    public string Name => "pi";

    public string Title => "Monte Carlo pi";

    public string SizeName => "darts";

    public string SizeMeaning => "number of darts";

    public string SizeText(string sizes) => $"{sizes} darts";

    public long MaxSize => long.MaxValue;

    public string WorkUnit => "darts";

    public string ThroughputUnit => "darts/s";

    public string VerificationRule => "identical counts for identical darts";

    /// <summary>A run's work is its darts.</summary>
    public double WorkPerRun(long size) => size;

    /// <summary>A native row runs pi only where the kernel table names its pi symbol.</summary>
    public bool RunsOn(IBackend backend) => backend is IPiBackend && (backend is not NativeKernelBackend row || row.Runs(typeof(IPiBackend)));

    public Isa PathOf(IBackend backend) => ((IPiBackend)backend).PiIsa;

    /// <summary>Every rank throws its share of the darts.</summary>
    public bool OnEveryRank(IBackend backend) => true;
}
