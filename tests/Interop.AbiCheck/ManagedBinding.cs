using System.Runtime.InteropServices;

namespace Interop.AbiCheck;

/// <summary>
/// A managed parameter or return type as the marshaller sees it: the CLR type (a by-ref type for
/// out/ref/in), its [MarshalAs] if any, how strings are marshalled, and whether any marshaller runs
/// at all (not through a function pointer: there only blittable types pass what they seem to).
/// </summary>
public sealed record ManagedType(
    Type Type, string Display, UnmanagedType? MarshalAs = null, StringMarshalling Strings = StringMarshalling.Utf8, bool Marshalled = true)
{
    /// <summary>A type given by hand or taken from a function pointer: by-ref types show as "ref T".</summary>
    public static ManagedType Of(
        Type type, UnmanagedType? marshalAs = null, StringMarshalling strings = StringMarshalling.Utf8, bool marshalled = true)
    {
        ArgumentNullException.ThrowIfNull(type);
        var display = (type.IsByRef ? "ref " : "") + ManagedTypeNames.Name(type);
        if (!marshalled && SignatureMatcher.NeedsMarshalling(type))
        {
            display += " (not blittable: a function pointer passes it unmarshalled)";
        }

        return new ManagedType(type, display, marshalAs, strings, marshalled);
    }
}

/// <summary>
/// One managed binding of a native symbol: a [LibraryImport] found by <see cref="BindingScanner"/>,
/// or one registered by hand for a symbol bound another way (NativeLibrary.GetExport and a function
/// pointer from a table), so that the check still compares it with the header.
/// </summary>
/// <param name="Library">The library as the binding names it ("interop_native"; normalized by the check).</param>
/// <param name="Symbol">The exported symbol ("interop_inv_c").</param>
/// <param name="DeclaredAt">Where the binding is, for messages ("Interop.Native.Interop.InvC in Interop.Native.dll").</param>
public sealed record ManagedBinding(string Library, string Symbol, ManagedType Return, IReadOnlyList<ManagedType> Parameters, string DeclaredAt)
{
    /// <summary>
    /// A binding registered by hand: its return and parameter types as they are passed (by-ref types
    /// for pointers passed as ref/out, e.g. typeof(double).MakeByRefType(); typeof(double*) for a raw pointer).
    /// </summary>
    /// <param name="marshalled">
    /// False for a call through a function pointer (no marshaller: string, bool, arrays, SafeHandle and
    /// ref/out cannot be passed); true for a delegate from Marshal.GetDelegateForFunctionPointer.
    /// </param>
    public static ManagedBinding Create(
        string library, string symbol, Type returnType, IReadOnlyList<Type> parameterTypes, string declaredAt, bool marshalled = true)
    {
        ArgumentNullException.ThrowIfNull(parameterTypes);
        return new(
            library,
            symbol,
            ManagedType.Of(returnType, marshalled: marshalled),
            parameterTypes.Select(t => ManagedType.Of(t, marshalled: marshalled)).ToList(),
            declaredAt);
    }

    /// <summary>
    /// A binding through a function pointer: the symbol's signature is the function pointer type's
    /// (e.g. typeof(delegate* unmanaged&lt;long, double*, int, int&gt;), or a table field's FieldType).
    /// </summary>
    public static ManagedBinding FromFunctionPointer(string library, string symbol, Type functionPointerType, string declaredAt)
    {
        ArgumentNullException.ThrowIfNull(functionPointerType);
        if (!functionPointerType.IsFunctionPointer)
        {
            throw new ArgumentException($"{functionPointerType} is not a function pointer type", nameof(functionPointerType));
        }

        return Create(
            library, symbol, functionPointerType.GetFunctionPointerReturnType(), functionPointerType.GetFunctionPointerParameterTypes(), declaredAt, marshalled: false);
    }
}

/// <summary>C# spellings of CLR types for messages: long, double*, nint, delegate* unmanaged&lt;int, void&gt;.</summary>
public static class ManagedTypeNames
{
    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void",
        [typeof(bool)] = "bool",
        [typeof(char)] = "char",
        [typeof(sbyte)] = "sbyte",
        [typeof(byte)] = "byte",
        [typeof(short)] = "short",
        [typeof(ushort)] = "ushort",
        [typeof(int)] = "int",
        [typeof(uint)] = "uint",
        [typeof(long)] = "long",
        [typeof(ulong)] = "ulong",
        [typeof(nint)] = "nint",
        [typeof(nuint)] = "nuint",
        [typeof(float)] = "float",
        [typeof(double)] = "double",
        [typeof(string)] = "string",
        [typeof(object)] = "object",
    };

    /// <summary>The type as C# writes it (by-ref types without their ref/out/in, which the caller adds).</summary>
    public static string Name(Type type)
    {
        if (type.IsByRef)
        {
            return Name(type.GetElementType()!);
        }

        if (type.IsPointer)
        {
            return Name(type.GetElementType()!) + "*";
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        if (type.IsFunctionPointer)
        {
            var parts = type.GetFunctionPointerParameterTypes().Select(p => (p.IsByRef ? "ref " : "") + Name(p))
                .Append(Name(type.GetFunctionPointerReturnType()));
            return (type.IsUnmanagedFunctionPointer ? "delegate* unmanaged<" : "delegate*<") + string.Join(", ", parts) + ">";
        }

        if (Keywords.TryGetValue(type, out var keyword))
        {
            return keyword;
        }

        if (type.IsGenericType)
        {
            var name = type.Name;
            var tick = name.IndexOf('`', StringComparison.Ordinal);
            return (tick > 0 ? name[..tick] : name) + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
        }

        return type.Name;
    }
}
