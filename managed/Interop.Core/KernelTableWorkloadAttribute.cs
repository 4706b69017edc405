namespace Interop.Core;

/// <summary>
/// Names the key under which a row of the native kernel table (native/kernels.json, a row's
/// <c>symbols</c>) gives the entry point of the workload a backend interface runs: a native row is
/// offered for that interface exactly when its row names that key, so a new workload interface says
/// its key here and the native backend needs no edit.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class KernelTableWorkloadAttribute(string key) : Attribute
{
    /// <summary>The workload's key in a row's <c>symbols</c> ("pi", "inv").</summary>
    public string Key { get; } = key;
}
