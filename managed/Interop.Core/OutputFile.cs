namespace Interop.Core;

/// <summary>
/// The one way a file the user named is written: its place is checked before any computing
/// (<see cref="Check"/>), and its content goes to a hidden temporary name in the same folder that
/// is renamed over the target only when complete (<see cref="Write"/>). A run that fails, or is
/// interrupted, never leaves a half-written or wrong file under the user's name.
/// </summary>
public static class OutputFile
{
    private static readonly HashSet<string> Unfinished = [];

    /// <summary>
    /// Throws a <see cref="UsageException"/> (exit 2) unless <paramref name="path"/> can be created
    /// or replaced: not a folder, in a folder that exists and takes a new file. Nothing is left behind.
    /// </summary>
    public static void Check(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException($"{option}: the path is empty");
        }

        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new UsageException($"{option} {path}: is a folder, not a file");
        }

        string folder = Path.GetDirectoryName(full) ?? full;
        if (!Directory.Exists(folder))
        {
            throw new UsageException($"{option} {path}: folder {folder} does not exist");
        }

        CheckFolderWritable(folder, $"{option} {path}");
    }

    /// <summary>Throws a <see cref="UsageException"/> unless a new file can be created in <paramref name="folder"/> (it must exist).</summary>
    public static void CheckFolderWritable(string folder, string what)
    {
        string probe = Path.Combine(folder, $".interop-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{what}: cannot write there: {e.Message}");
        }
    }

    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>: into a temporary file beside
    /// it, flushed to disk, then renamed over it. On any failure the temporary file is removed, the
    /// target is left as it was, and I/O errors become a <see cref="UsageException"/> naming the path.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId}");
        lock (Unfinished)
        {
            Unfinished.Add(temporary);
        }

        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot write: {e.Message}");
        }
        finally
        {
            TryDelete(temporary);
            lock (Unfinished)
            {
                Unfinished.Remove(temporary);
            }
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) the way <see cref="Write"/> does.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>Removes the temporary files of writes still in progress: for a handler of SIGINT/SIGTERM.</summary>
    public static void DeleteUnfinished()
    {
        string[] pending;
        lock (Unfinished)
        {
            pending = [.. Unfinished];
        }

        foreach (string temporary in pending)
        {
            TryDelete(temporary);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the hidden name never replaces the user's file.
        }
    }
}
