namespace Interop.Native;

/// <summary>
/// Marks the field a workload's kernel-table entry point is called through (a <c>delegate* unmanaged</c>
/// of the signature its header declares): every row's symbol for <see cref="Workload"/> (a key of its
/// "symbols") is bound with this field's type. Nothing reads it at run time; the ABI check in the tests
/// finds these fields by reflection and holds each row's symbol against the header, so that a new
/// workload's binding is checked without a line written for it there.
/// </summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class KernelEntryPointAttribute(string workload) : Attribute
{
    /// <summary>The workload key of the kernel table's "symbols" maps ("pi", "inv", "ep").</summary>
    public string Workload { get; } = workload;
}
