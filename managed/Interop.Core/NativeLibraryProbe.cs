using System.Runtime.InteropServices;

namespace Interop.Core;

/// <summary>
/// Finds and loads one of the project's native libraries: from the folder named by an override
/// variable (or beside the file it names), then beside the driver. Every path tried is kept with
/// the loader's own reason, because a bare DllNotFoundException hides the real cause (often a
/// missing dependency such as libgomp or libmpi).
/// </summary>
public static class NativeLibraryProbe
{
    /// <summary>The platform's file name of library <paramref name="baseName"/> ("libx.so", "x.dll", "libx.dylib").</summary>
    public static string FileName(string baseName) =>
        OperatingSystem.IsWindows() ? $"{baseName}.dll"
        : OperatingSystem.IsMacOS() ? $"lib{baseName}.dylib"
        : $"lib{baseName}.so";

    /// <summary>Loads the first candidate that loads, or returns zero with every attempt described in <paramref name="tried"/>.</summary>
    public static IntPtr TryLoad(string fileName, string overrideVariable, out IReadOnlyList<string> tried)
    {
        var attempts = new List<string>();
        tried = attempts;
        foreach (string candidate in Candidates(fileName, overrideVariable))
        {
            if (!File.Exists(candidate))
            {
                attempts.Add($"{candidate} (not found)");
                continue;
            }

            try
            {
                return NativeLibrary.Load(candidate);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                // The file is there but could not be loaded: the loader's text names the reason.
                attempts.Add($"{candidate} ({LoaderReason(e.Message)})");
            }
        }

        return IntPtr.Zero;
    }

    /// <summary>
    /// The first candidate file that exists (the one <see cref="TryLoad"/> loads unless it fails to
    /// load), or null: where the files the build wrote beside a library are read from.
    /// </summary>
    public static string? Locate(string fileName, string overrideVariable) =>
        Candidates(fileName, overrideVariable).FirstOrDefault(File.Exists);

    /// <summary>Whether any attempt found the file (so it exists but could not be loaded, e.g. a dependency lacks a symbol).</summary>
    public static bool FoundButFailed(IReadOnlyList<string> tried) => tried.Any(t => !t.EndsWith("(not found)", StringComparison.Ordinal));

    // .NET wraps dlerror()'s text ("...: undefined symbol: dgemm_") in two sentences of advice:
    // keep the loader's own words.
    internal static string LoaderReason(string message)
    {
        const string Advice = "LD_DEBUG environment variable:";
        int at = message.IndexOf(Advice, StringComparison.Ordinal);
        string reason = at >= 0 ? message[(at + Advice.Length)..] : message;
        return reason.ReplaceLineEndings(" ").Trim();
    }

    private static IEnumerable<string> Candidates(string fileName, string overrideVariable)
    {
        string? overridePath = Environment.GetEnvironmentVariable(overrideVariable);
        if (!string.IsNullOrEmpty(overridePath))
        {
            // A folder, or a file: that library itself, or one beside which the others are.
            yield return Directory.Exists(overridePath) ? Path.Combine(overridePath, fileName)
                : Path.GetFileName(overridePath) == fileName ? overridePath
                : Path.Combine(Path.GetDirectoryName(overridePath) ?? ".", fileName);
        }

        yield return Path.Combine(AppContext.BaseDirectory, fileName);
    }
}
