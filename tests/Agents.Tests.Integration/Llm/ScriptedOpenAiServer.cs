using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Agents.Tests.Integration.Llm;

/// <summary>
/// An OpenAI-compatible HTTP server for tests: Kestrel on 127.0.0.1 with a free port, serving
/// <c>/v1/chat/completions</c> and <c>/v1/embeddings</c> from queues of scripted answers and
/// recording every request. An empty queue answers 418 (not retried) so a surplus call is loud.
/// </summary>
public sealed class ScriptedOpenAiServer : IAsyncDisposable
{
    private const string ChatPath = "/v1/chat/completions";
    private const string EmbeddingsPath = "/v1/embeddings";
    private static readonly TimeSpan RendezvousLimit = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedResponse> _chat = new();
    private readonly ConcurrentQueue<ScriptedResponse> _embeddings = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private Func<RecordedRequest, ScriptedResponse>? _fallback;
    private int _inFlight;
    private int _maxInFlight;

    private ScriptedOpenAiServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request received, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>The most requests that were being answered at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public static async Task<ScriptedOpenAiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ScriptedOpenAiServer(app);
        app.MapPost(ChatPath, context => server.AnswerAsync(context, server._chat));
        app.MapPost(EmbeddingsPath, context => server.AnswerAsync(context, server._embeddings));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    public ScriptedOpenAiServer EnqueueChat(params ScriptedResponse[] responses)
    {
        foreach (var response in responses) _chat.Enqueue(response);
        return this;
    }

    public ScriptedOpenAiServer EnqueueEmbeddings(params ScriptedResponse[] responses)
    {
        foreach (var response in responses) _embeddings.Enqueue(response);
        return this;
    }

    /// <summary>Answers computed from the request once the queue is empty (for many similar calls).</summary>
    public void AnswerOtherwiseWith(Func<RecordedRequest, ScriptedResponse> fallback) => _fallback = fallback;

    public int RequestCount(string pathSuffix) => Requests.Count(r => r.Path.EndsWith(pathSuffix, StringComparison.Ordinal));

    private async Task AnswerAsync(HttpContext context, ConcurrentQueue<ScriptedResponse> queue)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        UpdateMax(inFlight);
        try
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var request = new RecordedRequest(context.Request.Path, context.Request.Headers.Authorization.ToString(), body);
            _requests.Enqueue(request);

            var response = queue.TryDequeue(out var scripted) ? scripted
                : _fallback?.Invoke(request) ?? ScriptedResponse.Error(418, $"no scripted response left for {context.Request.Path}");

            if (response.HoldUntilInFlight > 0) await RendezvousAsync(response.HoldUntilInFlight, context.RequestAborted);
            if (response.Delay > TimeSpan.Zero) await Task.Delay(response.Delay, context.RequestAborted);

            context.Response.StatusCode = response.Status;
            context.Response.ContentType = response.ContentType;
            foreach (var (name, value) in response.Headers) context.Response.Headers[name] = value;
            if (response.StallAfter is { } split && split < response.Body.Length)
            {
                await context.Response.WriteAsync(response.Body[..split], context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(response.Stall, context.RequestAborted);
                await context.Response.WriteAsync(response.Body[split..], context.RequestAborted);
            }
            else
            {
                await context.Response.WriteAsync(response.Body, context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (time-out or cancellation under test): nothing to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    // Waits until enough requests have been in flight together at some moment (a latch: the first
    // to leave lowers the count, so the current count would strand the others), or gives up after a
    // bound so a too-strict limiter makes the test fail on its assertion instead of hanging.
    private async Task RendezvousAsync(int count, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + RendezvousLimit;
        while (MaxInFlight < count && DateTime.UtcNow < deadline)
            await Task.Delay(5, cancellationToken);
    }

    private void UpdateMax(int value)
    {
        var current = Volatile.Read(ref _maxInFlight);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref _maxInFlight, value, current);
            if (seen == current) return;
            current = seen;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
