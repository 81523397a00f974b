using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Agents.Inference.Attention.Cuda;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace Agents.Inference.Offline;

/// <summary>
/// A BERT-style sentence model on ONNX Runtime: token ids in, one unit-length vector per text out
/// (the token outputs averaged over the text's tokens, then L2-normalised, as sentence-transformers'
/// Pooling(mean) + Normalize do). Texts are run in batches padded to their longest, sorted by length so
/// that little is padded. One call runs at a time and uses the configured intra-op threads.
/// Runs on CUDA where a device was found and the ONNX Runtime build has the CUDA provider, else on the CPU.
/// <see cref="GetShared"/> keeps one per process and configuration: the model is 90 MB.
/// </summary>
public sealed partial class SentenceEncoder : IDisposable
{
    private static readonly ConcurrentDictionary<string, Lazy<SentenceEncoder>> Shared = new(StringComparer.Ordinal);

    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private readonly string _outputName;
    private readonly bool _takesTokenTypes;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <param name="files">The model and its vocabulary.</param>
    /// <param name="maxTokens">Longest input, [CLS] and [SEP] included.</param>
    /// <param name="intraOpThreads">Threads per call.</param>
    /// <param name="cuda">The CUDA device to run on, or null (or unavailable) for the CPU.</param>
    public SentenceEncoder(SentenceModelFiles files, int maxTokens, int intraOpThreads, CudaDeviceInfo? cuda = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentOutOfRangeException.ThrowIfLessThan(intraOpThreads, 1);
        logger ??= NullLogger.Instance;
        Tokenizer = new SentenceTokenizer(new MemoryStream(files.Vocabulary, writable: false), maxTokens);
        (_session, _sessionOptions, Provider) = CreateSession(files.Model, intraOpThreads, cuda, logger);
        try
        {
            var inputs = _session.InputMetadata.Keys.ToHashSet(StringComparer.Ordinal);
            if (!inputs.Contains("input_ids") || !inputs.Contains("attention_mask"))
                throw new InvalidDataException($"The model from {files.Source} is not a BERT encoder: its inputs are {string.Join(", ", inputs)}, not input_ids and attention_mask.");
            _takesTokenTypes = inputs.Contains("token_type_ids");
            var output = _session.OutputMetadata.FirstOrDefault(o => o.Key == "last_hidden_state");
            if (output.Key is null) output = _session.OutputMetadata.FirstOrDefault(o => o.Value.Dimensions.Length == 3);
            if (output.Key is null || output.Value.Dimensions[^1] <= 0)
                throw new InvalidDataException($"The model from {files.Source} has no token output [batch, tokens, dimension] of fixed dimension.");
            _outputName = output.Key;
            Dimension = output.Value.Dimensions[^1];
        }
        catch
        {
            Dispose();
            throw;
        }
        Source = files.Source;
        IntraOpThreads = intraOpThreads;
        LogLoaded(logger, Source, Provider, intraOpThreads, Dimension);
    }

    public SentenceTokenizer Tokenizer { get; }

    /// <summary>The vector length.</summary>
    public int Dimension { get; }

    /// <summary>Where it runs: <c>cpu</c> or <c>cuda:N (device)</c>.</summary>
    public string Provider { get; }

    public int IntraOpThreads { get; }

    /// <summary>The model file read.</summary>
    public string Source { get; }

    /// <summary>The process's encoder for these options and device, made on first use (a failed load is not kept).</summary>
    public static SentenceEncoder GetShared(SentenceEmbedderOptions options, CudaDeviceInfo? cuda, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var device = options.UseCuda && cuda is { Available: true } ? cuda : null;
        var threads = options.EffectiveIntraOpThreads;
        var key = $"{SentenceModelFiles.Resolve(options.ModelPath)}|{options.MaxTokens}|{threads}|{device?.Ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "cpu"}";
        var lazy = Shared.GetOrAdd(key, _ => new Lazy<SentenceEncoder>(
            () => new SentenceEncoder(SentenceModelFiles.Load(options.ModelPath), options.MaxTokens, threads, device, logger),
            LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Shared.TryRemove(new KeyValuePair<string, Lazy<SentenceEncoder>>(key, lazy));
            throw;
        }
    }

    /// <summary>Embeds texts given as token ids (from <see cref="Tokenizer"/>), in batches of at most
    /// <paramref name="batchSize"/>, one call at a time, off the caller's thread.</summary>
    public async Task<float[][]> EncodeAsync(IReadOnlyList<int[]> tokenIds, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var vectors = new float[tokenIds.Count][];
        if (tokenIds.Count == 0) return vectors;
        // Longest first, so each batch pads little.
        var order = Enumerable.Range(0, tokenIds.Count).OrderByDescending(i => tokenIds[i].Length).ToArray();
        for (var start = 0; start < order.Length; start += batchSize)
        {
            var batch = order.AsMemory(start, Math.Min(batchSize, order.Length - start));
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Run(() => RunBatch(tokenIds, batch.Span, vectors, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
        return vectors;
    }

    private void RunBatch(IReadOnlyList<int[]> tokenIds, ReadOnlySpan<int> batch, float[][] vectors, CancellationToken cancellationToken)
    {
        var count = batch.Length;
        var length = 0;
        foreach (var i in batch) length = Math.Max(length, tokenIds[i].Length);
        var ids = new long[count * length];
        var mask = new long[count * length];
        for (var b = 0; b < count; b++)
        {
            var tokens = tokenIds[batch[b]];
            for (var t = 0; t < tokens.Length; t++)
            {
                ids[b * length + t] = tokens[t];
                mask[b * length + t] = 1;
            }
        }
        long[] shape = [count, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = _takesTokenTypes ? OrtValue.CreateTensorValueFromMemory(new long[count * length], shape) : null;
        var names = _takesTokenTypes ? new[] { "input_ids", "attention_mask", "token_type_ids" } : ["input_ids", "attention_mask"];
        var values = _takesTokenTypes ? new[] { idsValue, maskValue, typesValue! } : [idsValue, maskValue];

        using var runOptions = new RunOptions();
        using var cancel = cancellationToken.Register(() => runOptions.Terminate = true);
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = _session.Run(runOptions, names, values, [_outputName]);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        using (outputs)
        {
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            var d = Dimension;
            for (var b = 0; b < count; b++)
            {
                // Mean over the text's own tokens (padding is masked out), then unit length.
                var tokens = tokenIds[batch[b]].Length;
                var vector = new float[d];
                for (var t = 0; t < tokens; t++)
                    TensorPrimitives.Add(vector, hidden.Slice((b * length + t) * d, d), vector);
                TensorPrimitives.Divide(vector, tokens, vector);
                var norm = TensorPrimitives.Norm(vector);
                TensorPrimitives.Divide(vector, MathF.Max(norm, 1e-12f), vector);
                vectors[batch[b]] = vector;
            }
        }
    }

    private static (InferenceSession, SessionOptions, string) CreateSession(byte[] model, int threads, CudaDeviceInfo? cuda, ILogger logger)
    {
        if (cuda is { Available: true })
        {
            var options = BaseOptions(threads);
            try
            {
                options.AppendExecutionProvider_CUDA(cuda.Ordinal);
                return (new InferenceSession(model, options), options, $"cuda:{cuda.Ordinal} ({cuda.Name})");
            }
            // The CPU build of ONNX Runtime has no CUDA entry point; a GPU build can miss cuDNN or cuBLAS.
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                options.Dispose();
                LogCudaFailed(logger, cuda.Reason, e);
            }
        }
        var cpu = BaseOptions(threads);
        try
        {
            return (new InferenceSession(model, cpu), cpu, "cpu");
        }
        catch
        {
            cpu.Dispose();
            throw;
        }
    }

    private static SessionOptions BaseOptions(int threads)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        };
        // Idle intra-op threads sleep instead of spinning: a silo shares its cores with grains and other
        // models, and spinning threads on a busy machine slow everyone, this model included.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    public void Dispose()
    {
        _session.Dispose();
        _sessionOptions.Dispose();
        _gate.Dispose();
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Sentence model from {Source} on {Provider} ({Threads} threads), {Dimension} dimensions")]
    private static partial void LogLoaded(ILogger logger, string source, string provider, int threads, int dimension);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "The sentence model cannot use CUDA on {Device}; it runs on the CPU")]
    private static partial void LogCudaFailed(ILogger logger, string device, Exception exception);
}
