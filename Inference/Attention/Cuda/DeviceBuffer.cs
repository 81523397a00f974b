using System.Runtime.InteropServices;

namespace Agents.Inference.Attention.Cuda;

/// <summary>
/// Device memory of <typeparamref name="T"/> that grows on demand (never shrinks, so steady reads do not
/// allocate). The owning context must be current on the calling thread.
/// </summary>
internal sealed class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    private ulong _pointer;
    private long _capacity;

    public ulong Pointer => _pointer;

    public void EnsureCapacity(long elements)
    {
        if (elements <= _capacity && _pointer != 0) return;
        Free();
        var capacity = Math.Max(elements, 1);
        CudaCheck.Driver(CudaNative.cuMemAlloc(out _pointer, (nuint)(capacity * Marshal.SizeOf<T>())), "cuMemAlloc");
        _capacity = capacity;
    }

    public unsafe void Upload(ReadOnlySpan<T> source)
    {
        EnsureCapacity(source.Length);
        if (source.IsEmpty) return;
        fixed (T* p = source)
            CudaCheck.Driver(CudaNative.cuMemcpyHtoD(_pointer, (IntPtr)p, (nuint)(source.Length * sizeof(T))), "cuMemcpyHtoD");
    }

    public unsafe void Download(Span<T> destination)
    {
        if (destination.IsEmpty) return;
        if (destination.Length > _capacity) throw new ArgumentException($"the device buffer holds {_capacity} elements, {destination.Length} asked.", nameof(destination));
        fixed (T* p = destination)
            CudaCheck.Driver(CudaNative.cuMemcpyDtoH((IntPtr)p, _pointer, (nuint)(destination.Length * sizeof(T))), "cuMemcpyDtoH");
    }

    /// <summary>
    /// Frees without throwing: a reader's Dispose must release every buffer and the context even when one
    /// free fails (for instance after a kernel fault has poisoned the context).
    /// </summary>
    public void Dispose()
    {
        if (_pointer == 0) return;
        _ = CudaNative.cuMemFree(_pointer);
        _pointer = 0;
        _capacity = 0;
    }

    private void Free()
    {
        if (_pointer == 0) return;
        CudaCheck.Driver(CudaNative.cuMemFree(_pointer), "cuMemFree");
        _pointer = 0;
        _capacity = 0;
    }
}
