using Agents.Runtime.Membership;

namespace Agents.Runtime.Messaging;

/// <summary>How this end introduces itself and what it accepts.</summary>
internal sealed record ConnectionOptions(PeerKind LocalKind, string ClusterId, SiloAddress? LocalSilo, int MaxMessageSize)
{
    public const string Protocol = "agents-grain/1";
}
