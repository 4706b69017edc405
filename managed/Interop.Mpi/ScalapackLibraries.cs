namespace Interop.Mpi;

/// <summary>Names and numbers of the ScaLAPACK backend's library, in one place (native/include/interop_scalapack.h).</summary>
internal static class ScalapackLibraries
{
    /// <summary>The distributed inversion library built by CMake from native/scalapack/ (libinterop_scalapack.so).</summary>
    public const string Library = "interop_scalapack";

    /// <summary>The ABI version this binding was written against (INTEROP_SCALAPACK_ABI_VERSION).</summary>
    public const int ExpectedAbiVersion = 3;
}
