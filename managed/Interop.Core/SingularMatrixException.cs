namespace Interop.Core;

/// <summary>
/// The matrix is singular or numerically singular: LU found a failing pivot. <see cref="Column"/>
/// is 1-based, as LAPACK's INFO reports it. A pivot fails when |u_jj| &lt;= n * 2^-52 * max|a_ij|.
/// </summary>
public sealed class SingularMatrixException(int column, string backend)
    : Exception($"{backend}: the matrix is singular or numerically singular: zero pivot in column {column}")
{
    public int Column { get; } = column;

    public string Backend { get; } = backend;

    /// <summary>The threshold below which a pivot counts as zero: n * 2^-52 * max|a_ij|.</summary>
    public static double PivotThreshold(int n, double maxAbsElement) => n * Math.Pow(2, -52) * maxAbsElement;
}
