! Dense matrix inversion in Fortran with OpenMP: the fortran-openmp backend of `interop inv`.
!
! The algorithm of native/src/lu_inverse_c.c, written as Fortran programmers would: the buffer holds
! the row-major A, which read column-major is Aᵀ; 0. an in-place transpose makes it M = A, so that
! the pivoting is LAPACK's on A itself (partial pivoting of Aᵀ can have an element growth of 2**(n-1)
! where A's has none); 1. blocked right-looking LU with partial pivoting, P M = L U; 2. L Y = I
! (Y = inv(L), its zero upper triangle skipped), U Z = Y, inv(M) = Z P written back row-major (the
! copy out of the work matrix, transposed by tiles), 2n**3 flops in all, as dgetrf + dgetri; the blocked
! triangular solves' updates are a packed, cache-blocked GEMM with a register micro-kernel sized
! for each instruction-set path. Unlike the C kernel, the triangular solves' diagonal blocks D also
! go through that GEMM, as C := C - (I - inv(D)) C: 11% more flops at n = 2000 (6% at 4000), all at
! the kernel's rate rather than that of column-by-column substitution; D has a unit diagonal (L's
! blocks, and U's with their columns divided by U's diagonal, whose division follows: upper_complement
! says why).
! Compiled once per instruction-set path (native/src/isa.h): CMake names the bind(C) function
! (e.g. interop_inv_fortran_avx2), and isa.c's exported interop_inv_fortran (native/include/interop.h)
! calls the one of the path in use.
! The module is compiled once per path into one library, so its one variable has a name per path
! (a module variable is a global symbol; the traditional preprocessor cannot paste a suffix on).
#if INTEROP_ISA_LEVEL == 3
#define KEPT_X kept_x_avx512
#elif INTEROP_ISA_LEVEL == 2
#define KEPT_X kept_x_avx2
#else
#define KEPT_X kept_x_scalar
#endif
module interop_lu_inverse
  use, intrinsic :: iso_c_binding, only: c_int32_t, c_int64_t, c_double, c_ptr, c_associated, c_f_pointer
  use, intrinsic :: ieee_arithmetic, only: ieee_is_finite
  use omp_lib, only: omp_get_num_threads, omp_get_thread_num
  implicit none
  private
  public :: INTEROP_FORTRAN_INV

  integer, parameter :: dp = c_double, i8 = c_int64_t
  ! The micro-kernel's block of C, mr x nr, is held in vector registers (vl doubles each) while it
  ! accumulates a kc-long product; mr = vl * (vectors of A per k). Every block needs mr/vl * nr
  ! accumulators, mr/vl vectors of A and one broadcast of B in registers at once.
#if INTEROP_ISA_LEVEL == 3
  ! AVX-512, 32 zmm of 8 doubles: 24 x 8 = 24 accumulators + 3 + 1.
  integer(i8), parameter :: vl = 8, mr = 24, nr = 8
#elif INTEROP_ISA_LEVEL == 2
  ! AVX2 + FMA, 16 ymm of 4 doubles: 8 x 6 = 12 accumulators + 2 + 1 (BLIS's Haswell shape).
  integer(i8), parameter :: vl = 4, mr = 8, nr = 6
#else
  ! x86-64 baseline, 16 xmm of 2 doubles and no FMA (a product needs a temporary): 4 x 4 = 8 + 2 + 1 + 1.
  integer(i8), parameter :: vl = 2, mr = 4, nr = 4
#endif
  ! kc_max: the depth of one packed product; a kc x nr sliver of B (12 KiB for AVX2) stays in L1
  ! while the mc x kc block of A (384 KiB) streams from L2 (512 KiB on Zen 3; mc is a multiple of mr
  ! on every path). nb: the panel width of the LU, whose panels are factored column by column on one
  ! thread. nb_solve: the row-block height of the solves L Y = I and U Z = Y; their GEMMs have depth
  ! nb_solve, and a deeper product reads and writes C (streamed from memory at n = 4000) half as
  ! often. Diagonal blocks are packed whole: nb, nb_solve <= kc_max.
  integer(i8), parameter :: kc_max = 256, mc_max = 192, nb = 128, nb_solve = 256, t_rows = max(nb, nb_solve)
  integer(c_int32_t), parameter :: status_no_memory = -1000
  ! INTEROP_STATUS_NONFINITE (interop.h): added to the step of a NaN or Inf pivot.
  integer(c_int32_t), parameter :: status_nonfinite = 1073741824
  ! Tiles of the transposes: two of tile x tile doubles (16 KiB) stay in L1.
  integer(i8), parameter :: tile = 32
  ! The work matrix of the last inversion, kept for the next (invert says why); taken and given
  ! back inside the critical section interop_inv_fortran_workspace only.
  real(dp), allocatable :: KEPT_X(:, :)
  ! The largest work matrix kept (1 GiB, about n = 11500).
  integer(i8), parameter :: keep_limit_elements = 134217728_i8

contains

  ! c(1:mrr, 1:nrr) -= ap(mr x kc) * bp(kc x nr), both packed k-major, kc >= 1.
  !
  ! gfortran vectorizes the loop over i (vl rows at a time) with the k loop inside it: the scalars
  ! a*, b and s* become vectors, the accumulators s* stay in registers for the whole k loop, and each
  ! k is vl-wide loads of A, broadcasts of B and FMAs. Array-syntax accumulators (acc(:, j) = ...) got
  ! SLP-vectorized instead, with lane permutes and spills. The k loop is bottom-tested (kc >= 1): the
  ! guard of a do loop counts as control flow and stops gfortran from vectorizing the outer loop.
  subroutine micro_kernel(kc, ap, bp, c, ldc, mrr, nrr)
    integer(i8), intent(in) :: kc, ldc, mrr, nrr
    real(dp), intent(in) :: ap(mr, kc), bp(nr, kc)
    real(dp), intent(inout) :: c(ldc, *)
    real(dp) :: acc(mr, nr)
    integer(i8) :: i, j, k
#if INTEROP_ISA_LEVEL == 3
    real(dp) :: a1, a2, a3, b, s11, s21, s31, s12, s22, s32, s13, s23, s33, s14
    real(dp) :: s24, s34, s15, s25, s35, s16, s26, s36, s17, s27, s37, s18, s28, s38
    !$omp simd private(a1, a2, a3, b, s11, s21, s31, s12, s22, s32, s13, s23, s33, s14, &
    !$omp   s24, s34, s15, s25, s35, s16, s26, s36, s17, s27, s37, s18, s28, s38)
    do i = 1, vl
      s11 = 0; s21 = 0; s31 = 0
      s12 = 0; s22 = 0; s32 = 0
      s13 = 0; s23 = 0; s33 = 0
      s14 = 0; s24 = 0; s34 = 0
      s15 = 0; s25 = 0; s35 = 0
      s16 = 0; s26 = 0; s36 = 0
      s17 = 0; s27 = 0; s37 = 0
      s18 = 0; s28 = 0; s38 = 0
      k = 0
      do
        k = k + 1
        a1 = ap(i, k)
        a2 = ap(i + vl, k)
        a3 = ap(i + 2 * vl, k)
        b = bp(1, k); s11 = s11 + a1 * b; s21 = s21 + a2 * b; s31 = s31 + a3 * b
        b = bp(2, k); s12 = s12 + a1 * b; s22 = s22 + a2 * b; s32 = s32 + a3 * b
        b = bp(3, k); s13 = s13 + a1 * b; s23 = s23 + a2 * b; s33 = s33 + a3 * b
        b = bp(4, k); s14 = s14 + a1 * b; s24 = s24 + a2 * b; s34 = s34 + a3 * b
        b = bp(5, k); s15 = s15 + a1 * b; s25 = s25 + a2 * b; s35 = s35 + a3 * b
        b = bp(6, k); s16 = s16 + a1 * b; s26 = s26 + a2 * b; s36 = s36 + a3 * b
        b = bp(7, k); s17 = s17 + a1 * b; s27 = s27 + a2 * b; s37 = s37 + a3 * b
        b = bp(8, k); s18 = s18 + a1 * b; s28 = s28 + a2 * b; s38 = s38 + a3 * b
        if (k >= kc) exit
      end do
      acc(i, 1) = s11; acc(i + vl, 1) = s21; acc(i + 2 * vl, 1) = s31
      acc(i, 2) = s12; acc(i + vl, 2) = s22; acc(i + 2 * vl, 2) = s32
      acc(i, 3) = s13; acc(i + vl, 3) = s23; acc(i + 2 * vl, 3) = s33
      acc(i, 4) = s14; acc(i + vl, 4) = s24; acc(i + 2 * vl, 4) = s34
      acc(i, 5) = s15; acc(i + vl, 5) = s25; acc(i + 2 * vl, 5) = s35
      acc(i, 6) = s16; acc(i + vl, 6) = s26; acc(i + 2 * vl, 6) = s36
      acc(i, 7) = s17; acc(i + vl, 7) = s27; acc(i + 2 * vl, 7) = s37
      acc(i, 8) = s18; acc(i + vl, 8) = s28; acc(i + 2 * vl, 8) = s38
    end do
#elif INTEROP_ISA_LEVEL == 2
    real(dp) :: a1, a2, b, s11, s21, s12, s22, s13, s23, s14, s24, s15, s25, s16
    real(dp) :: s26
    !$omp simd private(a1, a2, b, s11, s21, s12, s22, s13, s23, s14, s24, s15, s25, s16, &
    !$omp   s26)
    do i = 1, vl
      s11 = 0; s21 = 0
      s12 = 0; s22 = 0
      s13 = 0; s23 = 0
      s14 = 0; s24 = 0
      s15 = 0; s25 = 0
      s16 = 0; s26 = 0
      k = 0
      do
        k = k + 1
        a1 = ap(i, k)
        a2 = ap(i + vl, k)
        b = bp(1, k); s11 = s11 + a1 * b; s21 = s21 + a2 * b
        b = bp(2, k); s12 = s12 + a1 * b; s22 = s22 + a2 * b
        b = bp(3, k); s13 = s13 + a1 * b; s23 = s23 + a2 * b
        b = bp(4, k); s14 = s14 + a1 * b; s24 = s24 + a2 * b
        b = bp(5, k); s15 = s15 + a1 * b; s25 = s25 + a2 * b
        b = bp(6, k); s16 = s16 + a1 * b; s26 = s26 + a2 * b
        if (k >= kc) exit
      end do
      acc(i, 1) = s11; acc(i + vl, 1) = s21
      acc(i, 2) = s12; acc(i + vl, 2) = s22
      acc(i, 3) = s13; acc(i + vl, 3) = s23
      acc(i, 4) = s14; acc(i + vl, 4) = s24
      acc(i, 5) = s15; acc(i + vl, 5) = s25
      acc(i, 6) = s16; acc(i + vl, 6) = s26
    end do
#else
    real(dp) :: a1, a2, b, s11, s21, s12, s22, s13, s23, s14, s24
    !$omp simd private(a1, a2, b, s11, s21, s12, s22, s13, s23, s14, s24)
    do i = 1, vl
      s11 = 0; s21 = 0
      s12 = 0; s22 = 0
      s13 = 0; s23 = 0
      s14 = 0; s24 = 0
      k = 0
      do
        k = k + 1
        a1 = ap(i, k)
        a2 = ap(i + vl, k)
        b = bp(1, k); s11 = s11 + a1 * b; s21 = s21 + a2 * b
        b = bp(2, k); s12 = s12 + a1 * b; s22 = s22 + a2 * b
        b = bp(3, k); s13 = s13 + a1 * b; s23 = s23 + a2 * b
        b = bp(4, k); s14 = s14 + a1 * b; s24 = s24 + a2 * b
        if (k >= kc) exit
      end do
      acc(i, 1) = s11; acc(i + vl, 1) = s21
      acc(i, 2) = s12; acc(i + vl, 2) = s22
      acc(i, 3) = s13; acc(i + vl, 3) = s23
      acc(i, 4) = s14; acc(i + vl, 4) = s24
    end do
#endif
    if (mrr == mr .and. nrr == nr) then
      c(1:mr, 1:nr) = c(1:mr, 1:nr) - acc
    else
      do j = 1, nrr
        c(1:mrr, j) = c(1:mrr, j) - acc(1:mrr, j)
      end do
    end if
  end subroutine micro_kernel

  ! The columns jb..je of an n-column update that this thread of the team takes: whole nr-wide
  ! slivers, the remainder spread over the first threads. The same n gives the same split, so a thread
  ! may read the columns it wrote in an earlier update of the same width without a barrier.
  subroutine thread_columns(n, jb, je)
    integer(i8), intent(in) :: n
    integer(i8), intent(out) :: jb, je
    integer(i8) :: threads, t, slivers, q, r, first, cnt
    threads = omp_get_num_threads()
    t = omp_get_thread_num()
    slivers = (n + nr - 1) / nr
    q = slivers / threads
    r = mod(slivers, threads)
    first = t * q + min(t, r)
    cnt = q
    if (t < r) cnt = cnt + 1
    jb = first * nr + 1
    je = min((first + cnt) * nr, n)
  end subroutine thread_columns

  ! Packs B(1:kc, 1:nc) into nr-column slivers, k-major, the last one zero-padded.
  subroutine pack_b(kc, nc, b, ldb, bpack)
    integer(i8), intent(in) :: kc, nc, ldb
    real(dp), intent(in) :: b(ldb, *)
    real(dp), intent(inout) :: bpack(*)
    integer(i8) :: j, jj, nrr, pos
    pos = 0
    do j = 0, nc - 1, nr
      nrr = min(nr, nc - j)
      if (nrr < nr) bpack(pos + 1:pos + nr * kc) = 0.0_dp
      ! Column by column: each reads a contiguous stretch of B and writes every nr-th element.
      do jj = 1, nrr
        bpack(pos + jj:pos + nr * kc:nr) = b(1:kc, j + jj)
      end do
      pos = pos + nr * kc
    end do
  end subroutine pack_b

  ! C(1:m, 1:nc) -= A(1:m, 1:kc) * B, B packed by pack_b: A is packed mc rows at a time (the block
  ! stays in L2), then every nr-sliver of B (in L1) meets every mr-sliver of that block.
  subroutine gemm_packed(m, nc, kc, a, lda, bpack, c, ldc, apack)
    integer(i8), intent(in) :: m, nc, kc, lda, ldc
    real(dp), intent(in) :: a(lda, *), bpack(*)
    real(dp), intent(inout) :: c(ldc, *)
    real(dp), intent(inout) :: apack(*)
    integer(i8) :: i0, mc, i, j, kk, mrr, nrr, pos
    do i0 = 1, m, mc_max
      mc = min(mc_max, m - i0 + 1)
      ! Pack A(i0:i0+mc-1, 1:kc) into mr-row slivers, zero-padded.
      pos = 0
      do i = 0, mc - 1, mr
        mrr = min(mr, mc - i)
        do kk = 1, kc
          apack(pos + 1:pos + mrr) = a(i0 + i:i0 + i + mrr - 1, kk)
          apack(pos + mrr + 1:pos + mr) = 0.0_dp
          pos = pos + mr
        end do
      end do
      do j = 0, nc - 1, nr
        nrr = min(nr, nc - j)
        do i = 0, mc - 1, mr
          mrr = min(mr, mc - i)
          call micro_kernel(kc, apack(i * kc + 1), bpack(j * kc + 1), c(i0 + i, 1 + j), ldc, mrr, nrr)
        end do
      end do
    end do
  end subroutine gemm_packed

  ! C(m x n) -= A(m x k) * B(k x n); every thread of the team takes its slivers of C (thread_columns).
  subroutine gemm_update(m, n, k, a, lda, b, ldb, c, ldc, apack, bpack)
    integer(i8), intent(in) :: m, n, k, lda, ldb, ldc
    real(dp), intent(in) :: a(lda, *), b(ldb, *)
    real(dp), intent(inout) :: c(ldc, *)
    real(dp), intent(inout) :: apack(*), bpack(*)
    integer(i8) :: jb, je, p0, kc
    call thread_columns(n, jb, je)
    if (m <= 0 .or. k <= 0 .or. jb > je) return
    do p0 = 1, k, kc_max
      kc = min(kc_max, k - p0 + 1)
      call pack_b(kc, je - jb + 1, b(p0, jb), ldb, bpack)
      call gemm_packed(m, je - jb + 1, kc, a(1, p0), lda, bpack, c(1, jb), ldc, apack)
    end do
  end subroutine gemm_update

  ! C(m x n) := C - T C = inv(D) C for T = I - inv(D), m <= kc_max: a triangular solve with the
  ! diagonal block D as one GEMM (2 m**2 n flops instead of m**2 n, but at the micro-kernel's rate,
  ! several times that of column-by-column substitution). This thread's columns of C are packed
  ! whole as B before its kernels write them, so C is its own right-hand side.
  subroutine trsm_update(m, n, t, ldt, c, ldc, apack, bpack)
    integer(i8), intent(in) :: m, n, ldt, ldc
    real(dp), intent(in) :: t(ldt, *)
    real(dp), intent(inout) :: c(ldc, *)
    real(dp), intent(inout) :: apack(*), bpack(*)
    integer(i8) :: jb, je
    call thread_columns(n, jb, je)
    if (m <= 0 .or. jb > je) return
    call pack_b(m, je - jb + 1, c(1, jb), ldc, bpack)
    call gemm_packed(m, je - jb + 1, m, t, ldt, bpack, c(1, jb), ldc, apack)
  end subroutine trsm_update

  ! t = I - inv(L) for the unit lower triangular L whose strict lower part is l(1:kb, 1:kb).
  subroutine lower_complement(kb, l, ldl, t, ldt)
    integer(i8), intent(in) :: kb, ldl, ldt
    real(dp), intent(in) :: l(ldl, *)
    real(dp), intent(out) :: t(ldt, *)
    integer(i8) :: j, p
    do j = 1, kb
      ! Column j of inv(L): forward substitution on e_j.
      t(1:kb, j) = 0.0_dp
      t(j, j) = 1.0_dp
      do p = j, kb - 1
        t(p + 1:kb, j) = t(p + 1:kb, j) - l(p + 1:kb, p) * t(p, j)
      end do
      t(j, j) = 0.0_dp
      t(j + 1:kb, j) = -t(j + 1:kb, j)
    end do
  end subroutine lower_complement

  ! t = I - inv(V) for V = U inv(diag(U)), the upper triangular U = u(1:kb, 1:kb) with each column
  ! divided by its diagonal element: V has a unit diagonal and inv(U) = inv(diag(U)) inv(V), so the
  ! solve is C := C - t C (trsm_update), then divide_rows. Why not t = I - inv(U) itself: C - t C is
  ! then C - C + inv(U) C, whose rounding error is eps |C| while the result is inv(U) C, about |C| / |U|:
  ! the relative error grew with the scale of U (a matrix scaled by 1e4 gave a scaled residual of 1e4,
  ! one with a 1e300 on its diagonal an X of zeros and Inf). With a unit diagonal nothing cancels on it,
  ! as for L, and the result no longer depends on the scale of the matrix.
  subroutine upper_complement(kb, u, ldu, t, ldt)
    integer(i8), intent(in) :: kb, ldu, ldt
    real(dp), intent(in) :: u(ldu, *)
    real(dp), intent(out) :: t(ldt, *)
    integer(i8) :: j, p
    real(dp) :: s
    do j = 1, kb
      ! Column j of inv(V): back substitution on e_j, V(1:p-1, p) = u(1:p-1, p) / u(p, p).
      t(1:kb, j) = 0.0_dp
      t(j, j) = 1.0_dp
      do p = j, 2, -1
        s = t(p, j) / u(p, p)
        t(1:p - 1, j) = t(1:p - 1, j) - u(1:p - 1, p) * s
      end do
      t(1:j - 1, j) = -t(1:j - 1, j)
      t(j, j) = 0.0_dp
    end do
  end subroutine upper_complement

  ! C(1:m, 1:n) := inv(diag(U)) C for U = u(1:m, 1:m), on this thread's columns (thread_columns, as
  ! the trsm_update before it): the second half of the solve with U (upper_complement).
  subroutine divide_rows(m, n, u, ldu, c, ldc)
    integer(i8), intent(in) :: m, n, ldu, ldc
    real(dp), intent(in) :: u(ldu, *)
    real(dp), intent(inout) :: c(ldc, *)
    integer(i8) :: jb, je, i, j
    call thread_columns(n, jb, je)
    do j = jb, je
      do i = 1, m
        c(i, j) = c(i, j) / u(i, i)
      end do
    end do
  end subroutine divide_rows

  ! Unblocked LU with partial pivoting of columns k0..k0+kb-1; returns the failing step or 0.
  integer(c_int32_t) function panel_lu(n, a, k0, kb, ipiv, threshold) result(status)
    integer(i8), intent(in) :: n, k0, kb
    real(dp), intent(inout) :: a(n, n)
    integer(i8), intent(inout) :: ipiv(n)
    real(dp), intent(in) :: threshold
    integer(i8) :: j, p, c
    real(dp) :: u
    status = 0
    do j = k0, k0 + kb - 1
      ! maxloc passes over NaN: a NaN row is taken only when nothing else is left.
      p = j - 1 + maxloc(abs(a(j:n, j)), dim=1)
      if (.not. ieee_is_finite(a(p, j))) then
        status = ior(status_nonfinite, int(j, c_int32_t))
        return
      end if
      if (.not. (abs(a(p, j)) > threshold)) then
        status = int(j, c_int32_t)
        return
      end if
      ipiv(j) = p
      ! Swapped inside the panel only; the other columns get the swaps column by column, in parallel.
      if (p /= j) call swap_rows(a(:, k0:k0 + kb - 1), j, p)
      a(j + 1:n, j) = a(j + 1:n, j) / a(j, j)
      do c = j + 1, k0 + kb - 1
        u = a(j, c)
        a(j + 1:n, c) = a(j + 1:n, c) - a(j + 1:n, j) * u
      end do
    end do
  end function panel_lu

  subroutine swap_rows(a, i, p)
    integer(i8), intent(in) :: i, p
    real(dp), intent(inout) :: a(:, :)
    real(dp) :: row(size(a, 2))
    row = a(i, :)
    a(i, :) = a(p, :)
    a(p, :) = row
  end subroutine swap_rows

  ! a := transpose(a) in place, by pairs of tiles across the diagonal; the team shares the tile
  ! columns (an orphaned loop, ending with its barrier).
  subroutine transpose_in_place(n, a)
    integer(i8), intent(in) :: n
    real(dp), intent(inout) :: a(n, n)
    integer(i8) :: i0, j0, i, j
    real(dp) :: tmp
    !$omp do schedule(dynamic, 1)
    do j0 = 1, n, tile
      do i0 = 1, j0, tile
        ! Elements (i, j) of the tile pair with i < j swap with (j, i).
        do j = j0, min(j0 + tile - 1, n)
          do i = i0, min(i0 + tile - 1, j - 1)
            tmp = a(i, j)
            a(i, j) = a(j, i)
            a(j, i) = tmp
          end do
        end do
      end do
    end do
    !$omp end do
  end subroutine transpose_in_place

  ! a(j, i) = x(i, source(j)): the columns of x gathered by source, written transposed, by tiles
  ! (T runs down T columns of x, T runs down T columns of a, all in L1); the team shares the tiles'
  ! columns of a.
  subroutine store_transposed(n, x, source, a)
    integer(i8), intent(in) :: n, source(n)
    real(dp), intent(in) :: x(n, n)
    real(dp), intent(inout) :: a(n, n)
    integer(i8) :: i0, j0, i, j
    !$omp do schedule(static)
    do i0 = 1, n, tile
      do j0 = 1, n, tile
        do i = i0, min(i0 + tile - 1, n)
          do j = j0, min(j0 + tile - 1, n)
            a(j, i) = x(i, source(j))
          end do
        end do
      end do
    end do
    !$omp end do
  end subroutine store_transposed

  ! The exponent k of the scale 2**k = 2**-e for a row or column whose largest finite |element| is m
  ! (k = 0 if none): e is the exponent of m = f * 2**e, f in [0.5, 1), and k is clamped to
  ! [-1022, 1023] so that the scale is a normal double (native/common/equilibrate.h, whose rule every
  ! backend follows).
  pure integer function scale_exponent(m) result(k)
    real(dp), intent(in) :: m
    if (.not. (m > 0.0_dp)) then
      k = 0
    else
      k = min(1023, max(-1022, -exponent(m)))
    end if
  end function scale_exponent

  ! Equilibration by powers of two (native/common/equilibrate.h): the spec judges numerical singularity
  ! on B = diag(r) A diag(c), as LAPACK's dgeequb scales A. a holds Aᵀ (the row-major A read
  ! column-major): row i of A is a(:, i). Computes r and c, makes a hold Bᵀ when any scale is not 1
  ! (scaled), and returns the pivot threshold on B, n * eps * max|b_ij| over the finite elements.
  ! Each column of a is read twice while it is in L1 (its maximum, then its scaled elements into the
  ! maxima of A's columns); a second pass scales, only when some scale is not 1.
  subroutine equilibrate(n, a, r, c, threshold, scaled)
    integer(i8), intent(in) :: n
    real(dp), intent(inout) :: a(n, n)
    real(dp), intent(out) :: r(n), c(n), threshold
    logical, intent(out) :: scaled
    integer(i8) :: i, j
    integer :: k
    real(dp) :: m, v, max_b
    c = 0.0_dp
    scaled = .false.
    do i = 1, n
      m = 0.0_dp
      do j = 1, n
        v = abs(a(j, i))
        if (v > m .and. v <= huge(v)) m = v
      end do
      k = scale_exponent(m)
      r(i) = scale(1.0_dp, k)
      if (k /= 0) scaled = .true.
      do j = 1, n
        v = abs(a(j, i)) * r(i)
        if (v > c(j) .and. v <= huge(v)) c(j) = v
      end do
    end do
    max_b = 0.0_dp
    do j = 1, n
      k = scale_exponent(c(j))
      max_b = max(max_b, scale(c(j), k))
      c(j) = scale(1.0_dp, k)
      if (k /= 0) scaled = .true.
    end do
    if (scaled) then
      do i = 1, n
        a(:, i) = a(:, i) * r(i) * c
      end do
    end if
    threshold = real(n, dp) * epsilon(1.0_dp) * max_b
  end subroutine equilibrate

  function INTEROP_FORTRAN_INV(n, a_ptr, threads) result(status) bind(C)
    integer(c_int64_t), value, intent(in) :: n
    type(c_ptr), value, intent(in) :: a_ptr
    integer(c_int32_t), value, intent(in) :: threads
    integer(c_int32_t) :: status
    real(dp), pointer :: a(:, :)

    if (n < 1) then
      status = -1
      return
    end if
    if (.not. c_associated(a_ptr)) then
      status = -2
      return
    end if
    if (threads < 1) then
      status = -3
      return
    end if
    call c_f_pointer(a_ptr, a, [n, n])
    status = invert(n, a, threads)
  end function INTEROP_FORTRAN_INV

  ! The phases, with the names of the C# kernel (managed/Interop.Backends/Inversion/BlockedInverse.cs):
  ! each is called by every thread of invert's team and shares its work through orphaned OpenMP
  ! constructs; apack and bpack are the calling thread's own packing buffers, t the team's one block.

  ! 1. P M = L U, blocked right-looking. Returns 0, or the status of the failed pivot, to every
  ! thread alike (the single's copyprivate).
  integer(c_int32_t) function factor_lu(n, a, ipiv, threshold, t, apack, bpack) result(status)
    integer(i8), intent(in) :: n
    real(dp), intent(inout) :: a(n, n), t(t_rows, t_rows), apack(*), bpack(*)
    integer(i8), intent(inout) :: ipiv(n)
    real(dp), intent(in) :: threshold
    integer(i8) :: k0, kb, c, j
    real(dp) :: tmp
    status = 0
    do k0 = 1, n, nb
      kb = min(nb, n - k0 + 1)
      !$omp single
      status = panel_lu(n, a, k0, kb, ipiv, threshold)
      if (status == 0) call lower_complement(kb, a(k0, k0), n, t, t_rows)
      !$omp end single copyprivate(status)
      if (status /= 0) return
      ! The panel's row interchanges, applied to every other column (LAPACK's dlaswp).
      !$omp do schedule(static)
      do c = 1, n
        if (c < k0 .or. c >= k0 + kb) then
          do j = k0, k0 + kb - 1
            tmp = a(j, c)
            a(j, c) = a(ipiv(j), c)
            a(ipiv(j), c) = tmp
          end do
        end if
      end do
      !$omp end do
      ! U12 = inv(L11) A12. The GEMM below reads only the columns of U12 this thread wrote.
      call trsm_update(kb, n - k0 - kb + 1, t, t_rows, a(k0, k0 + kb), n, apack, bpack)
      ! A22 -= L21 U12.
      call gemm_update(n - k0 - kb + 1, n - k0 - kb + 1, kb, a(k0 + kb, k0), n, a(k0, k0 + kb), n, &
                       a(k0 + kb, k0 + kb), n, apack, bpack)
      !$omp barrier
    end do
  end function factor_lu

  ! 2. Y = inv(L): L Y = I by blocks of rows, into x. Y is unit lower triangular, so row block k0 has
  ! nonzeros only in columns < k0 + kb: the solves and the GEMM skip the zero columns (n**3/3 flops
  ! instead of n**3 for a dense right-hand side).
  subroutine invert_lower(n, a, x, t, apack, bpack)
    integer(i8), intent(in) :: n
    real(dp), intent(in) :: a(n, n)
    real(dp), intent(inout) :: x(n, n), t(t_rows, t_rows), apack(*), bpack(*)
    integer(i8) :: k0, kb, c
    !$omp do schedule(static)
    do c = 1, n
      x(:, c) = 0.0_dp
      x(c, c) = 1.0_dp
    end do
    !$omp end do
    do k0 = 1, n, nb_solve
      kb = min(nb_solve, n - k0 + 1)
      !$omp single
      call lower_complement(kb, a(k0, k0), n, t, t_rows)
      !$omp end single
      call trsm_update(kb, k0 + kb - 1, t, t_rows, x(k0, 1), n, apack, bpack)
      call gemm_update(n - k0 - kb + 1, k0 + kb - 1, kb, a(k0 + kb, k0), n, x(k0, 1), n, x(k0 + kb, 1), n, &
                       apack, bpack)
      !$omp barrier
    end do
  end subroutine invert_lower

  ! 3. Z = inv(U) Y: U Z = Y, backward by blocks of rows, in place in x.
  subroutine solve_upper(n, a, x, t, apack, bpack)
    integer(i8), intent(in) :: n
    real(dp), intent(in) :: a(n, n)
    real(dp), intent(inout) :: x(n, n), t(t_rows, t_rows), apack(*), bpack(*)
    integer(i8) :: k0, kb
    do k0 = ((n - 1) / nb_solve) * nb_solve + 1, 1, -nb_solve
      kb = min(nb_solve, n - k0 + 1)
      !$omp single
      call upper_complement(kb, a(k0, k0), n, t, t_rows)
      !$omp end single
      call trsm_update(kb, n, t, t_rows, x(k0, 1), n, apack, bpack)
      call divide_rows(kb, n, a(k0, k0), n, x(k0, 1), n)
      call gemm_update(k0 - 1, n, kb, a(1, k0), n, x(k0, 1), n, x, n, apack, bpack)
      !$omp barrier
    end do
  end subroutine solve_upper

  ! 4. inv(M) = Z P replaces M, row-major. Row i of P is row perm(i) of the identity, so column c of
  ! Z is column perm(c) of the inverse; column j of the inverse is column ipiv(j) of Z (ipiv is
  ! reused for perm's inverse), and its element i goes to a(j, i).
  subroutine permute(n, x, ipiv, perm, a)
    integer(i8), intent(in) :: n
    real(dp), intent(in) :: x(n, n)
    integer(i8), intent(inout) :: ipiv(n), perm(n)
    real(dp), intent(inout) :: a(n, n)
    integer(i8) :: i, j, c, k
    !$omp single
    do i = 1, n
      perm(i) = i
    end do
    do j = 1, n
      k = perm(j)
      perm(j) = perm(ipiv(j))
      perm(ipiv(j)) = k
    end do
    do c = 1, n
      ipiv(perm(c)) = c
    end do
    !$omp end single
    call store_transposed(n, x, ipiv, a)
  end subroutine permute

  ! The inversion proper, on an explicit-shape array so that sections can be passed as matrices.
  integer(c_int32_t) function invert(n, a, threads) result(status)
    integer(i8), intent(in) :: n
    real(dp), intent(inout) :: a(n, n)
    integer(c_int32_t), intent(in) :: threads
    real(dp), allocatable :: x(:, :), t(:, :), apack(:), bpack(:), row_scale(:), col_scale(:)
    integer(i8), allocatable :: ipiv(:), perm(:)
    real(dp) :: threshold
    integer(c_int32_t) :: lu_status
    integer(i8) :: i
    integer :: failures, alloc
    logical :: scaled

    ! X is the last call's when it has this order. A new n x n array is memory the process has not
    ! touched, a page fault per 4 KiB page at its first write: on a Zen 5 VM (2 cores, n = 3400, the
    ! C kernel, which does the same), zeroing a fresh X took 0.25-0.30 s of a 1.4 s inversion. The
    ! cost of keeping it: 8n**2 bytes (at most 1 GiB) stay allocated after a call, until a call of another order.
    !$omp critical (interop_inv_fortran_workspace)
    if (allocated(KEPT_X)) then
      if (size(KEPT_X, 1, kind=i8) == n) call move_alloc(KEPT_X, x)
      if (allocated(KEPT_X)) deallocate (KEPT_X)
    end if
    !$omp end critical (interop_inv_fortran_workspace)
    alloc = 0
    if (.not. allocated(x)) allocate (x(n, n), stat=alloc)
    if (alloc == 0) allocate (t(t_rows, t_rows), ipiv(n), perm(n), row_scale(n), col_scale(n), stat=alloc)
    if (alloc /= 0) then
      status = status_no_memory
      return
    end if
    ! The kernel factors B = diag(r) A diag(c), A equilibrated by powers of two, and a pivot at or
    ! below n * eps * max|b_ij| counts as zero: numerically singular. NaN and Inf are left out: the
    ! factorization finds them as a non-finite pivot.
    call equilibrate(n, a, row_scale, col_scale, threshold, scaled)
    status = 0
    failures = 0

    !$omp parallel num_threads(threads) default(shared) private(apack, bpack, alloc, lu_status)
    allocate (apack(mc_max * kc_max), bpack(kc_max * ((n + nr - 1) / nr) * nr), stat=alloc)
    if (alloc /= 0) then
      !$omp atomic
      failures = failures + 1
    end if
    !$omp barrier
    if (failures == 0) then
      ! 0. M = A: the row-major A read column-major is Aᵀ.
      call transpose_in_place(n, a)
      lu_status = factor_lu(n, a, ipiv, threshold, t, apack, bpack)
      if (lu_status == 0) then
        call invert_lower(n, a, x, t, apack, bpack)
        call solve_upper(n, a, x, t, apack, bpack)
        call permute(n, x, ipiv, perm, a)
      end if
      ! Every thread holds the same lu_status; one of them reports it.
      if (omp_get_thread_num() == 0) status = lu_status
    end if
    if (allocated(apack)) deallocate (apack)
    if (allocated(bpack)) deallocate (bpack)
    !$omp end parallel
    if (failures /= 0) status = status_no_memory
    ! inv(A) = diag(c) inv(B) diag(r), exactly; a holds it transposed: a(j, i) = inv(A)(i, j).
    if (status == 0 .and. scaled) then
      do i = 1, n
        a(:, i) = a(:, i) * col_scale(i) * row_scale
      end do
    end if
    ! Kept up to keep_limit_elements (as the C kernel's KEEP_LIMIT_BYTES: above it the page faults
    ! are a few per cent of the O(n**3) work, and several kernels' kept matrices would add up).
    if (size(x, kind=i8) > keep_limit_elements) then
      deallocate (x)
    else
      !$omp critical (interop_inv_fortran_workspace)
      if (allocated(KEPT_X)) deallocate (KEPT_X)
      call move_alloc(x, KEPT_X)
      !$omp end critical (interop_inv_fortran_workspace)
    end if
  end function invert

end module interop_lu_inverse
