namespace Agents.Inference.Attention.Cuda;

/// <summary>
/// A device's primary context and the compiled kernels. A context is current per OS thread, so every GPU
/// operation begins with <see cref="MakeCurrent"/> on the thread that runs it. Released in
/// <see cref="Dispose"/> (never a finaliser: the driver may be gone by then).
/// </summary>
internal sealed class CudaContext : IDisposable
{
    private readonly int _device;
    private IntPtr _context;
    private IntPtr _module;

    public CudaContext(CudaDeviceInfo device, string source)
    {
        _device = device.Ordinal;
        CudaCheck.Driver(CudaNative.cuDevicePrimaryCtxRetain(out _context, _device), "cuDevicePrimaryCtxRetain");
        try
        {
            MakeCurrent();
            var cubin = NvrtcCompiler.CompileCubin(source, "agents_routed_reader.cu", device.Major, device.Minor);
            CudaCheck.Driver(CudaNative.cuModuleLoadData(out _module, cubin), "cuModuleLoadData");
            foreach (var entry in RoutedKernelSource.EntryPoints)
            {
                CudaCheck.Driver(CudaNative.cuModuleGetFunction(out var function, _module, entry), $"cuModuleGetFunction({entry})");
                Functions[entry] = function;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public Dictionary<string, IntPtr> Functions { get; } = new(StringComparer.Ordinal);

    public void MakeCurrent() => CudaCheck.Driver(CudaNative.cuCtxSetCurrent(_context), "cuCtxSetCurrent");

    /// <summary>For release paths, which must not throw.</summary>
    public bool TryMakeCurrent() => _context != IntPtr.Zero && CudaNative.cuCtxSetCurrent(_context) == 0;

    /// <summary>Launches a kernel and waits for it: launch errors surface at the synchronise, so both are checked.</summary>
    public void Launch(string entry, uint blocks, uint threads, KernelArguments arguments)
    {
        if (blocks == 0) return;
        CudaCheck.Driver(CudaNative.cuLaunchKernel(Functions[entry], blocks, 1, 1, threads, 1, 1, 0, IntPtr.Zero, arguments.Pointer, IntPtr.Zero), $"cuLaunchKernel({entry})");
        CudaCheck.Driver(CudaNative.cuCtxSynchronize(), $"cuCtxSynchronize after {entry}");
    }

    public void Dispose()
    {
        if (_context == IntPtr.Zero) return;
        // Release everything even if a step fails: results are deliberately not thrown from Dispose.
        CudaNative.cuCtxSetCurrent(_context);
        if (_module != IntPtr.Zero) CudaNative.cuModuleUnload(_module);
        _module = IntPtr.Zero;
        CudaNative.cuDevicePrimaryCtxRelease(_device);
        _context = IntPtr.Zero;
    }
}
