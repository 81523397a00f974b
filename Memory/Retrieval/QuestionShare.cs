namespace Agents.Memory.Retrieval;

/// <summary>
/// How much of a text is asking rather than telling: the share of its sentences (split after '.', '!'
/// or '?' followed by white space) that end with a question mark. In a conversation the turn that asks
/// "You play any instruments?" repeats the query's words but rarely holds the answer, which the turns
/// around it do; <see cref="QueryFeatures"/> uses this share to demote such turns softly.
/// </summary>
public static class QuestionShare
{
    /// <summary>0 when no sentence is a question (or the text is blank), 1 when every sentence is.</summary>
    public static double Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sentences = 0;
        var questions = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var end = i == text.Length || (i > 0 && char.IsWhiteSpace(text[i]) && text[i - 1] is '.' or '!' or '?');
            if (!end) continue;
            var sentence = text.AsSpan(start, i - start).Trim();
            start = i;
            if (sentence.IsEmpty) continue;
            sentences++;
            if (sentence[^1] == '?') questions++;
        }
        return sentences == 0 ? 0 : (double)questions / sentences;
    }
}
