using System.Runtime.InteropServices;

namespace Interop.Core;

/// <summary>
/// Files the user names for input: refused before they are opened unless they are regular files.
/// A folder, a device (/dev/zero, /dev/urandom) or a named pipe would otherwise be read for
/// gigabytes, or block forever in open(2).
/// </summary>
public static partial class InputFile
{
    // File type bits of st_mode (sys/stat.h).
    private const ushort TypeMask = 0xF000;
    private const ushort Regular = 0x8000;
    private const ushort Folder = 0x4000;
    private const ushort CharacterDevice = 0x2000;
    private const ushort BlockDevice = 0x6000;
    private const ushort Pipe = 0x1000;
    private const ushort Socket = 0xC000;

    /// <summary>Throws a <see cref="UsageException"/> (exit 2) unless <paramref name="path"/> is (a link to) a regular file.</summary>
    public static void RequireRegular(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException("input path is empty");
        }

        if (OperatingSystem.IsWindows())
        {
            if (Directory.Exists(path))
            {
                throw new UsageException($"{path}: is a folder, not a file");
            }

            if (!File.Exists(path))
            {
                throw new UsageException($"{path}: no such file");
            }

            return;
        }

        ushort? mode = Mode(path);
        string? problem = mode switch
        {
            null => File.Exists(path) || Directory.Exists(path) ? null : "no such file",
            ushort m when (m & TypeMask) == Regular => null,
            ushort m when (m & TypeMask) == Folder => "is a folder, not a file",
            ushort m when (m & TypeMask) is CharacterDevice or BlockDevice => "is a device, not a regular file",
            ushort m when (m & TypeMask) == Pipe => "is a named pipe, not a regular file",
            ushort m when (m & TypeMask) == Socket => "is a socket, not a regular file",
            _ => "is not a regular file",
        };
        if (problem is not null)
        {
            throw new UsageException($"{path}: {problem}");
        }
    }

    // statx(2) rather than stat(2): its buffer has one layout on every architecture.
    private static ushort? Mode(string path)
    {
        var buffer = new StatxBuffer();
        const int AtFdCwd = -100;
        const uint StatxType = 0x1;
        return Statx(AtFdCwd, path, 0, StatxType, ref buffer) == 0 ? buffer.Mode : null;
    }

    [LibraryImport("libc.so.6", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int directory, string path, int flags, uint mask, ref StatxBuffer buffer);

    // struct statx is 256 bytes; stx_mode is the 16-bit field at offset 28.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)]
        public ushort Mode;
    }
}
