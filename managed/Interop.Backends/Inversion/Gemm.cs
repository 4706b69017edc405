namespace Interop.Backends.Inversion;

/// <summary>
/// The cache-blocking loops of the managed GEMM, C[m x n] -= A[m x k] * B[k x n], column-major
/// with leading dimensions: KC-deep panels of B and MC x KC blocks of A are packed into contiguous
/// slivers that the micro-kernel streams (BLIS's loop order). One worker's call covers the columns
/// of C that <see cref="WorkerTeam.Share"/> gives it, so workers never write the same element.
/// </summary>
internal static unsafe class Gemm
{
    public const int KC = 256;
    public const int MC = 96;
    private const int MR = GemmMicroKernel.MR;
    private const int NR = GemmMicroKernel.NR;

    /// <summary>Packing space one worker needs for matrices of order up to <paramref name="n"/>.</summary>
    public static (int A, int B) PackLengths(int n) => (MC * KC, KC * (((n + NR - 1) / NR) * NR));

    public static void Update(int m, int n, int k, double* a, int lda, double* b, int ldb, double* c, int ldc,
        WorkerTeam team, int worker, double* apack, double* bpack)
    {
        (int jBegin, int jEnd) = team.Share(n, NR, worker);
        if (m <= 0 || k <= 0 || jBegin >= jEnd)
        {
            return;
        }

        int nc = jEnd - jBegin;
        for (int p0 = 0; p0 < k; p0 += KC)
        {
            int kc = Math.Min(KC, k - p0);
            PackB(kc, nc, b + p0 + ((long)jBegin * ldb), ldb, bpack);
            for (int i0 = 0; i0 < m; i0 += MC)
            {
                int mc = Math.Min(MC, m - i0);
                PackA(mc, kc, a + i0 + ((long)p0 * lda), lda, apack);
                for (int j = 0; j < nc; j += NR)
                {
                    int nr = Math.Min(NR, nc - j);
                    for (int i = 0; i < mc; i += MR)
                    {
                        int mr = Math.Min(MR, mc - i);
                        GemmMicroKernel.Run(kc, apack + ((long)i * kc), bpack + ((long)j * kc), c + i0 + i + ((long)(jBegin + j) * ldc), ldc, mr, nr);
                    }
                }
            }
        }
    }

    // MR-row slivers of the mc x kc block of A, k-major, zero-padded.
    private static void PackA(int mc, int kc, double* a, int lda, double* output)
    {
        for (int i0 = 0; i0 < mc; i0 += MR)
        {
            int mr = Math.Min(MR, mc - i0);
            for (int k = 0; k < kc; k++, output += MR)
            {
                double* column = a + i0 + ((long)k * lda);
                int i = 0;
                for (; i < mr; i++)
                {
                    output[i] = column[i];
                }

                for (; i < MR; i++)
                {
                    output[i] = 0;
                }
            }
        }
    }

    // NR-column slivers of the kc x nc block of B, k-major, zero-padded.
    private static void PackB(int kc, int nc, double* b, int ldb, double* output)
    {
        for (int j0 = 0; j0 < nc; j0 += NR)
        {
            int nr = Math.Min(NR, nc - j0);
            for (int k = 0; k < kc; k++, output += NR)
            {
                int j = 0;
                for (; j < nr; j++)
                {
                    output[j] = b[k + ((long)(j0 + j) * ldb)];
                }

                for (; j < NR; j++)
                {
                    output[j] = 0;
                }
            }
        }
    }
}
