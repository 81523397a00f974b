namespace Agents.Memory.Pipelines.Graph;

/// <summary>
/// The relation phrases the offline extractor recognises ("lives in", "works at"...), each with its
/// relation type and whether it is single-valued: a person lives in one place at a time, so a new
/// single-valued relation closes the old one; "likes" is not, so it never does.
/// </summary>
public static class RelationPatterns
{
    public sealed record Pattern(string Phrase, string Relation, bool SingleValued);

    public static IReadOnlyList<Pattern> All { get; } =
    [
        new("lives in", "lives_in", true), new("live in", "lives_in", true), new("living in", "lives_in", true),
        new("moved to", "lives_in", true), new("relocated to", "lives_in", true), new("is based in", "lives_in", true),
        new("works at", "works_at", true), new("works for", "works_at", true), new("work at", "works_at", true), new("work for", "works_at", true),
        new("joined", "works_at", true), new("is employed by", "works_at", true),
        new("is married to", "married_to", true), new("married", "married_to", true),
        new("studies at", "studies_at", true), new("study at", "studies_at", true), new("enrolled at", "studies_at", true),
        new("is dating", "dating", true),
        new("is from", "from", true), new("comes from", "from", true), new("grew up in", "grew_up_in", true),
        new("visited", "visited", false), new("went to", "visited", false), new("traveled to", "visited", false), new("travelled to", "visited", false),
        new("likes", "likes", false), new("loves", "likes", false), new("enjoys", "likes", false),
        new("is friends with", "friend_of", false), new("met", "met", false),
    ];

    private static readonly HashSet<string> SingleValued = new(All.Where(static p => p.SingleValued).Select(static p => p.Relation), StringComparer.Ordinal);

    public static bool IsSingleValued(string relation) => SingleValued.Contains(relation);
}
