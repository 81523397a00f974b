using System.Security.Cryptography;
using System.Text;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;

namespace Agents.Memory.Engine;

/// <summary>
/// Ids of an add that carries an idempotency key: the episode's and its notes' ids are derived from
/// the scope and the key, so a retried add finds the first one's episode instead of storing another.
/// </summary>
public static class AddIdempotency
{
    /// <summary>A key for an add that came without one: its messages and observation time, so that
    /// the very same add sent twice (a client's retry) is recognised.</summary>
    public static string DeriveKey(IReadOnlyList<ConversationTurn> messages, DateTimeOffset observedAt, IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var text = new StringBuilder("derived:v1\n").Append(observedAt.UtcTicks).Append('\n');
        foreach (var m in messages) Append(Append(Append(text, m.Speaker), m.Content), m.SourceId);
        foreach (var s in sources) Append(text, s);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static Guid EpisodeId(MemoryScope scope, string key)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var text = new StringBuilder("episode\n");
        foreach (var part in new[] { scope.Tenant, scope.UserId, scope.AgentId, scope.RunId, scope.TeamId, key }) Append(text, part);
        return Id(text.ToString());
    }

    public static Guid NoteId(Guid episodeId, int index) => Id($"note\n{episodeId:N}\n{index}");

    // Length-prefixed parts: no two different lists of parts give the same text.
    private static StringBuilder Append(StringBuilder text, string? part) =>
        part is null ? text.Append("-\n") : text.Append(part.Length).Append(':').Append(part).Append('\n');

    /// <summary>A name-based UUID (version 8, RFC 9562) from SHA-256 of the name.</summary>
    private static Guid Id(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
