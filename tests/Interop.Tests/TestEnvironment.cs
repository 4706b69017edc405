namespace Interop.Tests;

/// <summary>
/// Points the native loader at build/bin when INTEROP_NATIVE_DIR is not set, so `dotnet test`
/// works after ./build.sh without extra setup; ./build.sh test sets the variable itself.
/// </summary>
[SetUpFixture]
public sealed class TestEnvironment
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string BinDirectory => Path.Combine(RepositoryRoot, "build", "bin");

    public static string DriverPath => Path.Combine(BinDirectory, OperatingSystem.IsWindows() ? "interop.exe" : "interop");

    [OneTimeSetUp]
    public void PointAtNativeLibrary()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("INTEROP_NATIVE_DIR")))
        {
            Environment.SetEnvironmentVariable("INTEROP_NATIVE_DIR", BinDirectory);
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Interop.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Interop.sln above {AppContext.BaseDirectory}");
    }
}
