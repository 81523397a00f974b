using Agents.Abstractions.Memory;
using Agents.Client.Api;

namespace Agents.Silo.Api.Memory;

/// <summary>Grain contracts as the API shows them.</summary>
public static class MemoryViews
{
    public static MemoryView ToView(MemoryDetail d) => new()
    {
        Id = d.Id, Kind = d.Kind, Content = d.Content, Context = d.Context, Keywords = d.Keywords, Tags = d.Tags, Sources = d.Sources,
        Metadata = d.Metadata, Score = d.Score, UserId = d.Scope.UserId, AgentId = d.Scope.AgentId, RunId = d.Scope.RunId, TeamId = d.Scope.TeamId,
        ObservedAt = d.ObservedAt, ValidAt = d.ValidAt, InvalidAt = d.InvalidAt, ExpiredAt = d.ExpiredAt,
        CreatedAt = d.CreatedAt, UpdatedAt = d.UpdatedAt, Version = d.Version,
    };
}
