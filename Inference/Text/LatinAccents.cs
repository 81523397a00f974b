namespace Agents.Inference.Text;

/// <summary>
/// Strips the accents of the precomposed Latin letters U+00C0 to U+017F (Latin-1 Supplement and Latin
/// Extended-A: "é" to "e", "Ł" stays), as Unicode's canonical decomposition followed by dropping the
/// marks does. Needed because the process runs with invariant globalization, where
/// <see cref="string.Normalize()"/> leaves non-ASCII text as it is.
/// </summary>
public static class LatinAccents
{
    private const char First = '\u00C0';

    // The base letter of each code point from U+00C0, or '.' where it has no canonical decomposition
    // into a letter and marks (Æ, Ø, ß, Đ, Ł, Œ, ...). Made from Unicode's data (NFD).
    private const string Bases =
        "AAAAAA.CEEEEIIII.NOOOOO..UUUUY..aaaaaa.ceeeeiiii.nooooo..uuuuy.y" +
        "AaAaAaCcCcCcCcDd..EeEeEeEeEeGgGgGgGgHh..IiIiIiIiI...JjKk.LlLlLl." +
        "...NnNnNn...OoOoOo..RrRrRrSsSsSsSsTtTt..UuUuUuUuUuUuWwYyYZzZzZz.";

    /// <summary><paramref name="text"/> with those letters replaced by their base letters (the same
    /// instance when there is none).</summary>
    public static string Strip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var i = IndexOfAccented(text);
        if (i < 0) return text;
        return string.Create(text.Length, (text, i), static (span, state) =>
        {
            state.text.AsSpan().CopyTo(span);
            for (var j = state.i; j < span.Length; j++)
            {
                var c = span[j];
                if (c >= First && c < First + Bases.Length && Bases[c - First] != '.') span[j] = Bases[c - First];
            }
        });
    }

    private static int IndexOfAccented(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c >= First && c < First + Bases.Length && Bases[c - First] != '.') return i;
        }
        return -1;
    }
}
