using System.Buffers.Binary;
using System.Text;

namespace Interop.AbiCheck;

/// <summary>
/// The symbols a shared library exports, from its ELF dynamic symbol table (.dynsym): what the
/// dynamic loader, and so NativeLibrary.GetExport and [LibraryImport], can find. Read here rather
/// than through `nm -D` so that the check needs no binutils and no output parsing.
/// </summary>
public static class ElfExports
{
    private const int SectionTypeDynamicSymbols = 11;
    private const int SymbolObject = 1;
    private const int SymbolFunction = 2;
    private const int SymbolIndirectFunction = 10;
    private const int BindGlobal = 1;
    private const int BindWeak = 2;
    private const int BindUnique = 10;
    private const int VisibilityDefault = 0;
    private const int VisibilityProtected = 3;

    /// <summary>Names of the functions and data objects <paramref name="libraryPath"/> defines and exports.</summary>
    public static IReadOnlySet<string> Read(string libraryPath)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(libraryPath);
        }
        catch (IOException e)
        {
            throw new AbiCheckException($"cannot read {libraryPath}: {e.Message}", e);
        }

        try
        {
            return Parse(bytes);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            throw new AbiCheckException($"{libraryPath}: truncated or malformed ELF file", e);
        }
        catch (FormatException e)
        {
            throw new AbiCheckException($"{libraryPath}: {e.Message}", e);
        }
    }

    private static HashSet<string> Parse(byte[] file)
    {
        if (file.Length < 64 || file[0] != 0x7F || file[1] != (byte)'E' || file[2] != (byte)'L' || file[3] != (byte)'F')
        {
            throw new FormatException("not an ELF file");
        }

        var is64 = file[4] switch { 1 => false, 2 => true, _ => throw new FormatException($"unknown ELF class {file[4]}") };
        var reader = new Reader(file, file[5] switch { 1 => true, 2 => false, _ => throw new FormatException($"unknown ELF data encoding {file[5]}") });

        var sectionTable = is64 ? (long)reader.U64(0x28) : reader.U32(0x20);
        var sectionSize = reader.U16(is64 ? 0x3A : 0x2E);
        var sectionCount = reader.U16(is64 ? 0x3C : 0x30);
        var exports = new HashSet<string>(StringComparer.Ordinal);
        var found = false;
        for (var i = 0; i < sectionCount; i++)
        {
            var header = checked((int)(sectionTable + (long)i * sectionSize));
            if (reader.U32(header + 4) != SectionTypeDynamicSymbols)
            {
                continue;
            }

            found = true;
            var (offset, size, link, entrySize) = is64
                ? ((long)reader.U64(header + 0x18), (long)reader.U64(header + 0x20), reader.U32(header + 0x28), (long)reader.U64(header + 0x38))
                : (reader.U32(header + 0x10), reader.U32(header + 0x14), reader.U32(header + 0x18), reader.U32(header + 0x24));
            var stringHeader = checked((int)(sectionTable + link * sectionSize));
            var strings = is64 ? (long)reader.U64(stringHeader + 0x18) : reader.U32(stringHeader + 0x10);
            if (entrySize == 0)
            {
                throw new FormatException(".dynsym has an entry size of 0");
            }

            for (long entry = offset; entry + entrySize <= offset + size; entry += entrySize)
            {
                var at = checked((int)entry);
                var nameOffset = reader.U32(at);
                var info = file[at + (is64 ? 4 : 12)];
                var other = file[at + (is64 ? 5 : 13)];
                var sectionIndex = reader.U16(at + (is64 ? 6 : 14));
                var type = info & 0xF;
                var bind = info >> 4;
                var visibility = other & 0x3;
                if (sectionIndex != 0 &&
                    type is SymbolFunction or SymbolIndirectFunction or SymbolObject &&
                    bind is BindGlobal or BindWeak or BindUnique &&
                    visibility is VisibilityDefault or VisibilityProtected)
                {
                    exports.Add(reader.String(checked((int)(strings + nameOffset))));
                }
            }
        }

        return found ? exports : throw new FormatException("no dynamic symbol table (.dynsym): not a shared library?");
    }

    private readonly struct Reader(byte[] bytes, bool littleEndian)
    {
        public ushort U16(int at) => littleEndian
            ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at, 2))
            : BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at, 2));

        public uint U32(int at) => littleEndian
            ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at, 4))
            : BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at, 4));

        public ulong U64(int at) => littleEndian
            ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at, 8))
            : BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(at, 8));

        public string String(int at)
        {
            var end = Array.IndexOf(bytes, (byte)0, at);
            if (end < 0)
            {
                throw new FormatException("a symbol name runs past the end of the file");
            }

            return Encoding.UTF8.GetString(bytes, at, end - at);
        }
    }
}
