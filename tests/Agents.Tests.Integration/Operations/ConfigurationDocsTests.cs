using System.Reflection;
using Agents.Client;
using Agents.Grains.Hosting;
using Agents.Grains.Memory;
using Agents.Grains.Workflows;
using Agents.Inference.Llm;
using Agents.Inference.Offline;
using Agents.Memory.Engine;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Team;
using Agents.Memory.Retrieval;
using Agents.Silo.Api;
using Agents.Silo.Operations;

namespace Agents.Tests.Integration.Operations;

/// <summary>
/// docs/configuration.md is the one place every setting is documented: each settable property of each
/// options class appears there under its configuration path (or, for the retrieval and team sections
/// documented as one row, by name).
/// </summary>
public sealed class ConfigurationDocsTests
{
    [Fact]
    public void Every_setting_is_in_docs_configuration()
    {
        var doc = File.ReadAllText(Path.Combine(FindRoot(), "docs", "configuration.md"));
        var sections = new (Type Options, string Path)[]
        {
            (typeof(AgentsSiloOptions), AgentsSiloOptions.Section),
            (typeof(SiloOperationsOptions), SiloOperationsOptions.Section),
            (typeof(AgentsHttpOptions), AgentsHttpOptions.Section),
            (typeof(DashboardSettings), DashboardSettings.Section),
            (typeof(TelemetryOptions), TelemetryOptions.Section),
            (typeof(AgentsMemoryOptions), AgentsMemoryOptions.Section),
            (typeof(SentenceEmbedderOptions), "Agents:Memory:SentenceModel"),
            (typeof(MemoryGrainOptions), MemoryGrainOptions.Section),
            (typeof(MemoryEngineOptions), "Agents:Memory:Engine"),
            (typeof(MemoryPipelineOptions), "Agents:Memory:Engine:Pipelines"),
            (typeof(AgentsInferenceOptions), AgentsInferenceOptions.Section),
            (typeof(LlmEndpointOptions), "Agents:Llm"),
            (typeof(WorkflowOptions), WorkflowOptions.Section),
            (typeof(AgentsClientOptions), AgentsClientOptions.Section),
        };
        var missing = new List<string>();
        foreach (var (options, path) in sections)
            foreach (var property in Settable(options))
            {
                // A worker id is made per process; not a setting anyone sets.
                if (options == typeof(MemoryEngineOptions) && property.Name == nameof(MemoryEngineOptions.WorkerId)) continue;
                if (!Mentioned(doc, path, property.Name)) missing.Add($"{path}:{property.Name}");
            }
        foreach (var (options, path) in new[] { (typeof(HybridRetrieverOptions), "Agents:Memory:Retrieval"), (typeof(TeamMemoryOptions), "Agents:Memory:Team") })
            foreach (var property in Settable(options))
                if (!doc.Contains($"`{property.Name}`", StringComparison.Ordinal)) missing.Add($"{path}:{property.Name}");
        Assert.True(missing.Count == 0, $"docs/configuration.md does not document: {string.Join(", ", missing)}");
    }

    /// <summary>The setting's row (<c>`Path:Name`</c>), its sub-settings' rows (<c>`Path:Name:Sub`</c>), or a
    /// row of several (<c>`Path:A`, `:B`</c>).</summary>
    private static bool Mentioned(string doc, string path, string name) =>
        doc.Contains($"`{path}:{name}`", StringComparison.Ordinal) || doc.Contains($"`{path}:{name}:", StringComparison.Ordinal)
        || doc.Split('\n').Any(line => line.Contains($"`{path}:", StringComparison.Ordinal) && line.Contains($"`:{name}`", StringComparison.Ordinal));

    private static IEnumerable<PropertyInfo> Settable(Type options) =>
        options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Agents.sln"))) return dir.FullName;
        throw new InvalidOperationException("the repository root (Agents.sln) was not found above the test's directory");
    }
}
