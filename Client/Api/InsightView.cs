namespace Agents.Client.Api;

/// <summary>A team's G-Memory insight with its score; <see cref="SupportedBy"/> lists the run ids behind it.</summary>
public sealed record InsightView(Guid Id, string Text, int Score, bool Retired, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<Guid> SupportedBy);
