namespace Agents.Abstractions.Invocation;

/// <summary>What the source generator knows about one grain interface: its grain type name, how to make
/// a proxy, and how to make an empty request for a method id (server side, before reading arguments).</summary>
public sealed class GrainInterfaceMetadata(
    Type interfaceType,
    string grainType,
    Func<IGrainCallInvoker, GrainId, GrainReference> createProxy,
    Func<int, GrainRequest?> createRequest,
    IReadOnlyList<string> methodNames)
{
    public Type InterfaceType { get; } = interfaceType;
    public string GrainType { get; } = grainType;
    public IReadOnlyList<string> MethodNames { get; } = methodNames;
    public GrainReference CreateProxy(IGrainCallInvoker invoker, GrainId id) => createProxy(invoker, id);
    /// <summary>An empty request for <paramref name="methodId"/>, or null when no such method exists.</summary>
    public GrainRequest? CreateRequest(int methodId) => createRequest(methodId);
}
