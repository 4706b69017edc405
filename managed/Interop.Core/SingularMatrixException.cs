namespace Interop.Core;

/// <summary>
/// The LU factorization of an inversion failed at <see cref="Step"/> (1-based, as LAPACK's INFO):
/// a <see cref="SingularMatrixException"/> or a <see cref="NonFiniteFactorizationException"/>.
/// Every kernel factors A itself with partial (row) pivoting, P A = L U, as LAPACK on A would.
/// </summary>
public abstract class MatrixFactorizationException(int step, string backend, string message)
    : Exception($"{backend}: {message}")
{
    public int Step { get; } = step;

    public string Backend { get; } = backend;
}

/// <summary>
/// The matrix is singular or numerically singular: LU found a failing pivot at <see cref="MatrixFactorizationException.Step"/>.
/// A pivot fails when |u_jj| &lt;= n * 2^-52 * max|b_ij| (the max over the finite elements), judged on
/// B = diag(r) A diag(c), A equilibrated by powers of two (workload-spec.md: a badly scaled regular
/// matrix is inverted, one whose equilibrated pivots vanish is refused); a zero column k of A fails at step k.
/// </summary>
public sealed class SingularMatrixException(int step, string backend)
    : MatrixFactorizationException(step, backend, $"the matrix is singular or numerically singular: LU found a zero pivot at step {step}")
{
}

/// <summary>
/// A pivot of the LU was NaN or Inf at <see cref="MatrixFactorizationException.Step"/>: the matrix holds NaN
/// or Inf, or its factorization overflowed. Not a singular matrix: nothing about its rank is known.
/// </summary>
public sealed class NonFiniteFactorizationException(int step, string backend)
    : MatrixFactorizationException(step, backend, $"non-finite value (NaN or Inf) in the factorization at step {step}: the matrix holds NaN or Inf, or its LU overflowed")
{
}
