namespace Agents.Bench.Chaos;

/// <summary>One fault done to the cluster: seconds until the cluster served every scope again (null: not within the limit), and
/// (when it took a silo away) seconds until the others declared that silo dead.</summary>
internal sealed record FaultReport(string Fault, double? RecoverySeconds, double? DeclaredDeadSeconds, long FailedRequests, string Note);
