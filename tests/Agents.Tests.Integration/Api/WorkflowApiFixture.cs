using Agents.Memory.Pipelines;
using Agents.Tests.Integration.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace Agents.Tests.Integration.Api;

/// <summary>
/// A serving silo whose memory pipelines hold a note that contains <c>[hold:NAME]</c> until the test
/// opens gate NAME (<see cref="GatedEnricher"/>): a workflow with such a knowledge entry stays running
/// (it waits for its team memory to settle) for as long as a test needs it to.
/// </summary>
public sealed class WorkflowApiFixture : ApiFixture
{
    protected override IReadOnlyDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        // A held note keeps its pipeline slot; other scopes need slots of their own.
        ["Agents:Memory:Pipeline:MaxConcurrentJobs"] = "8",
    };

    protected override void ConfigureServices(IServiceCollection services)
    {
        var offline = MemoryModels.Offline();
        services.AddSingleton(offline with { Enricher = new GatedEnricher(offline.Enricher) });
    }

    /// <summary>A new gate's name, and a definition (YAML) whose run stays in its preparation until the gate opens.</summary>
    public static (string Gate, string Yaml) HeldWorkflow(string team)
    {
        var gate = Guid.NewGuid().ToString("N");
        return (gate, $"""
            name: held
            team: {team}
            task: "When is the Aurora launch?"
            knowledge:
              - "The Aurora launch is set for 14 March. [hold:{gate}]"
            agents:
              - id: researcher
                role: finds the facts the task needs
              - id: writer
                role: writes the final answer
            topology: sequential
            limits: {"{"} steps: 12, seconds: 600 {"}"}
            """);
    }

    /// <summary>The text of an example workflow under examples/.</summary>
    public static string Example(string name) => File.ReadAllText(Path.Combine(Workflows.Examples.Directory, name));
}
