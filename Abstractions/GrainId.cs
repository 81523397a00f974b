namespace Agents.Abstractions;

/// <summary>The identity of a virtual actor: its grain type name and a string key, e.g. <c>agent/alice</c>.</summary>
public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";

    public static GrainId Parse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1)
            throw new FormatException($"'{text}' is not a grain id of the form type/key.");
        return new GrainId(text[..slash], text[(slash + 1)..]);
    }
}
