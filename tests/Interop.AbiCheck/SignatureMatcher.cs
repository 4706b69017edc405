using System.Reflection;
using System.Runtime.InteropServices;

namespace Interop.AbiCheck;

/// <summary>
/// Whether a managed type passes a value the way a C type expects it. Strict on what the ABI or the
/// meaning depends on (width, signedness, integer against floating point, pointer against value,
/// what a pointer points to); blind to const, which C# cannot express and which changes nothing in
/// the call. The accepted spellings of each C type:
///   intN_t/uintN_t  sbyte/byte, short/ushort, int/uint, long/ulong (same width and signedness),
///                   or an enum of that underlying type; uint16_t also char
///   float, double   float, double
///   bool (_Bool)    bool with [MarshalAs(U1 or I1)]; int32_t also bool with [MarshalAs(Bool)]
///   enum E          int, uint or an enum of either
///   T*              T'*, out/ref/in T', T'[], Span&lt;T'&gt;/ReadOnlySpan&lt;T'&gt; where T' matches T; nint or nuint
///   void*           void*, nint, nuint (and a SafeHandle, below)
///   char*           byte*, sbyte*; const char* also string marshalled as UTF-8
///   struct S*       a SafeHandle subclass (an opaque handle), a pointer to a managed struct (layout not checked)
///   function ptr    delegate* unmanaged&lt;...&gt; of matching types, or nint
///   intptr_t, size_t  nint, nuint (by the typedef's name)
/// A struct passed by value, a variadic function and a type clang alone knows (long double,
/// _Complex) never match: the headers' rules exclude them.
/// </summary>
public static class SignatureMatcher
{
    private static readonly HashSet<string> SignedPointerSized = ["intptr_t", "ptrdiff_t", "ssize_t"];
    private static readonly HashSet<string> UnsignedPointerSized = ["uintptr_t", "size_t"];

    /// <summary>True when <paramref name="managed"/> passes what <paramref name="native"/> expects.</summary>
    public static bool Matches(CType native, ManagedType managed)
    {
        ArgumentNullException.ThrowIfNull(managed);
        return (managed.Marshalled || !NeedsMarshalling(managed.Type)) &&
               Matches(native, managed.Type, managed.MarshalAs, managed.Strings, behindPointer: false);
    }

    /// <summary>
    /// True for types that pass the right value only through a marshaller ([LibraryImport], a
    /// delegate): through a function pointer a string or an array would pass an object reference, a
    /// ref/out an unpinned address, a SafeHandle the handle object, and bool has no fixed size. A struct is
    /// blittable when all its fields are.
    /// </summary>
    public static bool NeedsMarshalling(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        // Pointers and function pointers are addresses, blittable whatever they point to.
        return type.IsByRef || type.IsArray || IsSpan(type) || type == typeof(string) || type == typeof(bool) ||
               type.IsAssignableTo(typeof(SafeHandle)) ||
               (type.IsValueType && !type.IsPrimitive && !type.IsEnum &&
                type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                    .Any(f => (!f.FieldType.IsValueType && !f.FieldType.IsPointer && !f.FieldType.IsFunctionPointer) || NeedsMarshalling(f.FieldType)));
    }

    private static bool Matches(CType native, Type type, UnmanagedType? marshalAs, StringMarshalling strings, bool behindPointer)
    {
        if (type.IsByRef || type.IsPointer || (type.IsArray && type.GetArrayRank() == 1) || IsSpan(type))
        {
            var element = type.IsByRef || type.IsPointer || type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[0];
            // [MarshalAs] on an out bool describes the bool, not the reference to it.
            var elementMarshalAs = type.IsByRef ? marshalAs : null;
            return native is CPointer pointer && Matches(pointer.Pointee, element, elementMarshalAs, strings, behindPointer: true);
        }

        if (type.IsFunctionPointer)
        {
            return native is CPointer { Pointee: CFunction function } && !function.Variadic &&
                   Matches(function.Return, type.GetFunctionPointerReturnType(), null, strings, behindPointer: false) &&
                   function.Parameters.Count == type.GetFunctionPointerParameterTypes().Length &&
                   function.Parameters.Zip(type.GetFunctionPointerParameterTypes())
                       .All(p => Matches(p.First, p.Second, null, strings, behindPointer: false));
        }

        if (type == typeof(nint) || type == typeof(nuint))
        {
            var names = type == typeof(nint) ? SignedPointerSized : UnsignedPointerSized;
            return native is CPointer || (native.Alias is { } alias && names.Contains(alias));
        }

        if (type.IsAssignableTo(typeof(SafeHandle)))
        {
            return native is CPointer { Pointee: CVoid or CTagged { Keyword: "struct" or "union" } };
        }

        if (type == typeof(string))
        {
            var utf16 = marshalAs == UnmanagedType.LPWStr || (marshalAs is null && strings == StringMarshalling.Utf16);
            var utf8 = marshalAs is UnmanagedType.LPUTF8Str or UnmanagedType.LPStr || (marshalAs is null && strings == StringMarshalling.Utf8);
            // Only const: the marshaller passes a copy, so what the function writes would be lost.
            return native is CPointer { Pointee: { IsConst: true } pointee } &&
                   ((utf8 && pointee is CChar) || (utf16 && pointee is CInteger { Bits: 16, Signed: false }));
        }

        if (type == typeof(bool))
        {
            return marshalAs switch
            {
                UnmanagedType.U1 or UnmanagedType.I1 => native is CBool or CInteger { Bits: 8 },
                UnmanagedType.Bool or null => native is CInteger { Bits: 32 },
                UnmanagedType.VariantBool => native is CInteger { Bits: 16 },
                _ => false,
            };
        }

        if (type.IsEnum)
        {
            var underlying = Enum.GetUnderlyingType(type);
            return Matches(native, underlying, null, strings, behindPointer) ||
                   (native is CTagged { Keyword: "enum" } && (underlying == typeof(int) || underlying == typeof(uint)));
        }

        if (type == typeof(void))
        {
            return native is CVoid;
        }

        if (type == typeof(float) || type == typeof(double))
        {
            return native is CFloat f && f.Bits == (type == typeof(float) ? 32 : 64);
        }

        if (IntegerOf(type) is var (bits, signed))
        {
            return native switch
            {
                CInteger integer => integer.Bits == bits && integer.Signed == signed,
                CChar => bits == 8,
                CTagged { Keyword: "enum" } => bits == 32,
                _ => false,
            };
        }

        // A managed struct behind a pointer: the pointer is passed, the layout is not compared.
        return behindPointer && type.IsValueType && native is CTagged { Keyword: "struct" or "union" };
    }

    private static bool IsSpan(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Span<>) || type.GetGenericTypeDefinition() == typeof(ReadOnlySpan<>));

    private static (int Bits, bool Signed)? IntegerOf(Type type) =>
        type == typeof(sbyte) ? (8, true)
        : type == typeof(byte) ? (8, false)
        : type == typeof(short) ? (16, true)
        : type == typeof(ushort) || type == typeof(char) ? (16, false)
        : type == typeof(int) ? (32, true)
        : type == typeof(uint) ? (32, false)
        : type == typeof(long) ? (64, true)
        : type == typeof(ulong) ? (64, false)
        : null;
}
