namespace Agents.Client.Api;

/// <summary>The tenant's runs, newest first.</summary>
public sealed record RunList(IReadOnlyList<RunSummaryView> Runs);
