! Monte Carlo pi in Fortran with OpenMP: the fortran-openmp backend.
!
! Compiled once per instruction-set path (native/src/isa.h): CMake names the bind(C) function
! (e.g. interop_pi_count_fortran_avx2), and isa.c's exported interop_pi_count_fortran (native/include/interop.h)
! calls the one of the path in use.
! Fortran has no unsigned integers: the generator's arithmetic modulo 2**64 is done on
! integer(c_int64_t), whose two's-complement bits are the same. That relies on wrapping signed
! overflow, so this file is compiled with -fwrapv (see native/CMakeLists.txt); shiftr is the
! logical (unsigned) shift.
module interop_pi_fortran
  use, intrinsic :: iso_c_binding, only: c_int32_t, c_int64_t, c_ptr, c_associated, c_f_pointer
  use omp_lib, only: omp_get_num_threads, omp_get_thread_num
  implicit none
  private
  public :: INTEROP_FORTRAN_PI

  ! 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9 and 0x94D049BB133111EB as signed 64-bit values.
  integer(c_int64_t), parameter :: golden = -7046029254386353131_c_int64_t
  integer(c_int64_t), parameter :: mix1 = -4658895280553007687_c_int64_t
  integer(c_int64_t), parameter :: mix2 = -7723592293110705685_c_int64_t
  integer(c_int64_t), parameter :: low31 = 2147483647_c_int64_t
  integer(c_int64_t), parameter :: radius_squared = shiftl(1_c_int64_t, 62)
#if INTEROP_ISA_LEVEL == 3
  ! Darts per block of count_range: four zmm chains of 8, plus two scalar darts.
  integer, parameter :: lanes = 32, extra = 2, block = lanes + extra
#elif INTEROP_ISA_LEVEL == 2
  ! Two ymm chains of 4 (the squares' 32-bit lanes hold 8), plus four scalar darts.
  integer, parameter :: lanes = 8, extra = 4, block = lanes + extra
#endif

contains

  ! Darts k in [first, last) inside the quarter circle.
  !
  ! The vector paths count in blocks of `lanes + extra` darts: the first `lanes` in a vectorized loop
  ! (one independent vector chain per vector of lanes), the other `extra` with scalar code in the same
  ! loop body. The vector code keeps the vector multiply and shift units busy; the scalar darts run on
  ! the integer units (imul), which would otherwise idle, so they come almost for free (on Zen 3 the
  ! AVX2 block of 8 + 4 counts about 1.4x faster than 8 vector darts alone). The darts left over, and
  ! all of them on the scalar path, go through the plain loop.
  pure function count_range(seed, first, last) result(inside)
    integer(c_int64_t), intent(in) :: seed, first, last
    integer(c_int64_t) :: inside, counter, rest, i
#if INTEROP_ISA_LEVEL >= 2
    integer(c_int64_t) :: z, w(lanes), misses(lanes), blocks, b, hits
    integer :: l, e
#if INTEROP_ISA_LEVEL == 2
    integer(c_int32_t) :: x, y
#endif
#endif

    inside = 0
    rest = last - first
    ! The counter of dart k is s + (k+1)*golden: linear in k, so every stream advances it by addition.
    counter = seed + (first + 1) * golden
#if INTEROP_ISA_LEVEL >= 2
    blocks = rest / block
    do l = 1, lanes
      w(l) = counter + (l - 1) * golden
    end do
    misses = 0
    hits = 0
    do b = 1, blocks
      ! gfortran unrolls this fixed loop into lanes/4 (AVX2) or lanes/8 (AVX-512) vectors; w and
      ! misses stay in registers. A miss is r2 > 2**62 - 1 rather than inside = r2 < 2**62: one
      ! vpcmpgtq whose all-ones lanes are subtracted, no inversion.
      !$omp simd
      do l = 1, lanes
        z = w(l)
        z = ieor(z, shiftr(z, 30)) * mix1
        z = ieor(z, shiftr(z, 27)) * mix2
        z = ieor(z, shiftr(z, 31))
#if INTEROP_ISA_LEVEL == 2
        ! AVX2 has no 64-bit multiply: gfortran builds one from three vpmuludq (as the C kernel's
        ! mul64_const does for the generator). The 31-bit values held in integer(int32) make the
        ! squares widening 32x32->64 multiplies, a single vpmuludq each, for the price of packing the
        ! halves into 32-bit lanes. int() of the 32-bit halves keeps their low bits (GCC's conversion
        ! wraps); shiftr on int32 is logical, so x and y are the spec's (uint32)(z >> 32) >> 1 and
        ! (uint32)z >> 1. Written as 64-bit shifts (x = shiftr(z, 33)) gcc folds the int32 round trip
        ! away and squares with the three-multiply sequence again (about 6% slower here).
        x = shiftr(int(shiftr(z, 32), c_int32_t), 1)
        y = shiftr(int(z, c_int32_t), 1)
        misses(l) = misses(l) + merge(1_c_int64_t, 0_c_int64_t, &
                                      int(x, c_int64_t) * x + int(y, c_int64_t) * y > radius_squared - 1)
#else
        ! AVX-512DQ multiplies 64-bit lanes in one vpmullq; packing to 32-bit lanes would cost more.
        misses(l) = misses(l) + merge(1_c_int64_t, 0_c_int64_t, &
                                      shiftr(z, 33)**2 + iand(shiftr(z, 1), low31)**2 > radius_squared - 1)
#endif
        w(l) = w(l) + block * golden
      end do
      ! The block's scalar darts: independent of the vector ones and of each other.
      do e = 0, extra - 1
        hits = hits + dart(counter + (lanes + e) * golden)
      end do
      counter = counter + block * golden
    end do
    inside = blocks * lanes - sum(misses) + hits
    rest = rest - blocks * block
#endif
    do i = 1, rest
      inside = inside + dart(counter)
      counter = counter + golden
    end do
  end function count_range

  ! 1 if the dart whose counter is s + (k+1)*golden lands inside, else 0: the spec's loop body.
  ! x, y < 2**31, so the sum of squares is below 2**63: exact and non-negative, and its bit 62 says
  ! "outside".
  pure integer(c_int64_t) function dart(counter)
    integer(c_int64_t), intent(in) :: counter
    integer(c_int64_t) :: z
    z = ieor(counter, shiftr(counter, 30)) * mix1
    z = ieor(z, shiftr(z, 27)) * mix2
    z = ieor(z, shiftr(z, 31))
    dart = 1 - shiftr(shiftr(z, 33)**2 + iand(shiftr(z, 1), low31)**2, 62)
  end function dart

  function INTEROP_FORTRAN_PI(seed, first, last, threads, inside_ptr) result(status) bind(C)
    integer(c_int64_t), value, intent(in) :: seed, first, last
    integer(c_int32_t), value, intent(in) :: threads
    ! A C pointer rather than an intent(out) argument, so that NULL is reported, not dereferenced.
    type(c_ptr), value, intent(in) :: inside_ptr
    integer(c_int32_t) :: status
    integer(c_int64_t), pointer :: inside
    integer(c_int64_t) :: total, n, q, r, index, parts, part_first, part_last

    if (first < 0) then
      status = -2
      return
    end if
    if (last < first) then
      status = -3
      return
    end if
    if (threads < 1) then
      status = -4
      return
    end if
    if (.not. c_associated(inside_ptr)) then
      status = -5
      return
    end if
    call c_f_pointer(inside_ptr, inside)

    total = 0
    n = last - first
    !$omp parallel num_threads(threads) default(none) &
    !$omp   shared(seed, first, n) private(q, r, index, parts, part_first, part_last) &
    !$omp   reduction(+:total)
    ! The same exact split as interop_split in C: the remainder spread over the first parts,
    ! sized by the team OpenMP actually gave us.
    parts = omp_get_num_threads()
    index = omp_get_thread_num()
    q = n / parts
    r = mod(n, parts)
    part_first = first + index * q + min(index, r)
    part_last = part_first + q
    if (index < r) part_last = part_last + 1
    total = total + count_range(seed, part_first, part_last)
    !$omp end parallel
    inside = total
    status = 0
  end function INTEROP_FORTRAN_PI

end module interop_pi_fortran
