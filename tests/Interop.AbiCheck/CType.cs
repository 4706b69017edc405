namespace Interop.AbiCheck;

/// <summary>
/// A C type as the ABI sees it: typedefs resolved (int32_t is a 32-bit signed integer whatever the
/// header spelled), qualifiers kept so that messages can show them, but ignored by the comparison
/// where the ABI ignores them (const changes no calling convention).
/// </summary>
public abstract record CType
{
    /// <summary>const on this type itself (for a pointer: the pointer, not what it points to).</summary>
    public bool IsConst { get; init; }

    /// <summary>The typedef this type was reached through, outermost first (size_t, intptr_t), or null.</summary>
    public string? Alias { get; init; }

    /// <summary>The type as messages show it: fixed-width names, "*" next to the type ("const double*").</summary>
    public abstract string Display { get; }

    private protected string ConstPrefix => IsConst ? "const " : "";
}

/// <summary>void (only as a return type or behind a pointer).</summary>
public sealed record CVoid : CType
{
    public override string Display => ConstPrefix + "void";
}

/// <summary>Plain char: a byte of text, signedness left to the platform.</summary>
public sealed record CChar : CType
{
    public override string Display => ConstPrefix + "char";
}

/// <summary>_Bool (bool in C23 or with stdbool.h): one byte.</summary>
public sealed record CBool : CType
{
    public override string Display => ConstPrefix + "bool";
}

/// <summary>An integer of a known width; shown by its fixed-width name.</summary>
public sealed record CInteger(int Bits, bool Signed) : CType
{
    public override string Display => ConstPrefix + (Signed ? "" : "u") + "int" + Bits + "_t";
}

/// <summary>float (32 bits), double (64 bits) or long double.</summary>
public sealed record CFloat(int Bits, string Name) : CType
{
    public override string Display => ConstPrefix + Name;
}

/// <summary>struct, union or enum by tag. An enum is passed as an int; a struct is opaque here.</summary>
public sealed record CTagged(string Keyword, string Tag) : CType
{
    public override string Display => ConstPrefix + Keyword + " " + Tag;
}

/// <summary>A pointer (an array parameter has already decayed to one).</summary>
public sealed record CPointer(CType Pointee) : CType
{
    public override string Display => Pointee is CFunction function
        ? function.Return.Display + " (*" + (IsConst ? "const" : "") + ")(" + function.ParameterList + ")"
        : Pointee.Display + "*" + (IsConst ? " const" : "");
}

/// <summary>An array of a declared length (only inside a pointer or a struct; parameters decay).</summary>
public sealed record CArray(CType Element, string Length) : CType
{
    public override string Display => Element.Display + "[" + Length + "]";
}

/// <summary>A function type: seen behind a function pointer, and as each header function's own type.</summary>
public sealed record CFunction(CType Return, IReadOnlyList<CType> Parameters, bool Variadic) : CType
{
    public override string Display => Return.Display + " (" + ParameterList + ")";

    /// <summary>The parameter types separated by ", ", "void" for none.</summary>
    public string ParameterList =>
        Parameters.Count == 0 && !Variadic
            ? "void"
            : string.Join(", ", Parameters.Select(p => p.Display).Concat(Variadic ? ["..."] : Array.Empty<string>()));

    // Records compare lists by reference; two function types are equal when their parts are.
    public bool Equals(CFunction? other) =>
        other is not null && Return == other.Return && Variadic == other.Variadic &&
        Parameters.SequenceEqual(other.Parameters) && IsConst == other.IsConst;

    public override int GetHashCode() => HashCode.Combine(Return, Parameters.Count, Variadic);
}

/// <summary>A type the ABI check cannot compare (a _Complex, a vector type): always a mismatch.</summary>
public sealed record CUnsupported(string Text) : CType
{
    public override string Display => Text;
}
