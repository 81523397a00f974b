using Agents.Grains.Inference;

namespace Agents.Grains.Hosting;

/// <summary>The inference pool on this silo (section <c>Agents:Inference</c>).</summary>
public sealed class AgentsInferenceOptions
{
    public const string Section = "Agents:Inference";

    /// <summary>Host the inference pool here even without the <c>gpu</c> role or a device (the reader then
    /// runs SIMD on the CPU). Default: yes, so that a single embedded silo serves everything.</summary>
    public bool OnCpu { get; set; } = true;

    /// <summary>Use the CPU reader even where a CUDA device is found.</summary>
    public bool ForceCpu { get; set; }

    /// <summary>On PostgreSQL, how stale an attention bank may be before a read reconciles it with the
    /// store (writes made through other silos).</summary>
    public TimeSpan BankRefresh { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The pool's queues: batching windows, batch sizes, queue limits, concurrent chat calls.</summary>
    public InferencePoolOptions Pool { get; set; } = new();

    public void Validate()
    {
        if (BankRefresh < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(BankRefresh), BankRefresh, "Agents:Inference:BankRefresh must not be negative.");
    }
}
