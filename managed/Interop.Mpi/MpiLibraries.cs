namespace Interop.Mpi;

/// <summary>Names and numbers of the MPI shim this project binds to, in one place.</summary>
internal static class MpiLibraries
{
    /// <summary>The MPI shim built by CMake from native/mpi/ (libinterop_mpi.so).</summary>
    public const string Shim = "interop_mpi";

    /// <summary>The ABI version this binding was written against (INTEROP_MPI_ABI_VERSION in interop_mpi.h).</summary>
    public const int ExpectedAbiVersion = 7;

    /// <summary>Environment variable naming the folder of the native libraries (shared with Interop.Native).</summary>
    public const string OverrideVariable = "INTEROP_NATIVE_DIR";
}
