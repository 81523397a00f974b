using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Agents.Runtime.Generator;

/// <summary>
/// For every grain interface (an interface deriving from Agents.Abstractions.IGrain) declared in the
/// compilation, emits a proxy class, one request class per method (arguments as fields, binary
/// (de)serialization, invocation) and a module initializer registering both with
/// GrainInterfaceRegistry. Nothing is found or invoked by reflection at call time.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class GrainInterfaceGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var interfaces = context.SyntaxProvider.CreateSyntaxProvider(
                static (node, _) => node is InterfaceDeclarationSyntax { BaseList: not null },
                static (syntax, cancellationToken) => Analyze(syntax, cancellationToken))
            .Where(static result => result is not null)
            .Select(static (result, _) => result!);

        context.RegisterSourceOutput(interfaces, static (output, result) =>
        {
            foreach (var diagnostic in result.Diagnostics)
                output.ReportDiagnostic(Diagnostic.Create(diagnostic.Descriptor, diagnostic.Location, diagnostic.Message));
            if (result.Source is not null)
                output.AddSource(result.HintName, SourceText.From(result.Source, Encoding.UTF8));
        });
    }

    private static GenerationResult? Analyze(GeneratorSyntaxContext syntax, CancellationToken cancellationToken)
    {
        if (syntax.SemanticModel.GetDeclaredSymbol(syntax.Node, cancellationToken) is not INamedTypeSymbol symbol) return null;
        if (!symbol.AllInterfaces.Any(IsGrainMarker)) return null;
        if (symbol.ContainingNamespace?.ToDisplayString() == "Agents.Abstractions" && symbol.Name is "IGrain" or "IGrainWithStringKey") return null;
        // A partial interface is declared several times; generate once, from its first declaration.
        if (symbol.DeclaringSyntaxReferences.Length > 1 && symbol.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) != syntax.Node) return null;
        return GrainInterfaceEmitter.Emit(symbol, cancellationToken);
    }

    internal static bool IsGrainMarker(INamedTypeSymbol type) =>
        type.Name == "IGrain" && type.ContainingNamespace?.ToDisplayString() == "Agents.Abstractions";
}

/// <summary>The generator's output for one interface: source and diagnostics. Compared by value so the
/// incremental pipeline skips unchanged interfaces.</summary>
internal sealed class GenerationResult(string hintName, string? source, IReadOnlyList<DiagnosticInfo> diagnostics)
{
    public string HintName { get; } = hintName;
    public string? Source { get; } = source;
    public IReadOnlyList<DiagnosticInfo> Diagnostics { get; } = diagnostics;

    public override bool Equals(object? obj) =>
        obj is GenerationResult other && other.HintName == HintName && other.Source == Source &&
        other.Diagnostics.SequenceEqual(Diagnostics);

    public override int GetHashCode() => (HintName.GetHashCode() * 31) ^ (Source?.GetHashCode() ?? 0);
}

internal sealed class DiagnosticInfo(DiagnosticDescriptor descriptor, Location? location, string message)
{
    public DiagnosticDescriptor Descriptor { get; } = descriptor;
    public Location? Location { get; } = location;
    public string Message { get; } = message;

    public override bool Equals(object? obj) =>
        obj is DiagnosticInfo other && other.Descriptor.Id == Descriptor.Id && other.Message == Message && Equals(other.Location, Location);

    public override int GetHashCode() => Message.GetHashCode();
}
