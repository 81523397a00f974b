namespace Agents.Silo.Operations;

/// <summary>How a silo is run and stopped (section <c>Agents:Silo</c>, beside its identity and endpoints).</summary>
public sealed class SiloOperationsOptions
{
    public const string Section = "Agents:Silo";

    /// <summary>On Kubernetes (Orleans' Kubernetes hosting): the pod's name and IP name the silo, and a silo
    /// whose pod is gone is declared dead at once. Needs the pods rights of infra/k8s/rbac.yaml.</summary>
    public bool Kubernetes { get; set; }

    /// <summary>On a graceful stop, move this silo's running workflow runs and memory scopes with pending
    /// work to other silos before it deactivates the rest (they would otherwise wait for a reminder).</summary>
    public bool HandoffOnShutdown { get; set; } = true;

    /// <summary>Longest the hand-off may take; the rest of the shutdown follows either way.</summary>
    public TimeSpan HandoffTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public void Validate()
    {
        if (HandoffTimeout <= TimeSpan.Zero || HandoffTimeout > TimeSpan.FromMinutes(10))
            throw new ArgumentOutOfRangeException(nameof(HandoffTimeout), HandoffTimeout, "Agents:Silo:HandoffTimeout must lie between 0 and 10 minutes.");
    }
}
