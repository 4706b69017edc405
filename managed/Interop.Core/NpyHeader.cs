using System.Globalization;
using System.Text;

namespace Interop.Core;

/// <summary>
/// The header of a .npy file: by the format's specification, the text of a Python dict literal with
/// exactly the keys 'descr' (the dtype), 'fortran_order' (True or False) and 'shape' (a tuple of
/// integers), padded with spaces and ended by a newline; NumPy reads it with ast.literal_eval. This
/// reads the literals NumPy reads for such a header (strings in either quote with escapes, tuples
/// and lists with or without a trailing comma, nested values, any spacing), so a dtype that is not
/// float64, a structured one included, is named as written. Anything else is a
/// <see cref="UsageException"/>, one line (the header's text is shown with control characters escaped).
/// </summary>
public static class NpyHeader
{
    /// <summary>How deep brackets may nest: a dtype nests a few levels; deeper is not a matrix header (and would exhaust the stack).</summary>
    private const int MaxDepth = 32;

    public enum Kind
    {
        String,
        Name,
        Number,
        Tuple,
        List,
        Dict,
    }

    /// <summary>A literal: its kind, its text (a string's value, a name or number as written), its items and its source text.</summary>
    public sealed record Value(Kind Kind, string Text, IReadOnlyList<Value> Items, string Source);

    public readonly record struct Fields(Value Descr, bool FortranOrder, long[] Shape);

    /// <summary>
    /// The three fields of a header. <paramref name="pythonTwoLongs"/>: versions 1.0 and 2.0 may come
    /// from Python 2, whose shapes read (3L, 3L); NumPy accepts those there, and so does this.
    /// </summary>
    public static Fields Parse(string header, bool pythonTwoLongs, string name)
    {
        var reader = new Reader(header, name);
        Value dict = reader.ReadValue(0);
        reader.SkipSpace();
        if (!reader.AtEnd)
        {
            throw reader.Error("text after the dict");
        }

        if (dict.Kind != Kind.Dict)
        {
            throw new UsageException($"{name}: malformed .npy header (not a dict: {Printable(dict.Source)})");
        }

        var fields = new Dictionary<string, Value>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < dict.Items.Count; i += 2)
        {
            Value key = dict.Items[i];
            if (key.Kind != Kind.String || key.Text is not ("descr" or "fortran_order" or "shape"))
            {
                throw new UsageException($"{name}: malformed .npy header (unexpected key {Printable(key.Source)}; the keys are 'descr', 'fortran_order' and 'shape')");
            }

            if (!fields.TryAdd(key.Text, dict.Items[i + 1]))
            {
                throw new UsageException($"{name}: malformed .npy header ('{key.Text}' given twice)");
            }
        }

        Value descr = Required(fields, "descr", name);
        Value fortran = Required(fields, "fortran_order", name);
        Value shape = Required(fields, "shape", name);
        bool fortranOrder = fortran is { Kind: Kind.Name, Text: "True" or "False" }
            ? fortran.Text == "True"
            : throw new UsageException($"{name}: malformed .npy header (fortran_order is {Printable(fortran.Source)}, not True or False)");
        if (shape.Kind != Kind.Tuple)
        {
            throw new UsageException($"{name}: malformed shape {Printable(shape.Source)} (a tuple of integers)");
        }

        long[] dimensions = [.. shape.Items.Select(d => Dimension(d, pythonTwoLongs)
            ?? throw new UsageException($"{name}: malformed shape {Printable(shape.Source)} (a tuple of integers)"))];
        return new Fields(descr, fortranOrder, dimensions);
    }

    /// <summary><paramref name="text"/> for a one-line message (<see cref="DisplayText.Printable"/>).</summary>
    public static string Printable(string text) => DisplayText.Printable(text);

    private static Value Required(Dictionary<string, Value> fields, string key, string name) =>
        fields.TryGetValue(key, out Value? value) ? value : throw new UsageException($"{name}: malformed .npy header (no '{key}')");

    // A dimension: a Python int of decimal digits (Python 2's 3L too where allowed). Too large for a long is out of any range anyway.
    private static long? Dimension(Value value, bool pythonTwoLongs)
    {
        if (value.Kind != Kind.Number)
        {
            return null;
        }

        string digits = pythonTwoLongs && value.Text.EndsWith('L') ? value.Text[..^1] : value.Text;
        return digits.Length > 0 && digits.All(char.IsAsciiDigit)
            ? long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : long.MaxValue
            : null;
    }

    private sealed class Reader(string text, string name)
    {
        private int position;

        public bool AtEnd => position >= text.Length;

        public UsageException Error(string what) =>
            new($"{name}: malformed .npy header ({what} at character {position + 1}: {Printable(text)})");

        // Python's whitespace between tokens; a header ends in spaces and a newline.
        public void SkipSpace()
        {
            while (position < text.Length && text[position] is ' ' or '\t' or '\n' or '\r' or '\f' or '\v')
            {
                position++;
            }
        }

        public Value ReadValue(int depth)
        {
            SkipSpace();
            if (AtEnd)
            {
                throw Error("end of header");
            }

            int start = position;
            char c = text[position];
            switch (c)
            {
                case '\'' or '"':
                    return new Value(Kind.String, ReadString(), [], text[start..position]);
                case '(' or '[' or '{':
                    if (depth >= MaxDepth)
                    {
                        throw Error($"brackets nested deeper than {MaxDepth}");
                    }

                    position++;
                    Kind kind = c == '(' ? Kind.Tuple : c == '[' ? Kind.List : Kind.Dict;
                    List<Value> items = ReadItems(c == '(' ? ')' : c == '[' ? ']' : '}', kind == Kind.Dict, depth + 1, out bool trailingComma);
                    // (x) is x in parentheses, not a tuple: a tuple of one needs its comma.
                    if (kind == Kind.Tuple && items.Count == 1 && !trailingComma)
                    {
                        return items[0] with { Source = text[start..position] };
                    }

                    return new Value(kind, string.Empty, items, text[start..position]);
                default:
                    if (char.IsAsciiLetter(c) || c == '_')
                    {
                        while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] == '_'))
                        {
                            position++;
                        }

                        return new Value(Kind.Name, text[start..position], [], text[start..position]);
                    }

                    if (char.IsAsciiDigit(c) || c is '-' or '+' or '.')
                    {
                        position++;
                        while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] is '_' or '.'))
                        {
                            position++;
                        }

                        return new Value(Kind.Number, text[start..position], [], text[start..position]);
                    }

                    throw Error($"unexpected {Printable(c.ToString())}");
            }
        }

        private List<Value> ReadItems(char close, bool dict, int depth, out bool trailingComma)
        {
            var items = new List<Value>();
            trailingComma = false;
            while (true)
            {
                SkipSpace();
                if (!AtEnd && text[position] == close)
                {
                    position++;
                    return items;
                }

                if (items.Count > 0 && !trailingComma)
                {
                    throw Error($"expected ',' or '{close}'");
                }

                items.Add(ReadValue(depth));
                if (dict)
                {
                    SkipSpace();
                    if (AtEnd || text[position] != ':')
                    {
                        throw Error("expected ':'");
                    }

                    position++;
                    items.Add(ReadValue(depth));
                }

                SkipSpace();
                trailingComma = !AtEnd && text[position] == ',';
                if (trailingComma)
                {
                    position++;
                }
            }
        }

        // A Python string literal (no prefix). A backslash keeps the next character as it is (Python's \\ and \' escapes);
        // the other escapes, which no float64 dtype needs, are not decoded, so such a dtype is refused, named as written.
        private string ReadString()
        {
            char quote = text[position++];
            var value = new StringBuilder();
            while (position < text.Length && text[position] != quote)
            {
                if (text[position] is '\n' or '\r')
                {
                    throw Error("a line break inside a string");
                }

                if (text[position] == '\\' && position + 1 < text.Length)
                {
                    position++;
                }

                value.Append(text[position++]);
            }

            if (AtEnd)
            {
                throw Error("unterminated string");
            }

            position++;
            return value.ToString();
        }
    }
}
