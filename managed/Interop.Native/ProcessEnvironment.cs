using System.Runtime.InteropServices;

namespace Interop.Native;

/// <summary>
/// Sets a variable in the C library's environment of this process, which native libraries read
/// with getenv. On Unix, Environment.SetEnvironmentVariable changes only .NET's own copy.
/// </summary>
internal static partial class ProcessEnvironment
{
    public static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows() && SetEnv(name, value, 1) != 0)
        {
            throw new InvalidOperationException($"setenv({name}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    // int setenv(const char *name, const char *value, int overwrite), from the C library itself.
    [LibraryImport(NativeLibraries.C, EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
