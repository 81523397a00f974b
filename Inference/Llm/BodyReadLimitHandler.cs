using System.Globalization;

namespace Agents.Inference.Llm;

/// <summary>
/// Bounds each wait for more of an answer's body by <see cref="LlmEndpointOptions.RequestTimeout"/>. The
/// resilience pipeline's time limits end when the headers arrive; a server can still stall in the middle
/// of a body, a stream above all, and would otherwise hold the caller until it cancels. Sits above the
/// retries, so it sees only the answer the caller gets.
/// </summary>
internal sealed class BodyReadLimitHandler(TimeSpan limit, string endpoint) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var original = response.Content;
        var body = await original.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var limited = new StreamContent(new LimitedStream(body, limit, endpoint, Math.Max(1, AttemptCountingHandler.Count(request))));
        foreach (var header in original.Headers) limited.Headers.TryAddWithoutValidation(header.Key, header.Value);
        response.Content = limited;
        return response;
    }

    /// <summary>A read-only stream whose every read must make progress within the limit.</summary>
    private sealed class LimitedStream(Stream inner, TimeSpan limit, string endpoint, int attempts) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(limit);
            try
            {
                return await inner.ReadAsync(buffer, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new LlmTimeoutException(
                    $"the answer from {endpoint} stopped arriving: nothing for {limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s.", limit, attempts, e);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        // Synchronous reads (no caller here uses them) cannot be bounded this way; they pass through.
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
