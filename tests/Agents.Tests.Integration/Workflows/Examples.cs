using Agents.Abstractions.Workflows;
using Agents.Client.Workflows;

namespace Agents.Tests.Integration.Workflows;

/// <summary>The workflows under examples/, read as a user's file would be.</summary>
internal static class Examples
{
    public static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Agents.sln"))) return Path.Combine(dir.FullName, "examples");
            throw new InvalidOperationException("examples/ not found above the test's folder");
        }
    }

    public static WorkflowDefinition Read(string name)
    {
        var read = WorkflowDefinitionReader.Read(File.ReadAllText(Path.Combine(Directory, name)));
        Assert.True(read.Definition is not null, string.Join("; ", read.Problems));
        return read.Definition!;
    }
}
