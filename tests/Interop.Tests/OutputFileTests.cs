using Interop.Core;

namespace Interop.Tests;

public sealed class OutputFileTests
{
    private string folder = string.Empty;

    [SetUp]
    public void CreateFolder() => folder = Directory.CreateTempSubdirectory("interop-output-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(folder, recursive: true);

    [Test]
    public void CheckAcceptsANewFileAndLeavesNothingBehind()
    {
        OutputFile.Check(Path.Combine(folder, "x.npy"), "--output");
        Assert.That(Directory.EnumerateFileSystemEntries(folder), Is.Empty);
    }

    [Test]
    public void CheckRefusesAMissingFolderAFolderAndAFileAsFolder()
    {
        string file = Path.Combine(folder, "plain");
        File.WriteAllText(file, "x");
        Assert.Multiple(() =>
        {
            Assert.That(() => OutputFile.Check(Path.Combine(folder, "missing", "x.npy"), "--output"),
                Throws.TypeOf<UsageException>().With.Message.Contains("does not exist"));
            Assert.That(() => OutputFile.Check(folder, "--output"), Throws.TypeOf<UsageException>().With.Message.Contains("is a folder"));
            Assert.That(() => OutputFile.Check(Path.Combine(file, "x.npy"), "--output"), Throws.TypeOf<UsageException>());
            Assert.That(() => OutputFile.Check(" ", "--output"), Throws.TypeOf<UsageException>());
        });
    }

    [Test]
    public void AFailedWriteLeavesTheOldFileAndNoTemporary()
    {
        string path = Path.Combine(folder, "r.json");
        File.WriteAllText(path, "old");
        Assert.That(() => OutputFile.Write(path, s =>
        {
            s.WriteByte(1);
            throw new InvalidOperationException("computation failed");
        }), Throws.TypeOf<InvalidOperationException>());
        Assert.That(File.ReadAllText(path), Is.EqualTo("old"));
        Assert.That(Directory.GetFiles(folder), Has.Length.EqualTo(1));
    }

    [Test]
    public void AWriteReplacesTheFileWhole()
    {
        string path = Path.Combine(folder, "r.json");
        File.WriteAllText(path, "old and longer");
        OutputFile.WriteText(path, "new");
        Assert.That(File.ReadAllText(path), Is.EqualTo("new"));
        Assert.That(Directory.GetFiles(folder), Has.Length.EqualTo(1));
    }
}
