namespace Interop.Backends.Inversion;

/// <summary>
/// A column-major matrix in place: element (i, j) at <c>Data[i + j * Ld]</c>, as BLAS and LAPACK
/// see their arguments. <see cref="Block"/> is the view starting at (i, j), so the phases of the
/// inversion name submatrices by their corner instead of by raw offsets (native code's AT()).
/// </summary>
internal readonly unsafe struct ColumnMajor(double* data, int ld)
{
    public double* Data { get; } = data;

    public int Ld { get; } = ld;

    /// <summary>The address of element (i, j).</summary>
    public double* At(int i, int j) => Data + i + ((long)j * Ld);

    /// <summary>Column <paramref name="j"/>, from row 0.</summary>
    public double* Column(int j) => Data + ((long)j * Ld);

    /// <summary>The submatrix whose element (0, 0) is this matrix's (i, j).</summary>
    public ColumnMajor Block(int i, int j) => new(At(i, j), Ld);
}
