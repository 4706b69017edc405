! NPB EP in Fortran with OpenMP: the fortran-openmp backend's EP (native/include/interop_ep.h).
!
! Compiled once per instruction-set path (src/isa.h): CMake names the bind(C) function
! (interop_ep_fortran_avx2, ...) and ep_entry.c's exported interop_ep_fortran calls the one of the
! path in use. The generator is NPB's in exact 64-bit integer arithmetic (ep_generator.h): the low
! 64 bits of a product are exact modulo 2**64 on two's-complement integer(c_int64_t), which relies
! on wrapping signed overflow (-fwrapv, native/ep/CMakeLists.txt), and masking them to 46 bits is the
! product modulo 2**46. Compiled with -ffp-contract=off: no fused multiply-add, as in NPB.
!
! The scalar path is NPB's loop, pair by pair. The vector paths work in chunks of pairs: one
! generator state per lane (8 lanes on AVX2, 16 on AVX-512, as the C kernel) stepping by
! a**(2 lanes), then the chunk's pairs in a branch-free loop that gfortran vectorizes, log included
! (glibc's math-vector-fortran.h, which gfortran reads on its own, declares libmvec's vector log;
! -fno-trapping-math lets GCC 12 blend the merges on AVX2); the sums are per-lane partials added in
! lane order at the end of a batch, as the C kernel's, so both give the same sums to the bit.
module interop_ep_fortran
  use, intrinsic :: iso_c_binding, only: c_int32_t, c_int64_t, c_double, c_ptr, c_associated, c_f_pointer
  use omp_lib, only: omp_get_num_threads, omp_get_thread_num
  implicit none
  private
  public :: INTEROP_FORTRAN_EP

  integer(c_int64_t), parameter :: multiplier = 1220703125_c_int64_t ! a = 5**13
  integer(c_int64_t), parameter :: seed = 271828183_c_int64_t
  integer(c_int64_t), parameter :: mask = shiftl(1_c_int64_t, 46) - 1
  integer(c_int64_t), parameter :: batch_pairs = 65536_c_int64_t
  integer(c_int64_t), parameter :: max_batches = shiftl(1_c_int64_t, 27)
  integer, parameter :: annuli = 10
  ! The histogram's slots beside annuli 0..9: a pair past annulus 9 (a failure), a rejected pair.
  integer, parameter :: past_annuli = annuli, rejected = annuli + 1
  ! The C kernel's lanes (ep_c_kernel.c: two vectors of 8 or 4 pairs), so that both sum alike.
#if INTEROP_ISA_LEVEL == 3
  integer, parameter :: lanes = 16
#elif INTEROP_ISA_LEVEL == 2
  integer, parameter :: lanes = 8
#endif

contains

  pure integer(c_int64_t) function multiply(x, y)
    integer(c_int64_t), intent(in) :: x, y
    multiply = iand(x * y, mask)
  end function multiply

  ! base**exponent mod 2**46 by binary exponentiation (NPB's jump-ahead).
  pure integer(c_int64_t) function power(base, exponent)
    integer(c_int64_t), intent(in) :: base, exponent
    integer(c_int64_t) :: b, e
    power = 1
    b = base
    e = exponent
    do while (e /= 0)
      if (iand(e, 1_c_int64_t) /= 0) power = multiply(power, b)
      b = multiply(b, b)
      e = shiftr(e, 1)
    end do
  end function power

  ! 2 r - 1 of a state x < 2**46: x 2**-45 - 1, x converted exactly.
  elemental real(c_double) function deviate(x)
    integer(c_int64_t), intent(in) :: x
#if INTEROP_ISA_LEVEL >= 2
    ! x's bits under the exponent of 2**52 make the double 2**52 + x: an exact conversion AVX2 can
    ! vectorize (it has no 64-bit integer conversion).
    integer(c_int64_t), parameter :: two52_bits = 4841369599423283200_c_int64_t ! 0x4330000000000000
    deviate = (transfer(ior(x, two52_bits), 1.0_c_double) - 2.0_c_double**52) * 2.0_c_double**(-45) - 1.0_c_double
#else
    deviate = real(x, c_double) * 2.0_c_double**(-45) - 1.0_c_double
#endif
  end function deviate

#if INTEROP_ISA_LEVEL >= 2
  ! A pair's t3, t4 and histogram slot (the annulus; past_annuli for 10 and beyond, and for a NaN,
  ! since m < annuli is false then; rejected), with no branch: a rejected pair's t3 and t4 are 0.
  ! The slot is converted from a double clamped to 0 .. rejected.
  elemental subroutine gaussian(x1, x2, t3, t4, slot)
    real(c_double), intent(in) :: x1, x2
    real(c_double), intent(out) :: t3, t4
    integer, intent(out) :: slot
    real(c_double) :: t1, t2, m
    logical :: accepted
    t1 = x1 * x1 + x2 * x2
    accepted = t1 <= 1.0_c_double
    t2 = sqrt(-2.0_c_double * log(t1) / t1)
    t3 = merge(x1 * t2, 0.0_c_double, accepted)
    t4 = merge(x2 * t2, 0.0_c_double, accepted)
    ! merge rather than max, whose NaN rule gfortran writes as a branch.
    m = merge(abs(t3), abs(t4), abs(t3) > abs(t4))
    m = merge(m, real(past_annuli, c_double), m < annuli)
    slot = int(merge(m, real(rejected, c_double), accepted))
  end subroutine gaussian
#endif

  ! One batch from state `start`: its sums (Σt3, Σt4, Σ|t3|, Σ|t4|) and its pairs added to histogram.
  subroutine batch(start, sums, histogram)
    integer(c_int64_t), intent(in) :: start
    real(c_double), intent(out) :: sums(4)
    integer(c_int64_t), intent(inout) :: histogram(0:rejected)
#if INTEROP_ISA_LEVEL >= 2
    ! Pairs per chunk: the chunk's deviates, results and annuli stay in the L1 cache between the loops.
    integer, parameter :: chunk = 1024
    integer(c_int64_t) :: x(lanes), step, first, second
    real(c_double) :: sx(lanes), sy(lanes), ax(lanes), ay(lanes)
    real(c_double) :: dx1(chunk), dx2(chunk), dt3(chunk), dt4(chunk)
    integer :: slot(chunk)
    integer(c_int64_t) :: interleaved(0:rejected, 0:3)
    integer :: c, g, i, j, l

    step = power(multiplier, int(2 * lanes, c_int64_t))
    do j = 1, lanes
      x(j) = multiply(start, power(multiplier, int(2 * (j - 1), c_int64_t)))
    end do
    sx = 0
    sy = 0
    ax = 0
    ay = 0
    interleaved = 0
    do c = 1, int(batch_pairs) / chunk
      ! The deviates: lane j's state steps over pairs j, j + lanes, ... of the batch.
      do g = 0, chunk / lanes - 1
        !$omp simd private(first, second)
        do j = 1, lanes
          first = multiply(x(j), multiplier)
          second = multiply(first, multiplier)
          x(j) = multiply(x(j), step)
          dx1(g * lanes + j) = deviate(first)
          dx2(g * lanes + j) = deviate(second)
        end do
      end do
      ! Every pair's log, a rejected pair's t1 in (1, 2] included: branch-free, so that gfortran
      ! vectorizes it with libmvec's log. Two halves of the chunk per iteration: two independent
      ! log, divide and square-root chains in flight, as in the C kernel.
      !$omp simd
      do i = 1, chunk / 2
        call gaussian(dx1(i), dx2(i), dt3(i), dt4(i), slot(i))
        call gaussian(dx1(i + chunk / 2), dx2(i + chunk / 2), dt3(i + chunk / 2), dt4(i + chunk / 2), &
                      slot(i + chunk / 2))
      end do
      ! Per-lane partial sums, each lane's pairs in order (a rejected pair adds +0).
      do g = 0, chunk / lanes - 1
        !$omp simd
        do j = 1, lanes
          sx(j) = sx(j) + dt3(g * lanes + j)
          sy(j) = sy(j) + dt4(g * lanes + j)
          ax(j) = ax(j) + abs(dt3(g * lanes + j))
          ay(j) = ay(j) + abs(dt4(g * lanes + j))
        end do
      end do
      ! Branch-free, into four histograms in turn, so that pairs of one annulus in a row do not wait
      ! on each other's increment.
      do i = 1, chunk, 4
        do j = 0, 3
          l = slot(i + j)
          interleaved(l, j) = interleaved(l, j) + 1
        end do
      end do
    end do
    histogram = histogram + sum(interleaved, dim=2)
    ! The lanes in order: the same fixed reduction as the C kernel's.
    sums = 0
    do j = 1, lanes
      sums(1) = sums(1) + sx(j)
      sums(2) = sums(2) + sy(j)
      sums(3) = sums(3) + ax(j)
      sums(4) = sums(4) + ay(j)
    end do
#else
    real(c_double) :: x1, x2, t1, t2, t3, t4, m
    integer(c_int64_t) :: x, pair
    integer :: l

    sums = 0
    x = start
    do pair = 1, batch_pairs
      x = multiply(x, multiplier)
      x1 = deviate(x)
      x = multiply(x, multiplier)
      x2 = deviate(x)
      t1 = x1 * x1 + x2 * x2
      if (t1 <= 1.0_c_double) then
        t2 = sqrt(-2.0_c_double * log(t1) / t1)
        t3 = x1 * t2
        t4 = x2 * t2
        sums(1) = sums(1) + t3
        sums(2) = sums(2) + t4
        sums(3) = sums(3) + abs(t3)
        sums(4) = sums(4) + abs(t4)
        m = max(abs(t3), abs(t4))
        l = past_annuli
        if (m < annuli) l = int(m)
        histogram(l) = histogram(l) + 1
      else
        histogram(rejected) = histogram(rejected) + 1
      end if
    end do
#endif
  end subroutine batch

  function INTEROP_FORTRAN_EP(first_batch, batches, threads, sums_ptr, counts_ptr) result(status) bind(C)
    integer(c_int64_t), value, intent(in) :: first_batch, batches
    integer(c_int32_t), value, intent(in) :: threads
    ! C pointers rather than arrays, so that NULL is reported, not dereferenced.
    type(c_ptr), value, intent(in) :: sums_ptr, counts_ptr
    integer(c_int32_t) :: status
    ! Contiguous: a batch's four sums are passed as a section without a copy.
    real(c_double), pointer, contiguous :: sums(:)
    integer(c_int64_t), pointer, contiguous :: counts(:)
    integer(c_int64_t) :: histogram(0:rejected), step, start, q, r, index, parts, part_first, part_last, k

    if (first_batch < 0) then
      status = -1
      return
    end if
    if (batches < 0) then
      status = -2
      return
    end if
    if (threads < 1) then
      status = -3
      return
    end if
    if (.not. c_associated(sums_ptr)) then
      status = -4
      return
    end if
    if (.not. c_associated(counts_ptr)) then
      status = -5
      return
    end if
    if (first_batch > max_batches .or. batches > max_batches - first_batch) then
      status = -6
      return
    end if
    call c_f_pointer(sums_ptr, sums, [4 * batches])
    call c_f_pointer(counts_ptr, counts, [annuli])

    step = power(multiplier, 2 * batch_pairs)
    histogram = 0
    !$omp parallel num_threads(threads) default(none) &
    !$omp   shared(first_batch, batches, sums, step) &
    !$omp   private(q, r, index, parts, part_first, part_last, k, start) &
    !$omp   reduction(+:histogram)
    ! Whole batches per thread, contiguous: interop_split's rule, sized by the team OpenMP gave.
    parts = omp_get_num_threads()
    index = omp_get_thread_num()
    q = batches / parts
    r = mod(batches, parts)
    part_first = first_batch + index * q + min(index, r)
    part_last = part_first + q
    if (index < r) part_last = part_last + 1
    start = multiply(seed, power(step, part_first))
    do k = part_first, part_last - 1
      call batch(start, sums(4 * (k - first_batch) + 1:4 * (k - first_batch) + 4), histogram)
      start = multiply(start, step)
    end do
    !$omp end parallel
    counts = histogram(0:annuli - 1)
    status = 0
    if (histogram(past_annuli) /= 0) status = 1
  end function INTEROP_FORTRAN_EP

end module interop_ep_fortran
