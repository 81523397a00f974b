using Agents.Abstractions.Invocation;
using Agents.Abstractions.Serialization;
using Microsoft.Extensions.Logging;

namespace Agents.Runtime.Messaging;

/// <summary>What a <see cref="Connection"/> delivers to its owner (a silo, or a cluster client).</summary>
internal interface IConnectionHandler
{
    ILogger Logger { get; }
    /// <summary>The peer introduced itself (its <see cref="Connection.RemoteSilo"/> is now known).</summary>
    void OnHello(Connection connection);
    /// <summary>A decoded request; its <see cref="GrainRequest.Sink"/> is the connection.</summary>
    void OnRequest(Connection connection, GrainRequest request);
    /// <summary>A response; <paramref name="reader"/> is positioned at its <see cref="ResponseKind"/>.</summary>
    void OnResponse(Connection connection, long correlationId, ref WireReader reader);
    void OnClosed(Connection connection, Exception? error);
}
