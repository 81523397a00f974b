using System.Reflection;
using Agents.Abstractions;
using Agents.Abstractions.Invocation;
using Agents.Runtime.Activation;
using Agents.Runtime.Directory;
using Agents.Runtime.Membership;
using Agents.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agents.Runtime.Hosting;

/// <summary>
/// Configures a silo: options, the grain classes it hosts, its services (for grain constructors) and
/// its providers (directory store, state store, cluster membership). Unset providers default to
/// in-memory ones and a single-silo cluster, i.e. the embedded mode.
/// </summary>
public sealed class SiloBuilder
{
    private readonly List<Type> _grainClasses = [];
    private IGrainDirectoryStore? _directory;
    private IGrainStateStore? _stateStore;
    private IClusterMembership? _membership;
    private IMembershipTable? _membershipTable;
    private MembershipOptions? _membershipOptions;
    private ILoggerFactory? _loggerFactory;

    public SiloOptions Options { get; } = new();
    /// <summary>Services grain constructors may ask for.</summary>
    public IServiceCollection Services { get; } = new ServiceCollection();

    public SiloBuilder Configure(Action<SiloOptions> configure) { configure(Options); return this; }

    public SiloBuilder AddGrain<TGrain>() where TGrain : Grain => AddGrain(typeof(TGrain));

    public SiloBuilder AddGrain(Type grainClass)
    {
        if (!typeof(Grain).IsAssignableFrom(grainClass) || grainClass.IsAbstract)
            throw new ArgumentException($"{grainClass.FullName} is not a concrete grain class (derived from Agents.Runtime.Grain).");
        if (!_grainClasses.Contains(grainClass)) _grainClasses.Add(grainClass);
        return this;
    }

    /// <summary>Adds every concrete <see cref="Grain"/> class of <paramref name="assembly"/>.</summary>
    public SiloBuilder AddGrainsFrom(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
            if (typeof(Grain).IsAssignableFrom(type) && !type.IsAbstract && !type.IsGenericTypeDefinition) AddGrain(type);
        return this;
    }

    public SiloBuilder UseDirectory(IGrainDirectoryStore directory) { _directory = directory; return this; }
    public SiloBuilder UseStateStore(IGrainStateStore stateStore) { _stateStore = stateStore; return this; }
    public SiloBuilder UseMembership(IClusterMembership membership) { _membership = membership; _membershipTable = null; return this; }

    /// <summary>Cluster membership through the membership protocol on <paramref name="table"/>: join,
    /// heartbeats and failure detection (probes over this silo's connections).</summary>
    public SiloBuilder UseMembershipTable(IMembershipTable table, MembershipOptions? options = null)
    {
        _membershipTable = table;
        _membershipOptions = options ?? new MembershipOptions();
        _membership = null;
        return this;
    }

    /// <summary>PostgreSQL for everything: membership table, grain directory and grain state
    /// (cluster = <see cref="SiloOptions.ClusterId"/>; the schema must be migrated).</summary>
    public SiloBuilder UsePostgres(Npgsql.NpgsqlDataSource dataSource, MembershipOptions? membershipOptions = null)
    {
        UseDirectory(new PostgresGrainDirectoryStore(dataSource, Options.ClusterId));
        UseStateStore(new PostgresGrainStateStore(dataSource, Options.ClusterId));
        return UseMembershipTable(new PostgresMembershipTable(dataSource, Options.ClusterId), membershipOptions);
    }
    public SiloBuilder UseLogging(ILoggerFactory loggerFactory) { _loggerFactory = loggerFactory; return this; }

    public SiloHost Build()
    {
        if (string.IsNullOrWhiteSpace(Options.ClusterId)) throw new ArgumentException("SiloOptions.ClusterId must be set.");
        if (Options.MaxMessageSize < 1024) throw new ArgumentException($"SiloOptions.MaxMessageSize {Options.MaxMessageSize} is below 1 KiB.");
        if (Options.ResponseTimeout <= TimeSpan.Zero) throw new ArgumentException("SiloOptions.ResponseTimeout must be positive.");
        var loggerFactory = _loggerFactory ?? NullLoggerFactory.Instance;
        Services.AddSingleton(loggerFactory);
        Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        var services = Services.BuildServiceProvider();
        var directory = _directory ?? new InMemoryGrainDirectoryStore();
        SiloRuntime? runtime = null;
        var membership = _membership
            ?? (_membershipTable is not null
                ? new TableClusterMembership(_membershipTable, _membershipOptions!,
                    new ConnectionSiloProber(() => runtime!, _membershipOptions!.ProbeTimeout), loggerFactory, directory)
                : new InProcessClusterMembership().Handle());
        runtime = new SiloRuntime(
            Options,
            loggerFactory.CreateLogger($"Agents.Silo.{Options.SiloName}"),
            directory,
            _stateStore,
            membership);
        runtime.Classes = BuildClasses(services);
        return new SiloHost(runtime, services);
    }

    private Dictionary<string, GrainClassInfo> BuildClasses(IServiceProvider services)
    {
        var classes = new Dictionary<string, GrainClassInfo>(StringComparer.Ordinal);
        foreach (var grainClass in _grainClasses)
        {
            var interfaces = grainClass.GetInterfaces()
                .Where(i => i != typeof(IGrain) && i != typeof(IGrainWithStringKey) && typeof(IGrain).IsAssignableFrom(i))
                .ToArray();
            if (interfaces.Length == 0)
                throw new ArgumentException($"{grainClass.FullName} implements no grain interface.");
            foreach (var grainInterface in interfaces)
            {
                var metadata = GrainInterfaceRegistry.Get(grainInterface);
                // An interface that only serves as a base of another grain interface is no grain type of its own
                // unless this class implements nothing more specific.
                if (interfaces.Any(other => other != grainInterface && grainInterface.IsAssignableFrom(other))) continue;
                if (classes.TryGetValue(metadata.GrainType, out var existing))
                    throw new ArgumentException($"Grain type '{metadata.GrainType}' is implemented by both {existing.ClassType.Name} and {grainClass.Name}.");
                classes[metadata.GrainType] = new GrainClassInfo(grainClass, metadata, Options.DefaultCollectionAge, services);
            }
        }
        return classes;
    }
}
