using System.Runtime.InteropServices;

namespace Agents.Inference.Attention.Cuda;

/// <summary>
/// The <c>void** kernelParams</c> of <c>cuLaunchKernel</c>: one pointer per kernel parameter, each
/// pointing at that parameter's value. Values live in 8-byte slots of one native block (device pointers
/// are 8 bytes; ints and floats use the slot's first 4 bytes, as the kernel reads them), followed by the
/// pointer array. Native memory, so nothing moves while the driver reads it; freed by <see cref="Dispose"/>.
/// </summary>
public sealed unsafe class KernelArguments : IDisposable
{
    private const int SlotBytes = 8;
    private readonly int _capacity;
    private byte* _block;

    public KernelArguments(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _block = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * (SlotBytes + sizeof(void*))));
    }

    public int Count { get; private set; }

    /// <summary>The <c>kernelParams</c> argument: an array of <see cref="Count"/> pointers.</summary>
    public IntPtr Pointer => (IntPtr)Pointers;

    private void** Pointers => (void**)(Block + _capacity * SlotBytes);

    private byte* Block => _block != null ? _block : throw new ObjectDisposedException(nameof(KernelArguments));

    public KernelArguments Clear()
    {
        Count = 0;
        return this;
    }

    /// <summary>A device pointer (<c>CUdeviceptr</c>, e.g. a <c>float*</c> parameter).</summary>
    public KernelArguments Add(ulong devicePointer) => Put(devicePointer);

    public KernelArguments Add(int value) => Put(value);

    public KernelArguments Add(float value) => Put(value);

    /// <summary>The bytes parameter <paramref name="index"/> points at (for tests and diagnostics).</summary>
    public ReadOnlySpan<byte> ValueBytes(int index, int size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return new ReadOnlySpan<byte>(Pointers[index], size);
    }

    /// <summary>The address stored in pointer <paramref name="index"/> (for tests: it must be the value's slot).</summary>
    public IntPtr ParameterAddress(int index) => (IntPtr)Pointers[index];

    public void Dispose()
    {
        if (_block == null) return;
        NativeMemory.Free(_block);
        _block = null;
    }

    private KernelArguments Put<T>(T value) where T : unmanaged
    {
        var block = Block;
        if (Count == _capacity) throw new InvalidOperationException($"kernel arguments are full ({_capacity} parameters).");
        var slot = block + Count * SlotBytes;
        *(ulong*)slot = 0;
        *(T*)slot = value;
        Pointers[Count] = slot;
        Count++;
        return this;
    }
}
