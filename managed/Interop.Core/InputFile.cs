namespace Interop.Core;

/// <summary>
/// Files the user names for input: refused before they are opened unless they are regular files.
/// A folder, a device (/dev/zero, /dev/urandom) or a named pipe would otherwise be read for
/// gigabytes, or block forever in open(2).
/// </summary>
public static class InputFile
{
    /// <summary>Throws a <see cref="UsageException"/> (exit 2) unless <paramref name="path"/> is (a link to) a regular file.</summary>
    public static void RequireRegular(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException("input path is empty");
        }

        string? problem = Type(path) switch
        {
            null => File.Exists(path) || Directory.Exists(path) ? null : "no such file",
            FileNodeType.Regular => null,
            FileNodeType.Missing or FileNodeType.FileOnTheWay => "no such file",
            FileNodeType.Folder => "is a folder, not a file",
            FileNodeType.CharacterDevice or FileNodeType.BlockDevice => "is a device, not a regular file",
            FileNodeType.Fifo => "is a named pipe, not a regular file",
            FileNodeType.Socket => "is a socket, not a regular file",
            _ => "is not a regular file",
        };
        if (problem is not null)
        {
            throw new UsageException($"{path}: {problem}");
        }
    }

    // What the path names, or null where it cannot be told (no permission to search a folder on the
    // way): then opening the file reports the reason.
    private static FileNodeType? Type(string path)
    {
        try
        {
            return FileNode.Of(path).Type;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
