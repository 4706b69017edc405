using System.Globalization;
using System.Text;

namespace Interop.Core;

/// <summary>Text from input (a file's header, an environment variable) shown inside a one-line message.</summary>
public static class DisplayText
{
    /// <summary>
    /// <paramref name="text"/> with control characters (a newline, say) and other invisible ones
    /// escaped as Python prints them (\n, \x00, \u2028), and at most <paramref name="max"/>
    /// characters of it followed by "...": a message that shows it stays one line.
    /// </summary>
    public static string Printable(string text, int max = 80)
    {
        var shown = new StringBuilder();
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (shown.Length >= max)
            {
                shown.Append("...");
                break;
            }

            if (Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
            {
                shown.Append(rune.Value switch
                {
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    < 0x100 => $"\\x{rune.Value:x2}",
                    < 0x10000 => $"\\u{rune.Value:x4}",
                    _ => $"\\U{rune.Value:x8}",
                });
            }
            else
            {
                shown.Append(rune.ToString());
            }
        }

        return shown.ToString();
    }
}
