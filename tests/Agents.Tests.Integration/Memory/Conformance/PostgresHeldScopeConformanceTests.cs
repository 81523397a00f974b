using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Memory.Conformance;

/// <summary>
/// The conformance suite on PostgreSQL with every scope a call names held, as a memory grain holds
/// its own: reads of those scopes are answered from the in-process copies (after the epoch check) and
/// writes keep the copies current, so every behaviour the suite asks of the store must hold through them.
/// </summary>
public sealed class PostgresHeldScopeConformanceTests(PostgresDatabase db) : MemoryStoreConformanceTests, IClassFixture<PostgresDatabase>
{
    protected override IMemoryStore CreateStore() => HoldingStore.Over(new PostgresMemoryStore(db.DataSource, Options, timeProvider: Clock));

    protected override Task<MemoryRowCounts> CountRowsAsync(string tenant) => PostgresMemoryStoreConformanceTests.CountRowsAsync(db, tenant);
}

/// <summary>An <see cref="IMemoryStore"/> that holds (<see cref="IScopeHolder"/>) the scope of every
/// filter, search and record passed to it before forwarding the call.</summary>
public class HoldingStore : DispatchProxy
{
    private readonly ConcurrentDictionary<MemoryScope, IDisposable> _holds = new();
    private PostgresMemoryStore _inner = null!;

    public static IMemoryStore Over(PostgresMemoryStore inner)
    {
        var proxy = Create<IMemoryStore, HoldingStore>();
        ((HoldingStore)(object)proxy)._inner = inner;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        foreach (var arg in args ?? [])
        {
            var scope = arg switch
            {
                MemoryFilter filter => filter.Scope,
                SignalSearch search => search.Filter?.Scope,
                MemoryRecord record => record.Scope,
                _ => null,
            };
            if (scope is not null) _holds.GetOrAdd(scope, s => _inner.HoldScope(s));
        }
        try
        {
            return targetMethod!.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
