using Agents.Inference.Attention;
using Agents.Inference.Attention.Cuda;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Agents.Tests.Unit.Attention;

public sealed class CudaLibraryProbeTests
{
    [Fact]
    public void Candidates_are_tried_in_order_until_one_loads()
    {
        var tried = new List<string>();
        var probe = new NativeLibraryProbe(name => { tried.Add(name); return name == "libnvrtc.so.12" ? 42 : 0; });
        var result = probe.Probe(CudaLibraries.NvrtcCandidates);
        Assert.True(result.Found);
        Assert.Equal("libnvrtc.so.12", result.Name);
        Assert.Equal(["libnvrtc.so.13", "libnvrtc.so.12"], tried);
        Assert.Equal((IntPtr)42, result.Handle);
    }

    [Fact]
    public void A_missing_driver_means_the_cpu_with_the_reason()
    {
        var device = new CudaProbe(new NativeLibraryProbe(_ => 0)).Probe();
        Assert.False(device.Available);
        Assert.Contains("CUDA driver library not found", device.Reason);
        Assert.Contains("libcuda.so.1", device.Reason);
    }

    [Fact]
    public void A_missing_nvrtc_means_the_cpu_with_every_name_tried()
    {
        var device = new CudaProbe(new NativeLibraryProbe(name => name.StartsWith("libcuda", StringComparison.Ordinal) ? 7 : 0)).Probe();
        Assert.False(device.Available);
        Assert.Contains("NVRTC library not found (tried libnvrtc.so.13, libnvrtc.so.12, libnvrtc.so)", device.Reason);
    }

    [Fact]
    public void The_factory_falls_back_to_the_cpu_and_logs_the_choice_once()
    {
        var logger = new ListLogger<MemoryReaderFactory>();
        var factory = new MemoryReaderFactory(logger, Options.Create(new MemoryReaderFactoryOptions()), new CudaProbe(new NativeLibraryProbe(_ => 0)));
        using var first = factory.CreateRouted(16);
        using var second = factory.CreateRouted(16, 4);
        Assert.IsType<RoutedMemoryReader>(first);
        Assert.IsType<RoutedMemoryReader>(second);
        var line = Assert.Single(logger.Lines);
        Assert.Contains("CPU (SIMD), because the CUDA driver library not found (tried libcuda.so.1", line);
    }

    [Fact]
    public void Forcing_the_cpu_is_logged_as_the_reason()
    {
        var logger = new ListLogger<MemoryReaderFactory>();
        var factory = new MemoryReaderFactory(logger, Options.Create(new MemoryReaderFactoryOptions { ForceCpu = true }), new CudaProbe(new NativeLibraryProbe(_ => throw new InvalidOperationException("must not probe"))));
        using var reader = factory.CreateRouted(8);
        Assert.False(factory.Device.Available);
        Assert.Contains("forced by configuration", Assert.Single(logger.Lines));
    }

    [Fact]
    public void The_factory_on_this_machine_gives_a_reader_that_keeps_the_contract()
    {
        // Real probing: a CUDA reader where a device exists, the CPU one elsewhere; the contract is the same.
        var logger = new ListLogger<MemoryReaderFactory>();
        var factory = new MemoryReaderFactory(logger, Options.Create(new MemoryReaderFactoryOptions()));
        using var reader = factory.CreateRouted(32);
        Assert.Equal(factory.Device.Available ? typeof(CudaRoutedReader) : typeof(RoutedMemoryReader), reader.GetType());
        Assert.False(string.IsNullOrWhiteSpace(factory.Device.Reason));
        Assert.Single(logger.Lines);
        var data = new TestVectors(TestVectors.FreshSeed());
        var keys = data.Clustered(3000, 32, 20, 0.6f, out _);
        reader.InsertRange(TestVectors.Ids(3000), keys);
        var result = new ReadResult(4, 5, 32);
        reader.Read(data.Perturbed(keys, 32, 4, 0.2f), new ReadOptions(5), result);
        for (var q = 0; q < 4; q++)
            ReaderAssert.ContractHolds(result, q, id => keys.AsSpan((int)(id - 1000) * 32, 32).ToArray(), 0.1f);
    }

    private sealed class ListLogger<T> : ILogger<T>
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
