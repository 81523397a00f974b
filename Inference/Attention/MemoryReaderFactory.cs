using Agents.Inference.Attention.Cuda;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Agents.Inference.Attention;

/// <summary>
/// Makes routed readers on the best backend here: the CUDA one where a device, the driver and NVRTC are
/// found, else the SIMD CPU one. Probes once, logs the choice (and why) once, and falls back to the CPU
/// when a CUDA reader cannot be built (say, the kernels fail to compile), logging that too.
/// </summary>
public sealed partial class MemoryReaderFactory
{
    private readonly ILogger<MemoryReaderFactory> _logger;
    private readonly MemoryReaderFactoryOptions _options;
    private readonly Lazy<CudaDeviceInfo> _device;

    public MemoryReaderFactory(ILogger<MemoryReaderFactory> logger, IOptions<MemoryReaderFactoryOptions> options)
        : this(logger, options, new CudaProbe()) { }

    /// <summary>With a given probe (tests inject one whose library loader finds nothing).</summary>
    public MemoryReaderFactory(ILogger<MemoryReaderFactory> logger, IOptions<MemoryReaderFactoryOptions> options, CudaProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        _logger = logger;
        _options = options.Value;
        _device = new Lazy<CudaDeviceInfo>(() => Choose(probe), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The backend choice (probing on first use).</summary>
    public CudaDeviceInfo Device => _device.Value;

    /// <summary>A routed reader on the chosen backend.</summary>
    public IMemoryReader CreateRouted(int dimension, int valueDimension = 0)
    {
        var device = _device.Value;
        if (device.Available)
        {
            try
            {
                return new CudaRoutedReader(device, dimension, valueDimension, _options.Routed);
            }
            catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException)
            {
                LogCudaReaderFailed(e);
            }
        }
        return new RoutedMemoryReader(dimension, valueDimension, _options.Routed);
    }

    /// <summary>The exact reader (the reference; always on the CPU).</summary>
    public IMemoryReader CreateExact(int dimension, int valueDimension = 0) => new ExactMemoryReader(dimension, valueDimension);

    private CudaDeviceInfo Choose(CudaProbe probe)
    {
        var device = _options.ForceCpu ? CudaDeviceInfo.Unavailable("the CPU is forced by configuration") : probe.Probe();
        if (device.Available) LogCuda(device.Reason);
        else LogCpu(device.Reason);
        return device;
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Memory reader backend: CUDA on {Device}")]
    private partial void LogCuda(string device);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Memory reader backend: CPU (SIMD), because {Reason}")]
    private partial void LogCpu(string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "The CUDA memory reader could not be built; using the CPU reader")]
    private partial void LogCudaReaderFailed(Exception exception);
}
