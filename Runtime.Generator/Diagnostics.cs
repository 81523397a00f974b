using Microsoft.CodeAnalysis;

namespace Agents.Runtime.Generator;

internal static class Diagnostics
{
    private const string Category = "Agents.Grains";

    public static readonly DiagnosticDescriptor BadReturnType = new(
        "AGR001", "Grain method must be asynchronous",
        "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor GenericMethod = new(
        "AGR002", "Generic grain methods are not supported",
        "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ByRefParameter = new(
        "AGR003", "Grain method parameters cannot be ref, out or in",
        "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor GenericInterface = new(
        "AGR004", "Generic grain interfaces are not supported",
        "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotAMethod = new(
        "AGR005", "Grain interfaces may declare only methods",
        "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
