using System.Text;

namespace Agents.Inference.Attention.Cuda;

/// <summary>
/// Compiles CUDA C with NVRTC for one device architecture. It asks for a CUBIN of the device's own
/// <c>sm_XY</c>, so no PTX has to be JIT-compiled by a driver older than the compiler (the classic
/// "PTX newer than the driver" failure); the compile log comes with any error.
/// </summary>
internal static class NvrtcCompiler
{
    public static byte[] CompileCubin(string source, string name, int major, int minor)
    {
        CudaCheck.Nvrtc(CudaNative.nvrtcCreateProgram(out var program, source, name, 0, IntPtr.Zero, IntPtr.Zero), "nvrtcCreateProgram");
        try
        {
            string[] options = [$"--gpu-architecture=sm_{major}{minor}", "--use_fast_math", "-default-device"];
            var compiled = CudaNative.nvrtcCompileProgram(program, options.Length, options);
            if (compiled != 0) CudaCheck.Nvrtc(compiled, "nvrtcCompileProgram", Log(program));
            CudaCheck.Nvrtc(CudaNative.nvrtcGetCUBINSize(program, out var size), "nvrtcGetCUBINSize");
            var cubin = new byte[(int)size];
            CudaCheck.Nvrtc(CudaNative.nvrtcGetCUBIN(program, cubin), "nvrtcGetCUBIN");
            return cubin;
        }
        finally
        {
            CudaNative.nvrtcDestroyProgram(ref program);
        }
    }

    private static string Log(IntPtr program)
    {
        if (CudaNative.nvrtcGetProgramLogSize(program, out var size) != 0 || size <= 1) return "";
        var log = new byte[(int)size];
        return CudaNative.nvrtcGetProgramLog(program, log) == 0 ? Encoding.UTF8.GetString(log, 0, log.Length - 1) : "";
    }
}
