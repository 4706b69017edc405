using System.Text;

namespace Interop.AbiCheck;

/// <summary>
/// Parses the type text clang prints (the "qualType" of its JSON AST: "int32_t (int64_t, double *,
/// int32_t)", "const char *const *", "int32_t (*)(int32_t)") into a <see cref="CType"/>. Clang only
/// desugars the outermost typedef of a type, so every typedef name met on the way is resolved here
/// through the header's own typedef table (int32_t -> __int32_t -> int).
/// </summary>
public sealed class CTypeParser
{
    private static readonly HashSet<string> IgnoredQualifiers =
        ["volatile", "restrict", "__restrict", "__restrict__", "_Restrict", "_Atomic", "_Nonnull", "_Nullable", "__unaligned"];

    private static readonly HashSet<string> BuiltinWords =
        ["void", "_Bool", "bool", "char", "short", "int", "long", "signed", "unsigned", "float", "double", "_Complex", "__int128"];

    private readonly Func<string, CType?> resolveTypedef;
    private readonly bool longIs64Bits;
    private List<string> tokens = [];
    private int position;

    /// <param name="resolveTypedef">The type a typedef name stands for; null for a name that is no typedef.</param>
    /// <param name="longIs64Bits">LP64 (Linux, macOS): long is 64 bits; LLP64 (Windows): 32.</param>
    public CTypeParser(Func<string, CType?> resolveTypedef, bool longIs64Bits)
    {
        this.resolveTypedef = resolveTypedef;
        this.longIs64Bits = longIs64Bits;
    }

    /// <summary>Parses one complete type name; a FormatException names the text it could not read.</summary>
    public CType Parse(string text)
    {
        var savedTokens = tokens;
        var savedPosition = position;
        tokens = Tokenize(text);
        position = 0;
        try
        {
            var type = ParseTypeName();
            if (position != tokens.Count)
            {
                throw new FormatException($"unexpected '{tokens[position]}' in C type '{text}'");
            }

            return type;
        }
        finally
        {
            tokens = savedTokens;
            position = savedPosition;
        }
    }

    private string? Peek(int ahead = 0) => position + ahead < tokens.Count ? tokens[position + ahead] : null;

    private void Expect(string token)
    {
        if (Peek() != token)
        {
            throw new FormatException($"expected '{token}' but found '{Peek() ?? "end"}' in C type '{string.Join(" ", tokens)}'");
        }

        position++;
    }

    private CType ParseTypeName() => ParseAbstractDeclarator(ParseSpecifiers());

    // The declaration specifiers: qualifiers, builtin words, a tag or a typedef name.
    private CType ParseSpecifiers()
    {
        var isConst = false;
        var words = new List<string>();
        CType? named = null;
        while (Peek() is { } token)
        {
            if (token == "const")
            {
                isConst = true;
            }
            else if (IgnoredQualifiers.Contains(token))
            {
                // No effect on how the value is passed.
            }
            else if (BuiltinWords.Contains(token))
            {
                words.Add(token);
            }
            else if (token is "struct" or "union" or "enum" && named is null && words.Count == 0)
            {
                position++;
                named = new CTagged(token, ParseTag());
                continue;
            }
            else if (IsIdentifier(token) && named is null && words.Count == 0)
            {
                named = resolveTypedef(token) ?? new CUnsupported($"unknown type '{token}'");
                named = named with { Alias = token };
            }
            else
            {
                break;
            }

            position++;
        }

        var type = named ?? Builtin(words);
        return isConst ? type with { IsConst = true } : type;
    }

    // "struct interop_ctx", or clang's "struct (unnamed struct at file.h:3:9)" for an anonymous one.
    private string ParseTag()
    {
        if (Peek() == "(")
        {
            var depth = 0;
            do
            {
                depth += Peek() switch { "(" => 1, ")" => -1, _ => 0 };
                position++;
            }
            while (depth > 0 && Peek() is not null);

            return "(anonymous)";
        }

        var tag = Peek() ?? throw new FormatException("a struct, union or enum without a tag");
        position++;
        return tag;
    }

    private CType Builtin(List<string> words)
    {
        if (words.Count == 0)
        {
            throw new FormatException($"no type in '{string.Join(" ", tokens)}'");
        }

        var longs = words.Count(w => w == "long");
        var unsigned = words.Contains("unsigned");
        if (words.Contains("_Complex"))
        {
            return new CUnsupported(string.Join(" ", words));
        }

        if (words.Contains("void"))
        {
            return new CVoid();
        }

        if (words.Contains("_Bool") || words.Contains("bool"))
        {
            return new CBool();
        }

        if (words.Contains("float"))
        {
            return new CFloat(32, "float");
        }

        if (words.Contains("double"))
        {
            return longs > 0 ? new CUnsupported("long double") : new CFloat(64, "double");
        }

        if (words.Contains("char"))
        {
            return unsigned ? new CInteger(8, false) : words.Contains("signed") ? new CInteger(8, true) : new CChar();
        }

        var bits = words.Contains("__int128") ? 128
            : words.Contains("short") ? 16
            : longs >= 2 ? 64
            : longs == 1 ? (longIs64Bits ? 64 : 32)
            : 32;
        return new CInteger(bits, !unsigned);
    }

    // Pointers ("* const *"), then the direct part: a parenthesized declarator or suffixes.
    private CType ParseAbstractDeclarator(CType type)
    {
        while (Peek() == "*")
        {
            position++;
            type = new CPointer(type);
            while (Peek() is { } qualifier && (qualifier == "const" || IgnoredQualifiers.Contains(qualifier)))
            {
                if (qualifier == "const")
                {
                    type = type with { IsConst = true };
                }

                position++;
            }
        }

        if (Peek() == "(" && Peek(1) is "*" or "(" or "^")
        {
            // "T (*)(P)": the suffixes after the group apply to T first, then the group's declarator.
            position++;
            var innerStart = position;
            SkipToClosingParenthesis();
            type = ParseSuffixes(type);
            var end = position;
            position = innerStart;
            type = ParseAbstractDeclarator(type);
            Expect(")");
            position = end;
            return type;
        }

        return ParseSuffixes(type);
    }

    private void SkipToClosingParenthesis()
    {
        var depth = 1;
        while (depth > 0)
        {
            var token = Peek() ?? throw new FormatException($"unbalanced '(' in C type '{string.Join(" ", tokens)}'");
            depth += token switch { "(" => 1, ")" => -1, _ => 0 };
            position++;
        }
    }

    // Function parameter lists and array bounds; "T [2][3]" is an array of 2 arrays of 3, so applied right to left.
    private CType ParseSuffixes(CType type)
    {
        var suffixes = new List<Func<CType, CType>>();
        while (true)
        {
            if (Peek() == "(")
            {
                position++;
                var (parameters, variadic) = ParseParameterList();
                suffixes.Add(returnType => new CFunction(returnType, parameters, variadic));
            }
            else if (Peek() == "[")
            {
                position++;
                var length = new StringBuilder();
                while (Peek() is { } token && token != "]")
                {
                    length.Append(token);
                    position++;
                }

                Expect("]");
                var text = length.ToString();
                suffixes.Add(element => new CArray(element, text));
            }
            else
            {
                break;
            }
        }

        for (var i = suffixes.Count - 1; i >= 0; i--)
        {
            type = suffixes[i](type);
        }

        return type;
    }

    private (IReadOnlyList<CType> Parameters, bool Variadic) ParseParameterList()
    {
        var parameters = new List<CType>();
        if (Peek() == "void" && Peek(1) == ")")
        {
            position += 2;
            return (parameters, false);
        }

        var variadic = false;
        while (Peek() != ")")
        {
            if (Peek() == "...")
            {
                position++;
                variadic = true;
            }
            else
            {
                parameters.Add(Decay(ParseTypeName()));
            }

            if (Peek() == ",")
            {
                position++;
            }
            else if (Peek() != ")")
            {
                throw new FormatException($"expected ',' or ')' but found '{Peek() ?? "end"}' in C type '{string.Join(" ", tokens)}'");
            }
        }

        position++;
        return (parameters, variadic);
    }

    // A parameter declared as an array or a function is passed as a pointer.
    private static CType Decay(CType parameter) => parameter switch
    {
        CArray array => new CPointer(array.Element) { IsConst = array.IsConst },
        CFunction => new CPointer(parameter),
        _ => parameter,
    };

    private static bool IsIdentifier(string token) => token.Length > 0 && (char.IsLetter(token[0]) || token[0] == '_');

    private static List<string> Tokenize(string text)
    {
        var result = new List<string>();
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsLetterOrDigit(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                result.Add(text[start..i]);
            }
            else if (string.CompareOrdinal(text, i, "...", 0, 3) == 0)
            {
                result.Add("...");
                i += 3;
            }
            else
            {
                result.Add(c.ToString());
                i++;
            }
        }

        return result;
    }
}
