using System.Reflection;
using Agents.Abstractions;
using Agents.Abstractions.Invocation;
using Agents.Runtime.Placement;

namespace Agents.Runtime.Activation;

/// <summary>What the silo knows about one grain type it hosts: the implementing class, its interface
/// metadata, and the behaviour its attributes ask for.</summary>
internal sealed class GrainClassInfo
{
    public GrainClassInfo(Type grainClass, GrainInterfaceMetadata grainInterface, TimeSpan defaultCollectionAge, IServiceProvider services)
    {
        ClassType = grainClass;
        Interface = grainInterface;
        GrainType = grainInterface.GrainType;
        IsReentrant = grainClass.GetCustomAttribute<ReentrantAttribute>() is not null;
        var worker = grainClass.GetCustomAttribute<StatelessWorkerAttribute>();
        StatelessWorkerMax = worker is null ? 0 : worker.MaxLocalWorkers > 0 ? worker.MaxLocalWorkers : Environment.ProcessorCount;
        RequiredRole = grainClass.GetCustomAttribute<RequiresRoleAttribute>()?.Role;
        Placement = grainClass.GetCustomAttribute<PlacementAttribute>() switch
        {
            PreferLocalPlacementAttribute => PlacementStrategy.PreferLocal,
            LeastLoadedPlacementAttribute => PlacementStrategy.LeastLoaded,
            _ => worker is null ? PlacementStrategy.Random : PlacementStrategy.PreferLocal,
        };
        CollectionAge = grainClass.GetCustomAttribute<CollectionAgeAttribute>()?.Age ?? defaultCollectionAge;
        Activator = new GrainActivator(grainClass, services);
    }

    public Type ClassType { get; }
    public GrainInterfaceMetadata Interface { get; }
    public string GrainType { get; }
    public bool IsReentrant { get; }
    public bool IsStatelessWorker => StatelessWorkerMax > 0;
    public int StatelessWorkerMax { get; }
    public string? RequiredRole { get; }
    public PlacementStrategy Placement { get; }
    public TimeSpan CollectionAge { get; }
    public GrainActivator Activator { get; }
}
