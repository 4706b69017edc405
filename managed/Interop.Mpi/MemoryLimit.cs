namespace Interop.Mpi;

/// <summary>INTEROP_MEMORY_LIMIT: the bytes the ranks of one node may allocate together (read by libinterop_scalapack).</summary>
public static class MemoryLimit
{
    /// <summary>The variable's name (INTEROP_SCALAPACK_MEMORY_LIMIT_VARIABLE).</summary>
    public const string Variable = "INTEROP_MEMORY_LIMIT";
}
