using ScottPlot;

namespace Interop.Cli.Compare;

/// <summary>
/// Titles and axis labels that fit the chart they are drawn on: each text is measured with the font
/// ScottPlot draws it in and, where it is wider than the room it has once the plot is laid out at its
/// size, wrapped at phrase boundaries (", ", "; ", ": "), then at spaces, into at most two lines, the
/// second shortened with "..." if still too wide. ScottPlot itself clips a long title at the image's
/// edge, and centres it over the data area, not the image.
/// </summary>
internal static class ChartText
{
    /// <summary>The title's font size (ScottPlot's default is 16).</summary>
    public const float TitleFontSize = 15;

    /// <summary>Lines a title, subtitle or axis label may wrap into.</summary>
    public const int MaxLines = 2;

    /// <summary>Kept free between a text's end and the image's edge (or the end of its axis), pixels.</summary>
    public const float Margin = 8;

    private const string Ellipsis = "...";

    private static readonly string[] PhraseEnds = [", ", "; ", ": "];

    /// <summary>
    /// Sets the title (<paramref name="title"/> over <paramref name="subtitle"/>) and the axis labels of
    /// <paramref name="plot"/>, fitted to the room each has when the plot is drawn
    /// <paramref name="width"/> x <paramref name="height"/>. Call it last: the room depends on the legend and ticks.
    /// </summary>
    public static void Fit(Plot plot, int width, int height, string title, string subtitle, string yLabel, string xLabel)
    {
        plot.Axes.Title.Label.FontSize = TitleFontSize;
        plot.Axes.Title.Label.Text = $"{title}\n{subtitle}";
        plot.Axes.Left.Label.Text = yLabel;
        plot.Axes.Bottom.Label.Text = xLabel;
        // The room of each text depends on how the others wrapped (a two-line axis label narrows the data
        // area the title is centred over): lay out again until nothing changes.
        for (int pass = 0; pass < 4; pass++)
        {
            PixelRect data = Layout(plot, width, height);
            string fittedTitle = string.Join('\n', [.. Wrap(title, plot.Axes.Title.Label, TitleRoom(data, width)), .. Wrap(subtitle, plot.Axes.Title.Label, TitleRoom(data, width))]);
            string fittedY = string.Join('\n', Wrap(yLabel, plot.Axes.Left.Label, data.Height - Margin));
            string fittedX = string.Join('\n', Wrap(xLabel, plot.Axes.Bottom.Label, data.Width - Margin));
            if (fittedTitle == plot.Axes.Title.Label.Text && fittedY == plot.Axes.Left.Label.Text && fittedX == plot.Axes.Bottom.Label.Text)
            {
                return;
            }

            plot.Axes.Title.Label.Text = fittedTitle;
            plot.Axes.Left.Label.Text = fittedY;
            plot.Axes.Bottom.Label.Text = fittedX;
        }
    }

    /// <summary>The data area of <paramref name="plot"/> laid out at <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static PixelRect Layout(Plot plot, int width, int height)
    {
        plot.RenderInMemory(width, height);
        return plot.RenderManager.LastRender.DataRect;
    }

    /// <summary>
    /// The widest a title line may be: it is centred over the data area, so it may reach as far to each
    /// side as the nearer image edge allows.
    /// </summary>
    public static float TitleRoom(PixelRect data, int width) =>
        (2 * Math.Min(data.HorizontalCenter, width - data.HorizontalCenter)) - (2 * Margin);

    /// <summary>The width of <paramref name="text"/> (its widest line) drawn in <paramref name="style"/>'s font.</summary>
    public static float Measure(string text, LabelStyle style)
    {
        var probe = new LabelStyle { Text = text, FontName = style.FontName, FontSize = style.FontSize, Bold = style.Bold, Italic = style.Italic };
        using Paint paint = Paint.NewDisposablePaint();
        return probe.Measure(paint).Width;
    }

    /// <summary>
    /// <paramref name="text"/> in lines no wider than <paramref name="room"/> in <paramref name="style"/>'s font:
    /// one line where it fits, else two as even as possible, broken between phrases where that fits, else
    /// between words. Where even two lines are too narrow, the widest phrase is shortened word by word
    /// (ending "...") so that the rest (a date, what the bars are) stays whole; a text of one long word is cut.
    /// </summary>
    public static IReadOnlyList<string> Wrap(string text, LabelStyle style, float room)
    {
        if (Measure(text, style) <= room)
        {
            return [text];
        }

        List<string> phrases = [.. Phrases(text)];
        while (true)
        {
            if ((Split(phrases, style, room, byWords: false) ?? Split(phrases, style, room, byWords: true)) is IReadOnlyList<string> lines)
            {
                return lines;
            }

            int widest = Enumerable.Range(0, phrases.Count).MaxBy(i => Measure(phrases[i], style));
            if (Shortened(phrases[widest]) is not string shorter)
            {
                break;
            }

            phrases[widest] = shorter;
        }

        return [Shorten(string.Concat(phrases).TrimEnd(), style, room)];
    }

    // The phrases of text, each with its separator (", ", "; ", ": ") at its end.
    private static IEnumerable<string> Phrases(string text)
    {
        int start = 0;
        while (start < text.Length)
        {
            int end = PhraseEnds.Select(e => text.IndexOf(e, start, StringComparison.Ordinal) is int i and >= 0 ? i + e.Length : text.Length).Min();
            yield return text[start..end];
            start = end;
        }
    }

    // The evenest split of the phrases into two lines (MaxLines) that both fit, between phrases or between
    // any two words; null where none fits.
    private static IReadOnlyList<string>? Split(IReadOnlyList<string> phrases, LabelStyle style, float room, bool byWords)
    {
        string[] pieces = byWords ? [.. phrases.SelectMany(Words)] : [.. phrases];
        IReadOnlyList<string>? best = null;
        float bestWidth = float.MaxValue;
        for (int i = 1; i < pieces.Length; i++)
        {
            string first = string.Concat(pieces[..i]).TrimEnd();
            string second = string.Concat(pieces[i..]).TrimEnd();
            float width = Math.Max(Measure(first, style), Measure(second, style));
            if (width <= room && width < bestWidth)
            {
                best = [first, second];
                bestWidth = width;
            }
        }

        return best;
    }

    // The words of a phrase, each with the space after it.
    private static IEnumerable<string> Words(string phrase)
    {
        string[] words = phrase.Split(' ');
        for (int i = 0; i < words.Length; i++)
        {
            string word = i < words.Length - 1 ? words[i] + " " : words[i];
            if (word.Length > 0)
            {
                yield return word;
            }
        }
    }

    // The phrase one word shorter, ending "..." before its separator; null where one word or less is left.
    private static string? Shortened(string phrase)
    {
        string separator = PhraseEnds.FirstOrDefault(e => phrase.EndsWith(e, StringComparison.Ordinal)) ?? string.Empty;
        string body = phrase[..^separator.Length];
        body = body.EndsWith(Ellipsis, StringComparison.Ordinal) ? body[..^Ellipsis.Length] : body;
        int space = body.TrimEnd().LastIndexOf(' ');
        return space <= 0 ? null : body[..space].TrimEnd() + Ellipsis + separator;
    }

    // The line itself if it fits, else as much of it as fits before "...".
    private static string Shorten(string line, LabelStyle style, float room)
    {
        if (Measure(line, style) <= room)
        {
            return line;
        }

        int length = line.Length;
        while (length > 0 && Measure(line[..length].TrimEnd() + Ellipsis, style) > room)
        {
            length--;
        }

        return line[..length].TrimEnd() + Ellipsis;
    }
}
