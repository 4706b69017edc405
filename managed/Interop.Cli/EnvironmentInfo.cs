using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using Interop.Backends;
using Interop.Core;
using Interop.Native;

namespace Interop.Cli;

/// <summary>The machine a run happened on, so numbers can be compared with someone else's.</summary>
internal static class EnvironmentInfo
{
    private static readonly string[] Variables = ["OMP_NUM_THREADS", "SLURM_CPUS_PER_TASK", "OPENBLAS_NUM_THREADS", "OMP_PROC_BIND", "OMP_PLACES"];

    public static string CpuModel { get; } = ReadCpuModel();

    public static string Summary() =>
        $"{CpuModel}, {Environment.ProcessorCount} CPU(s) usable, {RuntimeInformation.OSDescription}, " +
        $".NET {Environment.Version}, managed SIMD {ManagedPiKernels.SimdPath}, native {NativeSimdPath()}";

    public static void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("cpu_model", CpuModel);
        json.WriteNumber("cpus_usable", Environment.ProcessorCount);
        json.WriteString("os", RuntimeInformation.OSDescription);
        json.WriteString("architecture", RuntimeInformation.ProcessArchitecture.ToString());
        json.WriteString("dotnet", Environment.Version.ToString());
        json.WriteBoolean("vector512_hardware_accelerated", Vector512.IsHardwareAccelerated);
        json.WriteString("managed_simd_path", ManagedPiKernels.SimdPath);
        json.WriteString("native_c_simd_path", NativeSimdPath());
        json.WriteStartObject("variables");
        foreach (string name in Variables)
        {
            json.WriteString(name, Environment.GetEnvironmentVariable(name));
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string NativeSimdPath()
    {
        try
        {
            return NativePi.CSimdPath();
        }
        catch (BackendUnavailableException)
        {
            return "not built";
        }
    }

    private static string ReadCpuModel()
    {
        try
        {
            string? line = File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                : null;
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
