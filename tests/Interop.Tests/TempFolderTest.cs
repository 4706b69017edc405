using Interop.Core;

namespace Interop.Tests;

/// <summary>
/// A fixture whose every test gets a new empty folder (<see cref="Folder"/>), removed after it,
/// for the files a command reads and writes.
/// </summary>
public abstract class TempFolderTest
{
    protected string Folder { get; private set; } = string.Empty;

    [SetUp]
    public void CreateFolder() => Folder = Directory.CreateTempSubdirectory($"interop-{GetType().Name}-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(Folder, recursive: true);

    /// <summary>Writes an n x n matrix as <paramref name="name"/>.npy in the folder and returns its path.</summary>
    protected string WriteMatrix(string name, double[] data, int n)
    {
        string path = Path.Combine(Folder, name);
        NpyFile.WriteSquare(path, data, n);
        return path;
    }
}
