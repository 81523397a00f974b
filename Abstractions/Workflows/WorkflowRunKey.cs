namespace Agents.Abstractions.Workflows;

/// <summary>The key of a run's grain: its tenant and id, escaped, so that one tenant's run id never
/// reaches another tenant's run.</summary>
public sealed record WorkflowRunKey(string Tenant, string RunId)
{
    public override string ToString() => $"{Uri.EscapeDataString(Tenant)}/{Uri.EscapeDataString(RunId)}";

    public static WorkflowRunKey Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split('/');
        if (parts.Length != 2 || parts.Any(string.IsNullOrEmpty))
            throw new FormatException($"'{key}' is not a run key of the form tenant/run.");
        return new WorkflowRunKey(Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]));
    }

    /// <summary>A new run id: sortable by start time, unique.</summary>
    public static string NewRunId() => $"run-{DateTimeOffset.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
}
