namespace Interop.Core;

/// <summary>
/// One way of running a workload (managed, C/OpenMP, Fortran, a library, ...). Implementations are
/// discovered by the backend catalog, so a new backend is one adapter class (plus its kernel) and
/// touches neither the driver nor the report. A backend implements one interface per workload it runs.
/// </summary>
public interface IBackend
{
    /// <summary>The name users type after --backend, e.g. "c-openmp".</summary>
    string Name { get; }

    /// <summary>One line for --help and reports.</summary>
    string Description { get; }

    /// <summary>
    /// The language or library its code is written in, the group `interop --help` lists it under:
    /// "C#", "C/OpenMP", "LAPACK".
    /// </summary>
    string Language { get; }

    /// <summary>Position in tables and in "--backend all" (baseline first).</summary>
    int Order { get; }

    /// <summary>False for backends that always run on one thread (the serial baseline).</summary>
    bool IsParallel { get; }

    /// <summary>
    /// Throws <see cref="BackendUnavailableException"/> with a user-facing reason when the backend
    /// cannot run here (e.g. the native library was not built). Called once before timing.
    /// </summary>
    void EnsureAvailable();
}

/// <summary>A backend for Monte Carlo pi.</summary>
[KernelTableWorkload("pi")]
public interface IPiBackend : IBackend
{
    /// <summary>Counts the darts k in <paramref name="darts"/> that land inside, with <paramref name="threads"/> threads.</summary>
    long CountInside(ulong seed, IndexRange darts, int threads);

    /// <summary>The instruction-set path <see cref="CountInside"/> takes now (after any --isa switch).</summary>
    Isa PiIsa { get; }
}

/// <summary>A backend for dense matrix inversion.</summary>
[KernelTableWorkload("inv")]
public interface IInvBackend : IBackend
{
    /// <summary>
    /// Inverts the n x n row-major matrix <paramref name="a"/> in place with <paramref name="threads"/>
    /// threads. The span lies in pinned memory, so native code may work on it directly, without copies.
    /// Throws <see cref="SingularMatrixException"/> when a pivot fails.
    /// </summary>
    void Invert(Span<double> a, int n, int threads);

    /// <summary>The instruction-set path <see cref="Invert"/> takes now (after any --isa switch).</summary>
    Isa InvIsa { get; }
}

/// <summary>A backend that cannot run on this machine or build; the message says what to do.</summary>
public sealed class BackendUnavailableException(string message, Exception? inner = null)
    : Exception(message, inner);
