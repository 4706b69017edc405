using System.Net.Sockets;

namespace Interop.Core;

/// <summary>
/// The one writer of every file the tool writes (.npy, results.json, CSV, Markdown, HTML, charts,
/// traces). The path is resolved first (<see cref="OutputTarget"/>): a regular file, or a missing
/// one, gets its content under a hidden temporary name in the same folder, flushed to disk, then
/// renamed over it, so a run that fails or is interrupted never leaves a half-written or wrong file
/// under the user's name (a symlink stays a symlink: its target is replaced). Anything else that
/// takes writes (a device such as /dev/null, a FIFO, a socket, /dev/stdout or an inherited
/// descriptor) is written in place and never replaced. A folder is a usage error (exit 2); a write
/// that fails (a full disk) is a runtime failure (<see cref="OutputWriteException"/>, exit 1).
/// </summary>
public static class OutputFile
{
    private static readonly HashSet<string> Unfinished = [];

    /// <summary>
    /// Throws a <see cref="UsageException"/> (exit 2) unless <paramref name="path"/> can be written:
    /// not a folder, a file that can be created or replaced, or something writable in place.
    /// Nothing is left behind and nothing is opened (a FIFO would wait for its reader).
    /// </summary>
    public static void Check(string path, string option)
    {
        OutputTarget target = OutputTarget.Resolve(path, option);
        switch (target.Kind)
        {
            case OutputKind.File:
                CheckFolderWritable(Path.GetDirectoryName(target.Path) ?? target.Path, target.Label);
                break;
            case OutputKind.Device or OutputKind.Socket when !FileNode.IsWritable(target.Path):
                throw new UsageException($"{target.Label}: cannot write there: permission denied");
        }
    }

    /// <summary>Whether <paramref name="path"/>, when given, goes to standard output: the human report then goes to standard error.</summary>
    public static bool IsStandardOutput(string? path)
    {
        try
        {
            return path is not null && OutputTarget.Resolve(path).IsStandardOutput;
        }
        catch (Exception e) when (e is UsageException or IOException)
        {
            return false; // refused by its own check, with its own message
        }
    }

    /// <summary>
    /// Throws a <see cref="UsageException"/> (exit 2) when two outputs of one run name the same file:
    /// the same full path, links that lead to one file, or one device, FIFO or descriptor. The later
    /// write would replace, or mix with, the earlier.
    /// </summary>
    public static void RequireDistinct(string first, string firstOption, string second, string secondOption)
    {
        if (string.Equals(Identity(first), Identity(second), StringComparison.Ordinal))
        {
            throw new UsageException($"{firstOption} and {secondOption} name the same file ({first}): give each its own");
        }
    }

    private static string Identity(string path)
    {
        try
        {
            return OutputTarget.Resolve(path).Identity;
        }
        catch (Exception e) when (e is UsageException or IOException)
        {
            return $"path {Path.GetFullPath(path)}"; // refused by its own check
        }
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
    /// Writes <paramref name="path"/> through <paramref name="write"/>: a file under a temporary name
    /// beside it, flushed and renamed over it (on any failure the temporary goes and the file stays
    /// as it was); a device, FIFO, socket or descriptor in place. A failed write throws an
    /// <see cref="OutputWriteException"/> naming the path.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        OutputTarget target = OutputTarget.Resolve(path);
        if (target.Kind != OutputKind.File)
        {
            WriteInPlace(target, write);
            return;
        }

        using StagedFile staged = Stage(target, write);
        staged.Commit();
    }

    /// <summary>
    /// Writes the content now where it cannot be seen yet: <see cref="StagedFile.Commit"/> puts it in
    /// place once the result is known to be good; disposing it uncommitted removes it. A file gets
    /// it under its temporary name; a device, FIFO, socket or descriptor (which must receive nothing
    /// unless the run passed) gets it from a nameless spool file in the temporary folder at Commit.
    /// </summary>
    public static StagedFile Stage(string path, Action<Stream> write) => Stage(OutputTarget.Resolve(path), write);

    /// <summary>
    /// A file that the caller writes itself, at offsets, from one process or several (the ranks of a
    /// job, each its part): its hidden temporary name beside <paramref name="path"/> is made from
    /// <paramref name="tag"/>, the same on every rank (rank 0's process id), and removed by
    /// <see cref="DeleteUnfinished"/>; <see cref="StagedFile.Commit"/> renames it over the path,
    /// disposing it uncommitted removes it. Anything but a regular or missing file (a device, a pipe)
    /// cannot be written at offsets: a <see cref="UsageException"/>.
    /// </summary>
    public static StagedFile StageShared(string path, string option, string tag) => new(SharedTarget(path, option), tag);

    /// <summary><see cref="Check"/> for <see cref="StageShared"/>: a file that can be created or replaced, nothing else (exit 2).</summary>
    public static void CheckShared(string path, string option)
    {
        SharedTarget(path, option);
        Check(path, option);
    }

    private static OutputTarget SharedTarget(string path, string option)
    {
        OutputTarget target = OutputTarget.Resolve(path, option);
        return target.Kind == OutputKind.File
            ? target
            : throw new UsageException($"{target.Label}: must be a file (it is written in place, part by part), not a device, pipe, socket or descriptor");
    }

    private static StagedFile Stage(OutputTarget target, Action<Stream> write)
    {
        var staged = new StagedFile(target);
        try
        {
            if (staged.Temporary is string temporary)
            {
                using var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
                write(file);
                file.Flush(flushToDisk: true);
            }
            else
            {
                Stream spool = staged.OpenSpool();
                write(spool);
                spool.Flush();
            }

            return staged;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            staged.Dispose();
            throw new OutputWriteException($"{target.Given}: cannot write: {Reason(e)}", e);
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/> over the existing file <paramref name="path"/> in place: it is
    /// truncated first, so this needs no room for a second copy. The last resort for a document
    /// whose old content must not stay (a results.json that says "running") when the disk is too
    /// full for <see cref="WriteText"/>; a failure here can leave the file short.
    /// </summary>
    public static void OverwriteText(string path, string text)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite);
            stream.Write(new System.Text.UTF8Encoding(false).GetBytes(text));
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputWriteException($"{path}: cannot write: {Reason(e)}", e);
        }
    }

    private static void WriteInPlace(OutputTarget target, Action<Stream> write)
    {
        try
        {
            using Stream stream = OpenInPlace(target);
            write(stream);
            stream.Flush();
            if (stream is NetworkStream network)
            {
                network.Socket.Shutdown(SocketShutdown.Send); // the reader sees the end
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SocketException)
        {
            throw new OutputWriteException($"{target.Given}: cannot write: {Reason(e)}", e);
        }
    }

    // A device or FIFO is opened without truncating or locking it; a FIFO's open waits for its reader,
    // as `cat > fifo` does. A descriptor is written with write(2) at its own offset, and left open.
    private static Stream OpenInPlace(OutputTarget target)
    {
        switch (target.Kind)
        {
            case OutputKind.Descriptor:
                return new DescriptorStream(target.Descriptor);
            case OutputKind.Socket:
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    socket.Connect(new UnixDomainSocketEndPoint(target.Path));
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

            default:
                return new FileStream(target.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1 << 16);
        }
    }

    /// <summary>Content written where it cannot be seen yet, waiting to be put in place.</summary>
    public sealed class StagedFile : IDisposable
    {
        private readonly OutputTarget target;
        private FileStream? spool;
        private bool done;

        internal StagedFile(OutputTarget target, string? tag = null)
        {
            this.target = target;
            if (target.Kind == OutputKind.File)
            {
                Temporary = Path.Combine(Path.GetDirectoryName(target.Path) ?? ".", $".{Path.GetFileName(target.Path)}.tmp-{tag ?? Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                lock (Unfinished)
                {
                    Unfinished.Add(Temporary);
                }
            }
        }

        /// <summary>The temporary name beside a file target; null for an in-place target.</summary>
        public string? Temporary { get; }

        // A nameless file in the temporary folder (unlinked at once: nothing stays behind, even after SIGKILL).
        internal Stream OpenSpool()
        {
            string name = Path.Combine(Path.GetTempPath(), $".interop-spool-{Environment.ProcessId}-{Guid.NewGuid():N}");
            spool = new FileStream(name, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
            File.Delete(name);
            return spool;
        }

        public void Commit()
        {
            ObjectDisposedException.ThrowIf(done, this);
            try
            {
                if (Temporary is not null)
                {
                    // Keep the permissions of the file it replaces (a rename would give the temporary's).
                    if (!OperatingSystem.IsWindows() && File.Exists(target.Path))
                    {
                        File.SetUnixFileMode(Temporary, File.GetUnixFileMode(target.Path));
                    }

                    File.Move(Temporary, target.Path, overwrite: true);
                }
                else if (spool is not null)
                {
                    FileStream content = spool;
                    WriteInPlace(target, stream =>
                    {
                        content.Position = 0;
                        content.CopyTo(stream);
                    });
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw e as OutputWriteException ?? new OutputWriteException($"{target.Given}: cannot write: {Reason(e)}", e);
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
            spool?.Dispose();
            if (Temporary is not null)
            {
                TryDelete(Temporary);
                lock (Unfinished)
                {
                    Unfinished.Remove(Temporary);
                }
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

    /// <summary>Why a write failed, without the path .NET appends (" : '/x/y'"): the message names it once, as the user gave it.</summary>
    public static string Reason(Exception e)
    {
        string message = e.Message;
        int quote = message.LastIndexOf(" : '", StringComparison.Ordinal);
        return quote > 0 && message.EndsWith('\'') ? message[..quote] : message;
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

/// <summary>
/// An output that could not be written (a full disk, a vanished reader, a device that refuses
/// writes): a runtime failure, exit 1, not a usage error; the message names the path.
/// </summary>
public sealed class OutputWriteException(string message, Exception? inner = null) : IOException(message, inner);
