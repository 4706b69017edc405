using Interop.Core;

namespace Interop.Backends.Ep;

/// <summary>
/// One backend's EP kernel, with the native ABI's contract (interop_ep_&lt;lang&gt;) whatever it is
/// written in, so every backend that runs EP is one call shape: run batches
/// [<c>firstBatch</c>, <c>firstBatch + batches</c>) on exactly <c>threads</c> threads (whole
/// batches per thread, contiguous), write each batch's sums Σt3, Σt4, Σ|t3|, Σ|t4| to
/// <c>batchSums[4j .. 4j+3]</c> (each summed in an order fixed by the path alone, never by the
/// threads) and overwrite <c>counts[0..9]</c> with q0..q9 over all the batches.
/// </summary>
public interface IEpKernel
{
    /// <summary>The backend's name ("managed-serial", "c-openmp", ...).</summary>
    string Backend { get; }

    /// <summary>The instruction-set path the kernel takes now (after any --isa switch).</summary>
    Isa Path { get; }

    /// <summary>Throws <see cref="BackendUnavailableException"/> with the reason when the kernel cannot run here.</summary>
    void EnsureAvailable();

    /// <summary>
    /// Runs the batches (see the interface). Bad arguments are <see cref="ArgumentException"/>s
    /// (checked by <see cref="EpArguments.Check"/> before any work); a deviate past annulus 9 is an
    /// <see cref="EpNumericalException"/>.
    /// </summary>
    void Run(long firstBatch, long batches, int threads, Span<double> batchSums, Span<long> counts);
}

/// <summary>
/// A deviate with max(|t3|, |t4|) &gt;= 10 (NPB's q has ten annuli), or not a number: status 1 of the
/// native ABI. Almost surely never: it needs t1 below about e^-50.
/// </summary>
public sealed class EpNumericalException(string message) : Exception(message);

/// <summary>The checks every EP kernel makes of its arguments, in the native ABI's order of statuses (-1 .. -6).</summary>
public static class EpArguments
{
    /// <summary>Sums per batch: Σt3, Σt4, Σ|t3|, Σ|t4|.</summary>
    public const int SumsPerBatch = 4;

    /// <summary>NQ: annuli 0..9.</summary>
    public const int Annuli = 10;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first argument the native ABI would reject.</summary>
    public static void Check(long firstBatch, long batches, int threads, int batchSumsLength, int countsLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstBatch);
        ArgumentOutOfRangeException.ThrowIfNegative(batches);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (batchSumsLength < SumsPerBatch * batches)
        {
            throw new ArgumentException($"batchSums holds {batchSumsLength} values, {SumsPerBatch * batches} needed for {batches} batches", "batchSums");
        }

        if (countsLength < Annuli)
        {
            throw new ArgumentException($"counts holds {countsLength} values, {Annuli} needed", "counts");
        }

        if (firstBatch > EpGenerator.MaxBatches - batches)
        {
            throw new ArgumentOutOfRangeException(nameof(batches), $"batches [{firstBatch}, {firstBatch + batches}) run past the generator's period ({EpGenerator.MaxBatches} batches)");
        }
    }
}
