! Dense matrix inversion in Fortran with OpenMP: the fortran-openmp backend of `interop inv`.
!
! The same algorithm as native/src/lu_inverse_c.c, written as Fortran programmers would: the buffer
! is the column-major matrix M = Aᵀ (inv(Aᵀ) = inv(A)ᵀ, so the result read row-major is inv(A));
! 1. blocked right-looking LU with partial pivoting, P M = L U; 2. L Y = I (Y = inv(L), its zero upper
! triangle skipped), U Z = Y, inv(M) = Z P, 2n**3 flops in all, as dgetrf + dgetri; the blocked
! triangular solves' updates are a packed, cache-blocked GEMM with a register
! micro-kernel (a fixed 16 x 6 accumulator block that gfortran keeps in vector registers).
! Compiled once per instruction-set path (native/src/isa.h): CMake names the bind(C) function
! (e.g. interop_inv_fortran_avx2), and isa.c's exported interop_inv_fortran (native/include/interop.h)
! calls the one of the path in use.
module interop_lu_inverse
  use, intrinsic :: iso_c_binding, only: c_int32_t, c_int64_t, c_double, c_ptr, c_associated, c_f_pointer
  use, intrinsic :: ieee_arithmetic, only: ieee_is_nan
  use omp_lib, only: omp_get_num_threads, omp_get_thread_num
  implicit none
  private
  public :: INTEROP_FORTRAN_INV

  integer, parameter :: dp = c_double, i8 = c_int64_t
  integer(i8), parameter :: mr = 16, nr = 6, kc_max = 256, mc_max = 96, nb = 128
  integer(c_int32_t), parameter :: status_no_memory = -1000

contains

  ! c(1:mrr, 1:nrr) -= ap(mr x kc) * bp(kc x nr), both packed k-major.
  subroutine micro_kernel(kc, ap, bp, c, ldc, mrr, nrr)
    integer(i8), intent(in) :: kc, ldc, mrr, nrr
    real(dp), intent(in) :: ap(mr, kc), bp(nr, kc)
    real(dp), intent(inout) :: c(ldc, *)
    real(dp) :: acc(mr, nr)
    integer(i8) :: k, j
    acc = 0.0_dp
    ! One statement per column (nr = 6): each is a 16-long vector FMA that gfortran maps onto vector
    ! registers along the rows; a loop over the columns here gets vectorized the wrong way round.
    do k = 1, kc
      acc(:, 1) = acc(:, 1) + ap(:, k) * bp(1, k)
      acc(:, 2) = acc(:, 2) + ap(:, k) * bp(2, k)
      acc(:, 3) = acc(:, 3) + ap(:, k) * bp(3, k)
      acc(:, 4) = acc(:, 4) + ap(:, k) * bp(4, k)
      acc(:, 5) = acc(:, 5) + ap(:, k) * bp(5, k)
      acc(:, 6) = acc(:, 6) + ap(:, k) * bp(6, k)
    end do
    do j = 1, nrr
      c(1:mrr, j) = c(1:mrr, j) - acc(1:mrr, j)
    end do
  end subroutine micro_kernel

  ! C(m x n) -= A(m x k) * B(k x n); every thread of the team takes whole nr-wide slivers of C.
  subroutine gemm_update(m, n, k, a, lda, b, ldb, c, ldc, apack, bpack)
    integer(i8), intent(in) :: m, n, k, lda, ldb, ldc
    real(dp), intent(in) :: a(lda, *), b(ldb, *)
    real(dp), intent(inout) :: c(ldc, *)
    real(dp), intent(inout) :: apack(*), bpack(*)
    integer(i8) :: threads, t, slivers, q, r, first, cnt, jb, je, nc, p0, kc, i0, mc, j, i, kk, jj, mrr, nrr, pos

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
    if (m <= 0 .or. k <= 0 .or. jb > je) return
    nc = je - jb + 1
    do p0 = 1, k, kc_max
      kc = min(kc_max, k - p0 + 1)
      ! Pack B(p0:p0+kc-1, jb:je) into nr-column slivers, zero-padded.
      pos = 0
      do j = 0, nc - 1, nr
        nrr = min(nr, nc - j)
        if (nrr < nr) bpack(pos + 1:pos + nr * kc) = 0.0_dp
        ! Column by column: each reads a contiguous stretch of B and writes every nr-th element.
        do jj = 1, nrr
          bpack(pos + jj:pos + nr * kc:nr) = b(p0:p0 + kc - 1, jb + j + jj - 1)
        end do
        pos = pos + nr * kc
      end do
      do i0 = 1, m, mc_max
        mc = min(mc_max, m - i0 + 1)
        ! Pack A(i0:i0+mc-1, p0:p0+kc-1) into mr-row slivers, zero-padded.
        pos = 0
        do i = 0, mc - 1, mr
          mrr = min(mr, mc - i)
          do kk = 0, kc - 1
            apack(pos + 1:pos + mrr) = a(i0 + i:i0 + i + mrr - 1, p0 + kk)
            apack(pos + mrr + 1:pos + mr) = 0.0_dp
            pos = pos + mr
          end do
        end do
        do j = 0, nc - 1, nr
          nrr = min(nr, nc - j)
          do i = 0, mc - 1, mr
            mrr = min(mr, mc - i)
            call micro_kernel(kc, apack(i * kc + 1), bpack(j * kc + 1), c(i0 + i, jb + j), ldc, mrr, nrr)
          end do
        end do
      end do
    end do
  end subroutine gemm_update

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
      p = j - 1 + maxloc(abs(a(j:n, j)), dim=1)
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

  ! The inversion proper, on an explicit-shape array so that sections can be passed as matrices.
  integer(c_int32_t) function invert(n, a, threads) result(status)
    integer(i8), intent(in) :: n
    real(dp), intent(inout) :: a(n, n)
    integer(c_int32_t), intent(in) :: threads
    real(dp), allocatable :: x(:, :), apack(:), bpack(:)
    integer(i8), allocatable :: ipiv(:), perm(:)
    real(dp) :: threshold, tmp
    integer(i8) :: k0, kb, c, k, i, j
    integer :: failures, alloc

    allocate (x(n, n), ipiv(n), perm(n), stat=alloc)
    if (alloc /= 0) then
      status = status_no_memory
      return
    end if
    ! A pivot at or below n * eps * max|a_ij| counts as zero: numerically singular.
    threshold = real(n, dp) * epsilon(1.0_dp) * maxval(abs(a))
    if (ieee_is_nan(threshold)) threshold = huge(1.0_dp)
    status = 0
    failures = 0

    !$omp parallel num_threads(threads) default(shared) private(apack, bpack, alloc, k0, kb, c, k, i, j, tmp)
    allocate (apack(mc_max * kc_max), bpack(kc_max * ((n + nr - 1) / nr) * nr), stat=alloc)
    if (alloc /= 0) then
      !$omp atomic
      failures = failures + 1
    end if
    !$omp barrier
    if (failures == 0) then
      ! 1. P M = L U, blocked right-looking.
      do k0 = 1, n, nb
        kb = min(nb, n - k0 + 1)
        !$omp single
        status = panel_lu(n, a, k0, kb, ipiv, threshold)
        !$omp end single
        if (status /= 0) exit
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
        ! U12 = inv(L11) A12, column by column.
        !$omp do schedule(static)
        do c = k0 + kb, n
          do k = k0, k0 + kb - 1
            a(k + 1:k0 + kb - 1, c) = a(k + 1:k0 + kb - 1, c) - a(k + 1:k0 + kb - 1, k) * a(k, c)
          end do
        end do
        !$omp end do
        ! A22 -= L21 U12.
        call gemm_update(n - k0 - kb + 1, n - k0 - kb + 1, kb, a(k0 + kb, k0), n, a(k0, k0 + kb), n, &
                         a(k0 + kb, k0 + kb), n, apack, bpack)
        !$omp barrier
      end do

      if (status == 0) then
        ! 2. Y = inv(L): L Y = I by blocks of rows. Y is unit lower triangular, so row block k0 has
        ! nonzeros only in columns < k0 + kb: the solves and the GEMM skip the zero columns (n**3/3
        ! flops instead of n**3 for a dense right-hand side).
        !$omp do schedule(static)
        do c = 1, n
          x(:, c) = 0.0_dp
          x(c, c) = 1.0_dp
        end do
        !$omp end do
        do k0 = 1, n, nb
          kb = min(nb, n - k0 + 1)
          !$omp do schedule(static)
          do c = 1, k0 + kb - 1
            do k = k0, k0 + kb - 1
              x(k + 1:k0 + kb - 1, c) = x(k + 1:k0 + kb - 1, c) - a(k + 1:k0 + kb - 1, k) * x(k, c)
            end do
          end do
          !$omp end do
          call gemm_update(n - k0 - kb + 1, k0 + kb - 1, kb, a(k0 + kb, k0), n, x(k0, 1), n, x(k0 + kb, 1), n, &
                           apack, bpack)
          !$omp barrier
        end do
        ! 3. Z = inv(U) Y: U Z = Y, backward by blocks of rows.
        do k0 = ((n - 1) / nb) * nb + 1, 1, -nb
          kb = min(nb, n - k0 + 1)
          !$omp do schedule(static)
          do c = 1, n
            do k = k0 + kb - 1, k0, -1
              x(k, c) = x(k, c) / a(k, k)
              x(k0:k - 1, c) = x(k0:k - 1, c) - a(k0:k - 1, k) * x(k, c)
            end do
          end do
          !$omp end do
          call gemm_update(k0 - 1, n, kb, a(1, k0), n, x(k0, 1), n, x, n, apack, bpack)
          !$omp barrier
        end do
        ! 4. inv(M) = Z P replaces M. Row i of P is row perm(i) of the identity, so column i of Z is
        ! column perm(i) of the inverse: a column copy, no swaps.
        !$omp single
        do i = 1, n
          perm(i) = i
        end do
        do j = 1, n
          k = perm(j)
          perm(j) = perm(ipiv(j))
          perm(ipiv(j)) = k
        end do
        !$omp end single
        !$omp do schedule(static)
        do c = 1, n
          a(:, perm(c)) = x(:, c)
        end do
        !$omp end do
      end if
    end if
    if (allocated(apack)) deallocate (apack)
    if (allocated(bpack)) deallocate (bpack)
    !$omp end parallel
    if (failures /= 0) status = status_no_memory
  end function invert

end module interop_lu_inverse
