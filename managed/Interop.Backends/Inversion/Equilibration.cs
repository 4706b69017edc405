namespace Interop.Backends.Inversion;

/// <summary>
/// Equilibration by powers of two, the rule of every backend (native/common/equilibrate.h): the spec
/// judges numerical singularity on B = diag(r) A diag(c), as LAPACK's dgeequb scales A, so that a
/// badly scaled regular matrix such as diag(1e300, 1e-300, 1, 2) is inverted and only one whose
/// equilibrated pivots vanish is refused. r_i = 2^-e for the exponent e of max_j |a_ij|
/// (max = f * 2^e, f in [0.5, 1)), then c_j likewise for max_i |a_ij| r_i, each exponent clamped to
/// [-1022, 1023]; a row or column with no nonzero finite element gets 1. Scaling by a power of two
/// is exact (short of the subnormal range), so inv(A) = diag(c) inv(B) diag(r) is what inverting A gives.
/// </summary>
public static class Equilibration
{
    /// <summary>The scale for a row or column whose largest finite |element| is <paramref name="max"/>.</summary>
    public static double Scale(double max)
    {
        if (!(max > 0))
        {
            return 1;
        }

        // frexp's exponent is ILogB + 1 (subnormals included).
        int e = -(Math.ILogB(max) + 1);
        return Math.ScaleB(1.0, Math.Clamp(e, -1022, 1023));
    }

    /// <summary>
    /// Fills the row scales (<paramref name="scales"/>[0..n)) and column scales ([n..2n)) of the
    /// row-major <paramref name="a"/>, replaces it with B when any scale is not 1, and returns the
    /// pivot threshold on B, n 2^-52 max|b_ij| over the finite elements; <paramref name="scaled"/> says
    /// whether <paramref name="a"/> changed. NaN and Inf are left out of the maxima.
    /// </summary>
    public static double Equilibrate(Span<double> a, int n, Span<double> scales, out bool scaled)
    {
        Span<double> r = scales[..n], c = scales.Slice(n, n);
        c.Clear();
        bool any = false;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = a.Slice(i * n, n);
            double max = 0;
            foreach (double x in row)
            {
                double v = Math.Abs(x);
                if (v > max && v <= double.MaxValue)
                {
                    max = v;
                }
            }

            r[i] = Scale(max);
            any |= r[i] != 1;
            for (int j = 0; j < n; j++)
            {
                double v = Math.Abs(row[j]) * r[i];
                if (v > c[j] && v <= double.MaxValue)
                {
                    c[j] = v;
                }
            }
        }

        double maxB = 0;
        for (int j = 0; j < n; j++)
        {
            double s = Scale(c[j]);
            maxB = Math.Max(maxB, c[j] * s);
            c[j] = s;
            any |= s != 1;
        }

        if (any)
        {
            for (int i = 0; i < n; i++)
            {
                Span<double> row = a.Slice(i * n, n);
                for (int j = 0; j < n; j++)
                {
                    row[j] = row[j] * r[i] * c[j];
                }
            }
        }

        scaled = any;
        return n * Math.Pow(2, -52) * maxB;
    }

    /// <summary>x := diag(c) x diag(r) for the row-major inverse x of B: inv(A) = diag(c) inv(B) diag(r).</summary>
    public static void Unequilibrate(Span<double> x, int n, ReadOnlySpan<double> scales)
    {
        ReadOnlySpan<double> r = scales[..n], c = scales.Slice(n, n);
        for (int i = 0; i < n; i++)
        {
            Span<double> row = x.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                row[j] = row[j] * c[i] * r[j];
            }
        }
    }
}
