using System.Collections.Immutable;
using Agents.Abstractions;
using Agents.Runtime.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Agents.Tests.Unit.Runtime;

/// <summary>Drives the grain source generator on small compilations.</summary>
public sealed class GeneratorTests
{
    private static (ImmutableArray<Diagnostic> Generator, ImmutableArray<Diagnostic> Compilation, string[] Sources) Run(string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(IGrain).Assembly.Location));
        var compilation = CSharpCompilation.Create("GeneratorTest",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create(new GrainInterfaceGenerator())
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var generated = driver.GetRunResult().GeneratedTrees.Select(t => t.ToString()).ToArray();
        return (diagnostics, output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray(), generated);
    }

    [Fact]
    public void Valid_interface_gets_a_proxy_and_requests_that_compile()
    {
        var (generator, compilation, sources) = Run("""
            using System.Threading.Tasks;
            using Agents.Abstractions;
            namespace Demo;
            public enum Mood { Calm, Busy }
            public sealed record Note(string Text);
            public interface IBase : IGrainWithStringKey { Task<int> CountAsync(); }
            [GrainType("demo")]
            public interface IDemoGrain : IBase
            {
                Task<string?> NameAsync(string? prefix, Mood mood, float[] vector, System.Guid id);
                [ReadOnly] ValueTask<Note> NoteAsync(Note note, System.Threading.CancellationToken cancellationToken);
                Task SetAsync(byte[] data);
                ValueTask ClearAsync();
            }
            """);
        Assert.Empty(generator);
        Assert.Empty(compilation);
        // IBase is a grain interface of its own too (grain type "base"), so it gets its own proxy.
        Assert.Equal(2, sources.Length);
        var code = Assert.Single(sources, s => s.Contains("\"demo\"", StringComparison.Ordinal));
        Assert.Contains("class Proxy", code);
        Assert.Contains("public override bool IsReadOnly => true;", code);
        Assert.Contains("CountAsync", code); // inherited methods are part of the interface
    }

    [Theory]
    [InlineData("int Sync();", "AGR001")]
    [InlineData("Task<T> Generic<T>(T value);", "AGR002")]
    [InlineData("Task ByRef(ref int value);", "AGR003")]
    [InlineData("int Property { get; }", "AGR005")]
    public void Invalid_members_are_reported_with_a_clear_diagnostic(string member, string id)
    {
        var (generator, _, sources) = Run($$"""
            using System.Threading.Tasks;
            using Agents.Abstractions;
            public interface IBadGrain : IGrainWithStringKey { {{member}} }
            """);
        var diagnostic = Assert.Single(generator);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains("IBadGrain", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(sources);
    }

    [Fact]
    public void Generic_grain_interfaces_are_reported()
    {
        var (generator, _, _) = Run("""
            using System.Threading.Tasks;
            using Agents.Abstractions;
            public interface IBoxGrain<T> : IGrainWithStringKey { Task<T> GetAsync(); }
            """);
        Assert.Equal("AGR004", Assert.Single(generator).Id);
    }
}
