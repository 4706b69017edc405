namespace Interop.Core;

/// <summary>
/// The matrix is singular or numerically singular: LU found a failing pivot at <see cref="Step"/>
/// (1-based, as LAPACK's INFO). A pivot fails when |u_jj| &lt;= n * 2^-52 * max|a_ij|; the kernels
/// factor the row-major buffer as stored (column-major, i.e. Aᵀ), so a zero row k of A fails at step k.
/// </summary>
public sealed class SingularMatrixException(int step, string backend)
    : Exception($"{backend}: the matrix is singular or numerically singular: LU found a zero pivot at step {step}")
{
    public int Step { get; } = step;

    public string Backend { get; } = backend;

    /// <summary>The threshold below which a pivot counts as zero: n * 2^-52 * max|a_ij|.</summary>
    public static double PivotThreshold(int n, double maxAbsElement) => n * Math.Pow(2, -52) * maxAbsElement;
}
