using Agents.Inference.Offline;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Agents.Grains.Hosting;

/// <summary>
/// Loads the local sentence model and embeds one sentence while the silo starts, before it takes calls:
/// the model's load (90 MB, its graph optimised) and ONNX Runtime's first run cost half a second or more,
/// which the first run of a workflow would otherwise pay on its critical path. An endpoint's embedder
/// or the hashing one has nothing to load and is left alone. A model that cannot load stops the start
/// (a bad setting, named); a failing first embedding is only logged (the first real call reports it).
/// </summary>
internal sealed partial class SentenceModelWarmUp(IServiceProvider services, ILogger<SentenceModelWarmUp> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const string Sentence = "The sentence model is loaded and ready.";

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SentenceModelWarmUp), ServiceLifecycleStage.ApplicationServices, WarmUpAsync);

    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        if (services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>() is not SentenceEmbedder embedder) return;
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            await embedder.GenerateAsync([Sentence], cancellationToken: cancellationToken);
            LogWarm(logger, embedder.ExecutionProvider, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 5110, Level = LogLevel.Information, Message = "Sentence model warm on {Provider} in {Milliseconds:F0} ms")]
    private static partial void LogWarm(ILogger logger, string provider, double milliseconds);

    [LoggerMessage(EventId = 5111, Level = LogLevel.Warning, Message = "The sentence model's first embedding failed at start; the first call will report it")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
