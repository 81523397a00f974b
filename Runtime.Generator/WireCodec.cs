using Microsoft.CodeAnalysis;

namespace Agents.Runtime.Generator;

/// <summary>Chooses the WireWriter/WireReader calls for a type: direct binary for common types, JSON
/// (through GrainJson, source-generated contexts first) for everything else.</summary>
internal static class WireCodec
{
    public static bool IsCancellationToken(ITypeSymbol type) =>
        type.ToDisplayString() == "System.Threading.CancellationToken";

    public static string Write(ITypeSymbol type, string writer, string value)
    {
        if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol { EnumUnderlyingType: { } _ })
            return $"{writer}.WriteInt64((long){value});";
        var direct = Direct(type);
        return direct is null
            ? $"{writer}.WriteObject<{GrainInterfaceEmitter.TypeName(type)}>({value});"
            : $"{writer}.Write{direct}({value});";
    }

    public static string Read(ITypeSymbol type, string reader)
    {
        if (type.TypeKind == TypeKind.Enum)
            return $"({GrainInterfaceEmitter.TypeName(type)}){reader}.ReadInt64()";
        var direct = Direct(type);
        return direct is null
            ? $"{reader}.ReadObject<{GrainInterfaceEmitter.TypeName(type)}>()"
            : $"{reader}.Read{direct}(){(type.IsReferenceType && type.NullableAnnotation != NullableAnnotation.Annotated ? "!" : "")}";
    }

    private static string? Direct(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean: return "Bool";
            case SpecialType.System_Byte: return "Byte";
            case SpecialType.System_Int16: return "Int16";
            case SpecialType.System_Int32: return "Int32";
            case SpecialType.System_Int64: return "Int64";
            case SpecialType.System_UInt32: return "UInt32";
            case SpecialType.System_UInt64: return "UInt64";
            case SpecialType.System_Single: return "Single";
            case SpecialType.System_Double: return "Double";
            case SpecialType.System_Decimal: return "Decimal";
            case SpecialType.System_String: return "String";
            case SpecialType.System_DateTime: return "DateTime";
        }
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            if (array.ElementType.SpecialType == SpecialType.System_Byte) return "ByteArray";
            if (array.ElementType.SpecialType == SpecialType.System_Single) return "SingleArray";
            return null;
        }
        switch (type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString())
        {
            case "System.Guid": return "Guid";
            case "System.DateTimeOffset": return "DateTimeOffset";
            case "System.TimeSpan": return "TimeSpan";
        }
        return null;
    }
}
