namespace Interop.AbiCheck;

/// <summary>
/// Which header belongs to which library, by name: interop.h is libinterop_native's ABI, and every
/// other header interop_X.h is libinterop_X's (interop_mpi.h: libinterop_mpi.so). Every .h in
/// native/include is an ABI header; a header that is no library's ABI does not belong there.
/// </summary>
public static class AbiConvention
{
    /// <summary>The kernels library: always built, so its absence fails the check.</summary>
    public const string KernelsLibrary = "interop_native";

    /// <summary>The header of the kernels library, the one header not named after its library.</summary>
    public const string KernelsHeader = "interop.h";

    /// <summary>Every library and every exported symbol of this project starts with this.</summary>
    public const string Prefix = "interop_";

    /// <summary>The library a header describes, or null for a file name outside the convention.</summary>
    public static string? LibraryOfHeader(string headerPath)
    {
        var name = Path.GetFileName(headerPath);
        if (name == KernelsHeader)
        {
            return KernelsLibrary;
        }

        return name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(".h", StringComparison.Ordinal) && name.Length > Prefix.Length + 2
            ? name[..^2]
            : null;
    }

    /// <summary>The header a library should be described by.</summary>
    public static string HeaderOfLibrary(string library) => library == KernelsLibrary ? KernelsHeader : library + ".h";

    /// <summary>The library's file name on this system (libinterop_mpi.so on Linux).</summary>
    public static string FileName(string library) =>
        OperatingSystem.IsWindows() ? library + ".dll" : OperatingSystem.IsMacOS() ? "lib" + library + ".dylib" : "lib" + library + ".so";

    /// <summary>
    /// The library a [LibraryImport] names, as the convention names it: "interop_native",
    /// "libinterop_native.so" and "libinterop_native" all mean interop_native.
    /// </summary>
    public static string Normalize(string libraryName)
    {
        var name = Path.GetFileName(libraryName);
        foreach (var extension in new[] { ".dll", ".dylib" })
        {
            if (name.EndsWith(extension, StringComparison.Ordinal))
            {
                name = name[..^extension.Length];
            }
        }

        var so = name.IndexOf(".so", StringComparison.Ordinal);
        if (so > 0 && (so + 3 == name.Length || name[so + 3] == '.'))
        {
            name = name[..so];
        }

        return name.StartsWith("lib" + Prefix, StringComparison.Ordinal) ? name[3..] : name;
    }

    /// <summary>True for this project's libraries (the only ones the check covers; libc and the like are not).</summary>
    public static bool IsProjectLibrary(string library) => library.StartsWith(Prefix, StringComparison.Ordinal);
}
