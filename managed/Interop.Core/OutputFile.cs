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

    /// <summary>
    /// Throws a <see cref="UsageException"/> (exit 2) when two outputs of one run name the same file:
    /// the same full path, or links that lead to one file. The later write would replace the earlier.
    /// </summary>
    public static void RequireDistinct(string first, string firstOption, string second, string secondOption)
    {
        if (string.Equals(Resolved(first), Resolved(second), StringComparison.Ordinal))
        {
            throw new UsageException($"{firstOption} and {secondOption} name the same file ({first}): give each its own");
        }
    }

    // The full path with the links of an existing file (and of its folder) followed.
    private static string Resolved(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            if (File.ResolveLinkTarget(full, returnFinalTarget: true) is FileSystemInfo target)
            {
                full = target.FullName;
            }

            string? folder = Path.GetDirectoryName(full);
            if (folder is not null && Directory.Exists(folder))
            {
                string real = Directory.ResolveLinkTarget(folder, returnFinalTarget: true)?.FullName ?? folder;
                full = Path.Combine(real, Path.GetFileName(full));
            }
        }
        catch (IOException)
        {
            // A link that cannot be followed (a loop): compared as written.
        }

        return full;
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
        using StagedFile staged = Stage(path, write);
        staged.Commit();
    }

    /// <summary>
    /// Writes the content now, under the temporary name only: <see cref="StagedFile.Commit"/> puts it
    /// in place once the result is known to be good; disposing it uncommitted removes it.
    /// </summary>
    public static StagedFile Stage(string path, Action<Stream> write)
    {
        var staged = new StagedFile(path);
        try
        {
            using (var stream = new FileStream(staged.Temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            return staged;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            staged.Dispose();
            throw new UsageException($"{path}: cannot write: {e.Message}");
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    /// <summary>Content written under a temporary name, waiting to be renamed over the user's file.</summary>
    public sealed class StagedFile : IDisposable
    {
        private readonly string target;
        private bool done;

        internal StagedFile(string path)
        {
            target = Path.GetFullPath(path);
            Temporary = Path.Combine(Path.GetDirectoryName(target) ?? ".", $".{Path.GetFileName(target)}.tmp-{Environment.ProcessId}");
            lock (Unfinished)
            {
                Unfinished.Add(Temporary);
            }
        }

        internal string Temporary { get; }

        public void Commit()
        {
            ObjectDisposedException.ThrowIf(done, this);
            try
            {
                File.Move(Temporary, target, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{target}: cannot write: {e.Message}");
            }
            finally
            {
                Dispose();
            }
        }

        public void Dispose()
        {
            if (done)
            {
                return;
            }

            done = true;
            TryDelete(Temporary);
            lock (Unfinished)
            {
                Unfinished.Remove(Temporary);
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
