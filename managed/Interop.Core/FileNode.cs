using System.Runtime.InteropServices;

namespace Interop.Core;

/// <summary>What a path, or an open descriptor, names on disk (<see cref="FileNode"/>).</summary>
public enum FileNodeType
{
    /// <summary>Nothing there (a dangling link's target included).</summary>
    Missing,

    /// <summary>A part of the path before the last one is a file, not a folder.</summary>
    FileOnTheWay,

    /// <summary>The descriptor is not open.</summary>
    Closed,
    Regular,
    Folder,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
    Link,
}

/// <summary>
/// The type and identity (device and inode) of a file, from statx(2): .NET says whether a path is
/// a folder or exists, not whether it is a device, a FIFO or a socket, which must be written in
/// place rather than replaced. statx's buffer has one layout on every Linux architecture.
/// </summary>
public readonly partial record struct FileNode(FileNodeType Type, ulong Device, ulong Inode)
{
    private const int CurrentFolder = -100; // AT_FDCWD
    private const int NoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
    private const int EmptyPath = 0x1000; // AT_EMPTY_PATH: the descriptor itself
    private const uint TypeAndInode = 0x1 | 0x100; // STATX_TYPE | STATX_INO
    private const int NoEntry = 2; // ENOENT
    private const int BadDescriptor = 9; // EBADF
    private const int NotAFolder = 20; // ENOTDIR
    private const int WriteAccess = 2; // W_OK

    /// <summary>Whether it is there and is neither a folder nor a regular file: written in place, never replaced.</summary>
    public bool IsSpecial => Type is FileNodeType.CharacterDevice or FileNodeType.BlockDevice or FileNodeType.Fifo or FileNodeType.Socket;

    /// <summary>What <paramref name="path"/> names, its last link followed unless <paramref name="followLink"/> is false.</summary>
    public static FileNode Of(string path, bool followLink = true)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Directory.Exists(path) ? new(FileNodeType.Folder, 0, 0)
                : File.Exists(path) ? new(FileNodeType.Regular, 0, 0)
                : new(FileNodeType.Missing, 0, 0);
        }

        return Stat(CurrentFolder, path, followLink ? 0 : NoFollow);
    }

    /// <summary>What the open descriptor <paramref name="descriptor"/> is; <see cref="FileNodeType.Closed"/> when it is not open.</summary>
    public static FileNode OfDescriptor(int descriptor) =>
        OperatingSystem.IsLinux() ? Stat(descriptor, string.Empty, EmptyPath) : new(FileNodeType.Closed, 0, 0);

    /// <summary>Whether this process may write <paramref name="path"/> (access(2) with W_OK).</summary>
    public static bool IsWritable(string path) => !OperatingSystem.IsLinux() || Access(path, WriteAccess) == 0;

    /// <summary>The path with every link resolved (realpath(3)); null when it does not exist or cannot be resolved.</summary>
    public static unsafe string? RealPath(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Path.Exists(path) ? Path.GetFullPath(path) : null;
        }

        nint resolved = Realpath(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            NativeMemory.Free((void*)resolved); // malloc'd by the C library: free(3)
        }
    }

    private static unsafe FileNode Stat(int folder, string path, int flags)
    {
        byte* buffer = stackalloc byte[256];
        if (Statx(folder, path, flags, TypeAndInode, buffer) != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            return error switch
            {
                NoEntry => new(FileNodeType.Missing, 0, 0),
                NotAFolder => new(FileNodeType.FileOnTheWay, 0, 0),
                BadDescriptor => new(FileNodeType.Closed, 0, 0),
                _ => throw new IOException($"{(path.Length > 0 ? path : $"descriptor {folder}")}: {Marshal.GetPInvokeErrorMessage(error)}"),
            };
        }

        // struct statx: stx_mode (u16) at 28, stx_ino (u64) at 32, stx_dev_major and _minor (u32) at 136 and 140.
        ushort mode = *(ushort*)(buffer + 28);
        ulong inode = *(ulong*)(buffer + 32);
        ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        FileNodeType type = (mode & 0xF000) switch
        {
            0x8000 => FileNodeType.Regular,
            0x4000 => FileNodeType.Folder,
            0x2000 => FileNodeType.CharacterDevice,
            0x6000 => FileNodeType.BlockDevice,
            0x1000 => FileNodeType.Fifo,
            0xC000 => FileNodeType.Socket,
            _ => FileNodeType.Link,
        };
        return new(type, device, inode);
    }

    // int statx(int dirfd, const char *pathname, int flags, unsigned int mask, struct statx *statxbuf), glibc 2.28 and later.
    [LibraryImport("libc.so.6", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int folder, string path, int flags, uint mask, byte* buffer);

    // char *realpath(const char *path, char *resolved_path): NULL asks for a malloc'd result.
    [LibraryImport("libc.so.6", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Realpath(string path, nint resolved);

    // int access(const char *pathname, int mode)
    [LibraryImport("libc.so.6", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);
}
