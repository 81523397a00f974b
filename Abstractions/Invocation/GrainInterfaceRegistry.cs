using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Agents.Abstractions.Invocation;

/// <summary>Process-wide table of generated grain interface metadata. Generated module initializers
/// register into it; lookups for an interface whose assembly has not initialized yet run that
/// assembly's module initializer first.</summary>
public static class GrainInterfaceRegistry
{
    private static readonly ConcurrentDictionary<Type, GrainInterfaceMetadata> ByInterface = new();
    private static readonly ConcurrentDictionary<string, GrainInterfaceMetadata> ByGrainType = new(StringComparer.Ordinal);

    public static void Register(GrainInterfaceMetadata metadata)
    {
        ByInterface[metadata.InterfaceType] = metadata;
        if (!ByGrainType.TryAdd(metadata.GrainType, metadata) && ByGrainType[metadata.GrainType].InterfaceType != metadata.InterfaceType)
            throw new InvalidOperationException(
                $"Grain type name '{metadata.GrainType}' is used by both {ByGrainType[metadata.GrainType].InterfaceType} and {metadata.InterfaceType}; give one a [GrainType] name.");
    }

    public static GrainInterfaceMetadata Get(Type interfaceType)
    {
        if (ByInterface.TryGetValue(interfaceType, out var metadata)) return metadata;
        RuntimeHelpers.RunModuleConstructor(interfaceType.Module.ModuleHandle);
        if (ByInterface.TryGetValue(interfaceType, out metadata)) return metadata;
        throw new UnknownGrainTypeException(
            $"No generated proxy for {interfaceType.FullName}: is it a grain interface (IGrainWithStringKey) in a project that references Agents.Runtime.Generator as an analyzer?");
    }

    public static bool TryGetByGrainType(string grainType, out GrainInterfaceMetadata metadata) =>
        ByGrainType.TryGetValue(grainType, out metadata!);
}
