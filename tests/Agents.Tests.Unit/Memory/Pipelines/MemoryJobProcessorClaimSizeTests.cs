using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Notes;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using static Agents.Tests.Unit.Memory.Pipelines.EngineHarness;

namespace Agents.Tests.Unit.Memory.Pipelines;

/// <summary>The processor claims as many jobs as run in a quarter of their lease at the pace jobs have run,
/// up to <see cref="MemoryEngineOptions.ClaimBatchSize"/>.</summary>
public sealed class MemoryJobProcessorClaimSizeTests : IDisposable
{
    private static readonly MemoryScope Ann = MemoryScope.ForUser("ann");
    private readonly ManualClock _clock = new(Day1);
    private readonly EmbeddedMemoryStore _inner;
    private readonly IMemoryStore _store;
    private readonly ConcurrentQueue<int> _claims = new();

    public MemoryJobProcessorClaimSizeTests()
    {
        _inner = new EmbeddedMemoryStore(timeProvider: _clock);
        var recording = DispatchProxy.Create<IMemoryStore, ClaimRecordingStore>();
        ((ClaimRecordingStore)(object)recording).Attach(_inner, _claims);
        _store = recording;
    }

    public void Dispose() => _inner.Dispose();

    private async Task RunAsync(int jobs, TimeSpan perJob)
    {
        var models = MemoryModels.Offline() with { Enricher = new ClockEnricher(() => _clock.Advance(perJob)) };
        await using var engine = new MemoryEngine(_store, new HashingEmbedder(), models, FastOptions(), time: _clock);
        for (var i = 0; i < jobs; i++) await engine.AddAsync(Ann, $"turn {i} about the lake", Day1.AddMinutes(i), "Ann");
        await engine.WaitForIdleAsync(Ann).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await _store.CountJobsAsync(Ann, MemoryJobStatus.Pending));
        Assert.Equal(jobs, (await ListAsync(_store, Ann, MemoryKind.Note)).Count);
    }

    [Fact]
    public async Task Quick_jobs_are_claimed_up_to_the_most_at_once()
    {
        await RunAsync(40, TimeSpan.Zero);

        var sizes = _claims.ToList();
        Assert.Equal(4, sizes[0]); // nothing timed yet
        Assert.Equal(new MemoryEngineOptions().ClaimBatchSize, sizes.Max());
        Assert.Equal(16, sizes.Max());
    }

    [Fact]
    public async Task Jobs_that_take_seconds_are_claimed_a_few_at_a_time()
    {
        // 3 s a job against a 30 s lease: two fit in its quarter.
        await RunAsync(10, TimeSpan.FromSeconds(3));

        var sizes = _claims.ToList();
        Assert.Equal(4, sizes[0]);
        Assert.All(sizes.Skip(1), size => Assert.Equal(2, size));
    }

    /// <summary>Forwards every call to the store, noting the size each claim asks for.</summary>
    public class ClaimRecordingStore : DispatchProxy
    {
        private IMemoryStore _inner = null!;
        private ConcurrentQueue<int> _claims = null!;

        public void Attach(IMemoryStore inner, ConcurrentQueue<int> claims) => (_inner, _claims) = (inner, claims);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IMemoryStore.ClaimJobsAsync)) _claims.Enqueue((int)args![1]!);
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }
    }

    /// <summary>The offline enricher, with the clock moved on while it works (a model call's time).</summary>
    private sealed class ClockEnricher(Action during) : INoteEnricher
    {
        private readonly OfflineNoteEnricher _inner = new();

        public ValueTask<NoteEnrichment> EnrichAsync(NoteDraft draft, CancellationToken cancellationToken)
        {
            during();
            return _inner.EnrichAsync(draft, cancellationToken);
        }
    }
}
