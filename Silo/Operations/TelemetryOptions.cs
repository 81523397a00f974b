namespace Agents.Silo.Operations;

/// <summary>OpenTelemetry of a silo (section <c>Agents:Telemetry</c>); the exporter itself takes the
/// standard <c>OTEL_EXPORTER_OTLP_*</c> and <c>OTEL_SERVICE_NAME</c> variables.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Agents:Telemetry";

    /// <summary>Collect traces, metrics and logs: <c>auto</c> (when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set),
    /// <c>true</c> or <c>false</c>. Off, no span is even created (Orleans makes one per grain call when listened to).</summary>
    public string Enabled { get; set; } = "auto";

    /// <summary>Also trace Orleans' own runtime calls (membership probes, directory, ...): many small spans.</summary>
    public bool OrleansRuntimeSpans { get; set; }

    /// <summary>Also trace every PostgreSQL command (Npgsql's spans).</summary>
    public bool DatabaseSpans { get; set; }

    public bool IsEnabled(string? otlpEndpoint) => Enabled.Trim().ToLowerInvariant() switch
    {
        "auto" => !string.IsNullOrWhiteSpace(otlpEndpoint),
        "true" => true,
        "false" => false,
        _ => throw new ArgumentException($"Agents:Telemetry:Enabled must be auto, true or false, not '{Enabled}'.", nameof(Enabled)),
    };
}
