namespace Interop.Native;

/// <summary>Names of the native libraries this project binds to, in one place.</summary>
internal static class NativeLibraries
{
    /// <summary>The kernels library built by CMake from native/ (libinterop_native.so).</summary>
    public const string Kernels = "interop_native";

    /// <summary>The C library (for setenv); its soname, since "libc.so" is a linker script on glibc.</summary>
    public const string C = "libc.so.6";

    /// <summary>The ABI version this binding was written against (INTEROP_ABI_VERSION in interop.h).</summary>
    public const int ExpectedAbiVersion = 6;

    /// <summary>Environment variable naming a folder (or the file itself) to load the kernels library from.</summary>
    public const string OverrideVariable = "INTEROP_NATIVE_DIR";
}
