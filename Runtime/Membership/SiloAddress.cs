using System.Net;

namespace Agents.Runtime.Membership;

/// <summary>A silo incarnation: endpoint plus generation. A restarted silo is a new silo (new generation).</summary>
public sealed record SiloAddress(IPEndPoint Endpoint, int Generation)
{
    public override string ToString() => $"{Endpoint}@{Generation}";

    public static SiloAddress Parse(string text)
    {
        var at = text.LastIndexOf('@');
        if (at <= 0 || !int.TryParse(text.AsSpan(at + 1), out var generation) || !IPEndPoint.TryParse(text[..at], out var endpoint))
            throw new FormatException($"'{text}' is not a silo address of the form host:port@generation.");
        return new SiloAddress(endpoint, generation);
    }
}
