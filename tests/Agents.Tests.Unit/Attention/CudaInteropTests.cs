using System.Runtime.InteropServices;
using Agents.Inference.Attention.Cuda;

namespace Agents.Tests.Unit.Attention;

public sealed class CudaInteropTests
{
    [Theory]
    [InlineData(100, "CUDA_ERROR_NO_DEVICE")]
    [InlineData(700, "CUDA_ERROR_ILLEGAL_ADDRESS")]
    [InlineData(218, "CUDA_ERROR_INVALID_PTX")]
    [InlineData(209, "CUDA_ERROR_NO_BINARY_FOR_GPU")]
    public void Driver_codes_are_named(int code, string name)
    {
        var e = Assert.Throws<CudaException>(() => CudaCheck.Driver(code, "cuLaunchKernel(agents_readout)"));
        Assert.Equal(code, e.Code);
        Assert.Equal("cuLaunchKernel(agents_readout)", e.Call);
        Assert.StartsWith($"cuLaunchKernel(agents_readout) failed: {name} (", e.Message);
    }

    [Fact]
    public void Success_is_silent_and_unknown_codes_keep_their_number()
    {
        CudaCheck.Driver(0, "cuInit");
        CudaCheck.Nvrtc(0, "nvrtcCompileProgram");
        Assert.Equal("CUresult 12345", CudaErrors.DescribeDriver(12345));
        Assert.Equal("nvrtcResult 99", CudaErrors.DescribeNvrtc(99));
    }

    [Fact]
    public void A_compile_error_carries_the_log()
    {
        var e = Assert.Throws<CudaException>(() => CudaCheck.Nvrtc(6, "nvrtcCompileProgram", "kernel.cu(3): error: identifier \"x\" is undefined"));
        Assert.Contains("NVRTC_ERROR_COMPILATION", e.Message);
        Assert.Contains("identifier \"x\" is undefined", e.Message);
        Assert.Equal("kernel.cu(3): error: identifier \"x\" is undefined", e.Log);
    }

    [Fact]
    public void Kernel_arguments_point_at_their_values()
    {
        using var arguments = new KernelArguments(4);
        arguments.Add(0xDEADBEEF_00C0FFEEUL).Add(-42).Add(1.5f);
        Assert.Equal(3, arguments.Count);
        Assert.Equal(BitConverter.GetBytes(0xDEADBEEF_00C0FFEEUL), arguments.ValueBytes(0, 8).ToArray());
        Assert.Equal(BitConverter.GetBytes(-42), arguments.ValueBytes(1, 4).ToArray());
        Assert.Equal(BitConverter.GetBytes(1.5f), arguments.ValueBytes(2, 4).ToArray());
        // kernelParams is an array of pointers, one per parameter, each at its own 8-byte slot.
        for (var i = 0; i < 3; i++)
            Assert.Equal(arguments.ParameterAddress(i), Marshal.ReadIntPtr(arguments.Pointer, i * IntPtr.Size));
        Assert.Equal(8, (long)arguments.ParameterAddress(1) - (long)arguments.ParameterAddress(0));
        Assert.Equal(-42, Marshal.ReadInt32(Marshal.ReadIntPtr(arguments.Pointer, IntPtr.Size)));
    }

    [Fact]
    public void Kernel_arguments_refuse_overflow_and_reuse_after_clear()
    {
        var arguments = new KernelArguments(1);
        arguments.Add(7);
        Assert.Throws<InvalidOperationException>(() => arguments.Add(8));
        arguments.Clear().Add(9f);
        Assert.Equal(BitConverter.GetBytes(9f), arguments.ValueBytes(0, 4).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => arguments.ValueBytes(1, 4));
        arguments.Dispose();
        Assert.Throws<ObjectDisposedException>(() => arguments.Add(1));
    }
}
