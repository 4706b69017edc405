using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using Interop.Core;

namespace Interop.Native;

/// <summary>
/// One kernel library of the table, loaded once: from $INTEROP_NATIVE_DIR, then beside the driver
/// (<see cref="NativeLibraryProbe"/>, every path tried in the error), its ABI version checked, and its
/// instruction-set switch and last-error message bound by symbol. A library that cannot be loaded is
/// unavailable with the loader's reason, every time it is asked for, never a crash. Loading is lazy:
/// the path asked for before the load (<see cref="Request"/>) is applied right after it, so a command
/// loads only the libraries whose kernels it runs or reports.
/// </summary>
public sealed unsafe class NativeKernelLibrary
{
    private static readonly ConcurrentDictionary<string, NativeKernelLibrary> ByKey = new();

    private readonly Lock gate = new();
    private IntPtr handle;
    private BackendUnavailableException? failure;
    private delegate* unmanaged<int, int> isaSupported;
    private delegate* unmanaged<int, int> isaSelect;
    private delegate* unmanaged<int> isaActive;
    private delegate* unmanaged<byte*, int, int> lastError;

    // The path to take once loaded (auto until a switch asks for another); null once applied.
    private Isa? pending = Isa.Auto;

    private NativeKernelLibrary(NativeKernelLibraryInfo info) => Info = info;

    public NativeKernelLibraryInfo Info { get; }

    /// <summary>Whether the library is loaded and checked.</summary>
    public bool IsLoaded
    {
        get
        {
            lock (gate)
            {
                return handle != IntPtr.Zero;
            }
        }
    }

    /// <summary>The path the library's kernels take now (never <see cref="Isa.Auto"/>).</summary>
    public Isa ActiveIsa
    {
        get
        {
            EnsureLoaded();
            return (Isa)isaActive();
        }
    }

    /// <summary>
    /// The one instance of a library description: the same library described the same way shares one
    /// load (and its cached failure); a different description (another expected ABI version, say) is
    /// checked on its own.
    /// </summary>
    public static NativeKernelLibrary For(NativeKernelLibraryInfo info) =>
        ByKey.GetOrAdd($"{info.Name}|{info.AbiSymbol}|{info.AbiVersion}|{info.IsaPrefix}|{info.LastErrorSymbol}", _ => new NativeKernelLibrary(info));

    /// <summary>Loads and checks the library (once); throws <see cref="BackendUnavailableException"/> with the reason if it cannot.</summary>
    public IntPtr EnsureLoaded()
    {
        lock (gate)
        {
            if (handle != IntPtr.Zero)
            {
                ApplyPending();
                return handle;
            }

            if (failure is not null)
            {
                throw failure;
            }

            try
            {
                IntPtr loaded = Load();
                var abi = (delegate* unmanaged<int>)Export(loaded, Info.AbiSymbol);
                int version = abi();
                if (version != Info.AbiVersion)
                {
                    throw new BackendUnavailableException(
                        $"{Info.FileName} has ABI version {version}, this driver expects {Info.AbiVersion}: rebuild with ./build.sh");
                }

                isaSupported = (delegate* unmanaged<int, int>)Export(loaded, Info.IsaPrefix + "_supported");
                isaSelect = (delegate* unmanaged<int, int>)Export(loaded, Info.IsaPrefix + "_select");
                isaActive = (delegate* unmanaged<int>)Export(loaded, Info.IsaPrefix + "_active");
                lastError = Info.LastErrorSymbol is string symbol ? (delegate* unmanaged<byte*, int, int>)Export(loaded, symbol) : null;
                handle = loaded;
            }
            catch (BackendUnavailableException e)
            {
                failure = e;
                throw;
            }

            ApplyPending();
            return handle;
        }
    }

    /// <summary>
    /// Asks for path <paramref name="isa"/> (auto: the library's best): at once if the library is
    /// loaded, else right after its load, so that a switch loads nothing. Like <see cref="Select"/>,
    /// a path the library lacks becomes its widest lower one.
    /// </summary>
    public void Request(Isa isa)
    {
        lock (gate)
        {
            pending = isa;
            if (handle != IntPtr.Zero)
            {
                ApplyPending();
            }
        }
    }

    /// <summary>Whether the library (on this CPU) runs path <paramref name="isa"/>.</summary>
    public bool Runs(Isa isa)
    {
        EnsureLoaded();
        return isaSupported((int)isa) == 1;
    }

    /// <summary>
    /// Forces path <paramref name="isa"/> (or the library's best for auto) on the library's kernels
    /// and returns the path they take now. A library without that path takes its widest lower one,
    /// and says so here and in each backend's PiIsa/InvIsa: the CPU has the path (the managed
    /// switch checked it), so it is a property of this library, not a usage error.
    /// </summary>
    public Isa Select(Isa isa)
    {
        EnsureLoaded();
        lock (gate)
        {
            pending = null;
            return SelectLoaded(isa);
        }
    }

    // Kept until it succeeds: a path no kernel of the library can run fails every use, not only the first.
    private void ApplyPending()
    {
        if (pending is Isa isa)
        {
            SelectLoaded(isa);
            pending = null;
        }
    }

    private Isa SelectLoaded(Isa isa)
    {
        int status = isaSelect((int)isa);
        if (status == 1)
        {
            Isa lower = IsaNames.Paths.Where(p => p < isa).FirstOrDefault(p => isaSupported((int)p) == 1);
            status = lower == Isa.Auto ? 1 : isaSelect((int)lower);
            if (status != 0)
            {
                throw new UsageException($"{Info.FileName} can run no path up to {IsaNames.Name(isa)} on this CPU");
            }
        }
        else if (status != 0)
        {
            throw new InvalidOperationException($"{Info.IsaPrefix}_select({(int)isa}) returned {status}: the library does not know path {IsaNames.Name(isa)}");
        }

        return (Isa)isaActive();
    }

    /// <summary>
    /// The message of this thread's last INTEROP_STATUS_INTERNAL failure in the library (a C++
    /// exception or Rust panic caught at its boundary); null if it keeps none.
    /// </summary>
    public string? LastError()
    {
        if (lastError == null)
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[1024];
        fixed (byte* p = buffer)
        {
            int length = lastError(p, buffer.Length);
            return length <= 0 ? null : Encoding.UTF8.GetString(buffer[..Math.Min(length, buffer.Length - 1)]);
        }
    }

    /// <summary>The address of <paramref name="symbol"/>; a library without it is unavailable.</summary>
    internal IntPtr Export(string symbol) => Export(EnsureLoaded(), symbol);

    private IntPtr Export(IntPtr library, string symbol) =>
        NativeLibrary.TryGetExport(library, symbol, out IntPtr address) ? address
            : throw new BackendUnavailableException($"{Info.FileName} has no symbol {symbol}: it is older or other than native/kernels.json says; rebuild with ./build.sh");

    private IntPtr Load()
    {
        IntPtr loaded = NativeLibraryProbe.TryLoad(Info.FileName, NativeLibraries.OverrideVariable, out IReadOnlyList<string> tried);
        return loaded != IntPtr.Zero ? loaded : throw new BackendUnavailableException(
            NativeLibraryProbe.FoundButFailed(tried)
                ? $"the native kernels library {Info.FileName} is there but could not be loaded (a library it needs is missing or lacks a symbol: check LD_LIBRARY_PATH and the OpenBLAS/OpenMP packages; tried: {string.Join("; ", tried)})"
                : $"the native kernels library {Info.FileName} could not be loaded; run ./build.sh to build it (tried: {string.Join("; ", tried)})");
    }
}
