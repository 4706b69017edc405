using System.Globalization;
using System.Text.RegularExpressions;

namespace Interop.Core;

/// <summary>How a resolved output is written (<see cref="OutputTarget"/>).</summary>
public enum OutputKind
{
    /// <summary>A regular file, or none yet: written under a temporary name beside it and renamed over it.</summary>
    File,

    /// <summary>A character or block device or a FIFO: opened and written in place, never replaced.</summary>
    Device,

    /// <summary>A Unix socket: connected to and written.</summary>
    Socket,

    /// <summary>An open descriptor of this process (/dev/stdout, /dev/fd/N): written at its offset.</summary>
    Descriptor,
}

/// <summary>
/// Where an output path leads, resolved before anything is written: every link followed (a
/// symlink stays a symlink, its target is what gets written), /dev/stdout, /dev/stderr, /dev/fd/N
/// and /proc/self/fd/N taken as the descriptor itself (following their links would reach a pipe's
/// pseudo-name, or reopen a file at offset 0 over what the shell already wrote).
/// </summary>
public sealed partial record OutputTarget(string Given, OutputKind Kind, string Path, int Descriptor)
{
    private const int MostLinks = 40; // Linux's own limit on links followed in one lookup (ELOOP)

    /// <summary>How messages name the output: "--output x.npy", or the path alone.</summary>
    public string Label { get; private init; } = Given;

    /// <summary>The descriptor it is written to, or the identity of what it names, for "is this the same output".</summary>
    public string Identity { get; private init; } = Path;

    /// <summary>
    /// Resolves <paramref name="path"/>. Throws a <see cref="UsageException"/> (exit 2, one line)
    /// for an empty path, a folder, a missing folder, a file where a folder should be, a link loop
    /// and a descriptor that is not open.
    /// </summary>
    public static OutputTarget Resolve(string path, string? option = null)
    {
        string label = option is null ? path : $"{option} {path}";
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException($"{option ?? "output"}: the path is empty");
        }

        string full = System.IO.Path.GetFullPath(path);
        for (int links = 0; ; links++)
        {
            if (OperatingSystem.IsLinux() && DescriptorNamedBy(full) is int descriptor)
            {
                return OfDescriptor(path, label, descriptor);
            }

            string? linkTarget;
            try
            {
                linkTarget = OperatingSystem.IsWindows() ? null : new FileInfo(full).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{label}: cannot follow the path: {e.Message}");
            }

            if (linkTarget is null)
            {
                break;
            }

            if (links == MostLinks)
            {
                throw new UsageException($"{label}: too many levels of symbolic links");
            }

            // Relative to the link's real folder: ".." must mean what the kernel makes of it.
            full = System.IO.Path.GetFullPath(linkTarget, RealFolder(full));
        }

        FileNode node;
        try
        {
            node = FileNode.Of(full);
        }
        catch (IOException e)
        {
            throw new UsageException($"{label}: {e.Message}"); // e.g. a folder on the way that may not be searched
        }

        switch (node.Type)
        {
            case FileNodeType.Folder:
                throw new UsageException($"{label}: is a folder, not a file");
            case FileNodeType.FileOnTheWay:
                throw new UsageException($"{label}: a part of the path is a file, not a folder");
            case FileNodeType.Missing:
                string folder = System.IO.Path.GetDirectoryName(full) ?? full;
                if (!Directory.Exists(folder))
                {
                    throw new UsageException($"{label}: folder {folder} does not exist");
                }

                string real = System.IO.Path.Combine(RealFolder(full), System.IO.Path.GetFileName(full));
                return new OutputTarget(path, OutputKind.File, full, -1) { Label = label, Identity = $"path {real}" };
            case FileNodeType.Regular:
                return new OutputTarget(path, OutputKind.File, full, -1) { Label = label, Identity = NodeIdentity(node) };
            case FileNodeType.Socket:
                return new OutputTarget(path, OutputKind.Socket, full, -1) { Label = label, Identity = NodeIdentity(node) };
            default:
                return new OutputTarget(path, OutputKind.Device, full, -1) { Label = label, Identity = NodeIdentity(node) };
        }
    }

    /// <summary>Whether it is standard output (descriptor 1, or the device, FIFO or socket that descriptor 1 is).</summary>
    public bool IsStandardOutput
    {
        get
        {
            if (Kind == OutputKind.Descriptor && Descriptor == 1)
            {
                return true;
            }

            // A regular file is replaced by a new one, never written through the shell's descriptor.
            FileNode stdout = FileNode.OfDescriptor(1);
            return Kind != OutputKind.File && stdout.Type != FileNodeType.Closed && Identity == NodeIdentity(stdout);
        }
    }

    private static OutputTarget OfDescriptor(string path, string label, int descriptor)
    {
        FileNode node = FileNode.OfDescriptor(descriptor);
        if (node.Type == FileNodeType.Closed)
        {
            throw new UsageException($"{label}: descriptor {descriptor} is not open");
        }

        if (node.Type == FileNodeType.Folder)
        {
            throw new UsageException($"{label}: is a folder, not a file");
        }

        if (!WritableDescriptor(descriptor))
        {
            throw new UsageException($"{label}: descriptor {descriptor} is open for reading only");
        }

        return new OutputTarget(path, OutputKind.Descriptor, path, descriptor) { Label = label, Identity = NodeIdentity(node) };
    }

    private static string NodeIdentity(FileNode node) => string.Create(CultureInfo.InvariantCulture, $"node {node.Device}:{node.Inode}");

    // The descriptor a path names by itself: /dev/stdout, /dev/fd/N, /proc/self/fd/N, /proc/<this process>/fd/N.
    private static int? DescriptorNamedBy(string full)
    {
        switch (full)
        {
            case "/dev/stdin":
                return 0;
            case "/dev/stdout":
                return 1;
            case "/dev/stderr":
                return 2;
        }

        Match match = DescriptorPath().Match(full);
        if (!match.Success)
        {
            return null;
        }

        string process = match.Groups["process"].Value;
        if (process.Length > 0 && process != "self" && process != "thread-self" && process != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null; // another process's descriptor: a link to follow like any other
        }

        return int.TryParse(match.Groups["fd"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int fd) ? fd : null;
    }

    // /proc/self/fdinfo/N says how the descriptor was opened ("flags: 0100001", octal): O_RDONLY is 0.
    private static bool WritableDescriptor(int descriptor)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/self/fdinfo/{descriptor.ToString(CultureInfo.InvariantCulture)}"))
            {
                if (line.StartsWith("flags:", StringComparison.Ordinal))
                {
                    return (Convert.ToInt32(line["flags:".Length..].Trim(), 8) & 3) != 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // No /proc: the write itself will say.
        }

        return true;
    }

    // The folder of a path with every link in it resolved (realpath(3)), or as written when it cannot be.
    private static string RealFolder(string full)
    {
        string folder = System.IO.Path.GetDirectoryName(full) ?? full;
        return FileNode.RealPath(folder) ?? folder;
    }

    [GeneratedRegex(@"^/(?:dev/fd|proc/(?<process>self|thread-self|\d+)/fd)/(?<fd>\d+)$")]
    private static partial Regex DescriptorPath();
}
