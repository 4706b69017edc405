namespace Interop.Native;

/// <summary>Names of the native libraries this project binds to, in one place (the kernel libraries: native/kernels.json).</summary>
internal static class NativeLibraries
{
    /// <summary>The kernels library built by CMake from native/ (libinterop_native.so), a library of the kernel table.</summary>
    public const string Kernels = "interop_native";

    /// <summary>The C library (for setenv); its soname, since "libc.so" is a linker script on glibc.</summary>
    public const string C = "libc.so.6";

    /// <summary>Environment variable naming a folder (or a file in it) to load the kernel libraries from.</summary>
    public const string OverrideVariable = "INTEROP_NATIVE_DIR";
}
