using System.Net;
using Microsoft.Extensions.Configuration;

namespace Agents.Grains.Hosting;

/// <summary>
/// What a silo of the Agents cluster is configured with (section <c>Agents</c>, or environment
/// variables such as <c>Agents__Silo__Port</c>). Everything has an embedded default: one in-process
/// silo, the embedded memory store, offline models.
/// </summary>
public sealed class AgentsSiloSettings
{
    /// <summary>PostgreSQL connection string (<c>Agents:Postgres</c> or <c>AGENTS_PG_CONNECTION</c>);
    /// none = embedded store and a single in-process cluster.</summary>
    public string? Postgres { get; init; }
    public string ClusterId { get; init; } = "agents";
    public string SiloName { get; init; } = Environment.MachineName;
    /// <summary>The address other silos and clients reach this silo at (resolved if a host name).</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;
    public int Port { get; init; }
    /// <summary>Client gateway port; 0 = not a gateway.</summary>
    public int GatewayPort { get; init; }
    public IReadOnlyList<string> Roles { get; init; } = [];
    /// <summary>Embedding dimension of the memory store (the offline embedder's when no endpoint).</summary>
    public int Dimension { get; init; } = 384;
    /// <summary>Embedded store only: snapshot file, so memories survive a restart.</summary>
    public string? SnapshotPath { get; init; }
    /// <summary>Host the inference pool here even without a GPU (the reader then runs on the CPU).
    /// Default: yes, so that a single embedded silo serves everything.</summary>
    public bool InferenceOnCpu { get; init; } = true;
    public bool ForceCpu { get; init; }
    /// <summary>On PostgreSQL, how stale an attention bank may be before a read reconciles it with the
    /// store (writes made through other silos). Default 2 s.</summary>
    public TimeSpan BankRefresh { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>The inference pool's queues on this silo (batching windows, batch sizes, queue limits,
    /// concurrent chat calls).</summary>
    public Inference.InferencePoolOptions InferencePool { get; init; } = new();

    /// <summary>Retrieval weights (<c>Agents:Memory:Retrieval</c>: TextWeight, ContentTextWeight, VectorWeight,
    /// GraphWeight, QuestionDemotion, LengthPriorTerms, RrfK, SpeakerBoost, TimeBoost, UseMmr...), laid over
    /// the profile for the embedder in use (<c>HybridRetrieverOptions.ForOfflineEmbedder()</c> offline).
    /// Null: the profile.</summary>
    public IConfigurationSection? Retrieval { get; init; }

    /// <summary>The LLM endpoint section (<c>Agents:Llm</c>: BaseUrl, ApiKey, ChatModel, EmbeddingModel...).</summary>
    public IConfigurationSection Llm { get; init; } = null!;

    public static AgentsSiloSettings Read(IConfiguration configuration)
    {
        var section = configuration.GetSection("Agents");
        var silo = section.GetSection("Silo");
        return new AgentsSiloSettings
        {
            Postgres = NonEmpty(section["Postgres"]) ?? NonEmpty(configuration["AGENTS_PG_CONNECTION"]),
            ClusterId = NonEmpty(silo["ClusterId"]) ?? "agents",
            SiloName = NonEmpty(silo["Name"]) ?? Environment.MachineName,
            Address = ResolveAddress(NonEmpty(silo["Address"])),
            Port = Int(silo, "Port", 0),
            GatewayPort = Int(silo, "GatewayPort", 0),
            Roles = (silo["Roles"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Dimension = Int(section.GetSection("Memory"), "Dimension", 384),
            SnapshotPath = NonEmpty(section.GetSection("Memory")["SnapshotPath"]),
            InferenceOnCpu = Bool(section.GetSection("Inference"), "OnCpu", true),
            ForceCpu = Bool(section.GetSection("Inference"), "ForceCpu", false),
            BankRefresh = TimeSpan.FromMilliseconds(Int(section.GetSection("Inference"), "BankRefreshMilliseconds", 2000)),
            Llm = section.GetSection("Llm"),
            Retrieval = section.GetSection("Memory:Retrieval"),
        };
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static int Int(IConfiguration section, string key, int fallback)
    {
        var text = NonEmpty(section[key]);
        if (text is null) return fallback;
        return int.TryParse(text, out var value) && value >= 0 ? value : throw new InvalidOperationException($"Configuration {key} = '{text}' is not a non-negative integer.");
    }

    private static bool Bool(IConfiguration section, string key, bool fallback)
    {
        var text = NonEmpty(section[key]);
        if (text is null) return fallback;
        return bool.TryParse(text, out var value) ? value : throw new InvalidOperationException($"Configuration {key} = '{text}' is not true or false.");
    }

    private static IPAddress ResolveAddress(string? text)
    {
        if (text is null) return IPAddress.Loopback;
        if (IPAddress.TryParse(text, out var address)) return address;
        // In a container the silo advertises its own name's address (compose / Kubernetes DNS).
        return Dns.GetHostAddresses(text).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? throw new InvalidOperationException($"The silo address '{text}' does not resolve to an IPv4 address.");
    }
}
