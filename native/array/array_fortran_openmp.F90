! The array workload in Fortran with OpenMP: the fortran-openmp backend's y = x + xT - mean(x, axis 0)
! (native/include/interop_array.h, docs/workload-spec.md "The chunked-array example").
!
! Compiled once per instruction-set path (src/isa.h): CMake names the bind(C) function
! (interop_array_fortran_avx2, ...) and array_entry.c's exported interop_array_fortran calls the one
! of the path in use. The whole contract is here, as the C kernel's (array_entry.c and
! array_c_kernel.c): the same argument statuses, the same pieces of work taken by an OpenMP team
! with schedule(dynamic, 1), the same square tiles for the transposed reads (x read where it lies,
! only the turned tile copied) and a block taken with its transposed partner when x is one array or
! generated.
!
! x is row-major (C's layout): element x[i][j] of rows starting at row_begin is x(off + j) with
! off = (i - row_begin) ldx, so every inner loop below runs along j, contiguous, and a tile buffer
! holds a row of x in its first index. No reassociation: y[i][j] = (x[i][j] + x[j][i]) - m[j] and the
! column sums' row order are kept exactly (-ffp-contract=off, no -ffast-math: native/array/
! CMakeLists.txt); only the order of y's sum (a check) is the kernel's: per column of a tile, then
! eight lanes. The checksum adds the bit patterns of y as integer(c_int64_t), whose two's-complement
! additions are the sum modulo 2**64 (-fwrapv); SplitMix64 likewise (shiftr is the logical shift).
!
! Unlike the C kernel, y is written with ordinary stores, not streamed past the caches: gfortran 12
! has no intrinsic or vector type for them, and accepts `!$omp simd nontemporal(y)` but ignores it
! (no vmovntpd in the object). Its one way, -fprefetch-loop-arrays' nontemporal stores, takes cache
! size parameters forced for the whole file, streams only stores it knows aligned (never an array
! from C) and puts an mfence after every innermost loop. So y's lines are read before they are
! written: in the memory case about 3/2 of the C kernel's traffic.
module interop_array_fortran
  use, intrinsic :: iso_c_binding, only: c_int32_t, c_int64_t, c_double, c_ptr, c_associated, c_f_pointer
  implicit none
  private
  public :: INTEROP_FORTRAN_ARRAY

  ! interop_array.h's passes, rows per tile of the column sums and INTEROP_STATUS_NO_MEMORY (interop.h).
  integer(c_int32_t), parameter :: pass_column_sums = 0, pass_y = 1, pass_generate = 2
  integer(c_int64_t), parameter :: tile_rows = 256
  integer(c_int32_t), parameter :: status_no_memory = -1000
  ! Columns per piece of the column sums: a stripe's sums (16 KiB) stay in L1 while its tile's rows pass.
  integer(c_int64_t), parameter :: sum_stripe = 2048
  ! The edge of the square tiles a block is walked in (array_c_kernel.c's TILE): a tile of x, its
  ! transposed partner and their turned copies stay in L1 (4 x 8 KiB).
  integer(c_int64_t), parameter :: tile = 32
  ! Lanes of y's sum and checksum (array_c_kernel.c's LANES): one vector's worth on the AVX-512 path,
  ! two on AVX2.
  integer(c_int64_t), parameter :: lane_count = 8

  ! 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9 and 0x94D049BB133111EB as signed 64-bit values.
  integer(c_int64_t), parameter :: golden = -7046029254386353131_c_int64_t
  integer(c_int64_t), parameter :: mix1 = -4658895280553007687_c_int64_t
  integer(c_int64_t), parameter :: mix2 = -7723592293110705685_c_int64_t

  ! Where a piece reads x (array_kernel.h's array_source), passed as plain arguments: generated from
  ! seed (x and xt not read), or x[i][j] = x((i - row_begin) ldx + j) and x[j][i] = xt(j ldxt + i -
  ! row_begin) in memory. (No derived type: gfortran emits global helpers for one, which the paths'
  ! copies of this module would each define.)

contains

  ! SplitMix64's output function for counter k of the stream seeded s (native/common/splitmix.h).
  elemental integer(c_int64_t) function mix(s, k)
    integer(c_int64_t), intent(in) :: s, k
    integer(c_int64_t) :: z
    z = s + (k + 1) * golden
    z = ieor(z, shiftr(z, 30)) * mix1
    z = ieor(z, shiftr(z, 27)) * mix2
    mix = ieor(z, shiftr(z, 31))
  end function mix

  ! The spec's element: the top 53 bits of z as an integer below 2**53, exact in a double, times 2**-53.
  elemental real(c_double) function unit(z)
    integer(c_int64_t), intent(in) :: z
#if INTEROP_ISA_LEVEL == 2
    ! AVX2 has no vector conversion of 64-bit integers: z's top 52 bits under 1.0's exponent make
    ! the double 1 + f in [1, 2) exactly, taking 1 off is exact, and the 53rd bit (z's bit 11) adds 0
    ! or 2**-53. The result is representable, so the addition is exact: the same double as below.
    integer(c_int64_t), parameter :: one_bits = 4607182418800017408_c_int64_t ! 0x3FF0000000000000
    unit = (transfer(ior(shiftr(z, 12), one_bits), 1.0_c_double) - 1.0_c_double) &
           + merge(2.0_c_double**(-53), 0.0_c_double, btest(z, 11))
#else
    unit = real(shiftr(z, 11), c_double) * 2.0_c_double**(-53)
#endif
  end function unit

  ! buffer(c, r) = x[row0 + r][col0 + c] for r < rows, c < cols, from the generator: row r of the tile
  ! in buffer(:, r), as a row of x in memory.
  subroutine generate_tile(seed, n, row0, col0, rows, cols, buffer)
    integer(c_int64_t), intent(in) :: seed, n, row0, col0, rows, cols
    real(c_double), intent(out) :: buffer(0:tile - 1, 0:tile - 1)
    integer(c_int64_t) :: r, c, k
    do r = 0, rows - 1
      k = (row0 + r) * n + col0
      do c = 0, cols - 1
        buffer(c, r) = unit(mix(seed, k + c))
      end do
    end do
  end subroutine generate_tile

  ! turned(c, r) = src(off + c ld + r) for r < rows, c < cols: a tile read turned, from memory in one
  ! pass (array_c_kernel.c's transposed_load). Four rows of src at a time, each read along r, so that
  ! four columns of turned are filled per r. gfortran 12 turns no loop shape into the C kernel's
  ! 4 x 4 squares turned in registers (nor 4 x 4 squares written out, nor four rows interleaved
  ! through a buffer, which its vectorizer does with shuffles): it copies element by element or
  ! builds each 4-wide store from scalar loads, in about 1.4 times the C kernel's time a tile.
  subroutine turned_load(src, off, ld, rows, cols, turned)
    real(c_double), intent(in) :: src(0:*)
    integer(c_int64_t), intent(in) :: off, ld, rows, cols
    real(c_double), intent(out) :: turned(0:tile - 1, 0:tile - 1)
    integer(c_int64_t) :: c0, c, r, s0, s1, s2, s3
    do c0 = 0, cols - 4, 4
      s0 = off + c0 * ld
      s1 = s0 + ld
      s2 = s1 + ld
      s3 = s2 + ld
      do r = 0, rows - 1
        turned(c0, r) = src(s0 + r)
        turned(c0 + 1, r) = src(s1 + r)
        turned(c0 + 2, r) = src(s2 + r)
        turned(c0 + 3, r) = src(s3 + r)
      end do
    end do
    do c = cols - mod(cols, 4_c_int64_t), cols - 1
      s0 = off + c * ld
      do r = 0, rows - 1
        turned(c, r) = src(s0 + r)
      end do
    end do
  end subroutine turned_load

  ! rows x groups of eight columns of y: y[r][c] = (a(a_off + r a_ld + c) + t(c, r)) - m(m_off + c)
  ! for c < 8 groups, kept in y(y_off + r ldy + c), its sum and bit patterns added into eight lanes
  ! (column c into lane mod(c, 8), as array_c_kernel.c's y_row). A whole tile a call, not a row: the
  ! call costs once a tile.
  !
  ! While the tile is walked the sums are per column (sums(c), bits(c)), then folded into the lanes:
  ! the loop along c then has no reduction, and gfortran 12 vectorizes it with the tile's (at most
  ! four) vectors of sums in registers. With the sums in eight lanes inside the loop it must either
  ! add each lane in order, element by element (no reassociation without -ffast-math), or, where
  ! the loop along c is not vectorized, it vectorizes the stores and adds the lanes one by one. The
  ! columns past the whole groups are y_rest's, for the same reason.
  subroutine y_rows(a, a_off, a_ld, t, m, m_off, rows, groups, y, y_off, ldy, lanes, bit_lanes)
    real(c_double), intent(in) :: a(0:*), t(0:tile - 1, 0:tile - 1), m(0:*)
    integer(c_int64_t), intent(in) :: a_off, a_ld, m_off, rows, groups, y_off, ldy
    real(c_double), intent(inout) :: y(0:*)
    real(c_double), intent(inout) :: lanes(0:lane_count - 1)
    integer(c_int64_t), intent(inout) :: bit_lanes(0:lane_count - 1)
    real(c_double) :: v, sums(0:tile - 1)
    integer(c_int64_t) :: bits(0:tile - 1)
    integer(c_int64_t) :: r, c, ar, yr, cols
    cols = groups * lane_count
    sums(0:cols - 1) = 0
    bits(0:cols - 1) = 0
    do r = 0, rows - 1
      ar = a_off + r * a_ld
      yr = y_off + r * ldy
      do c = 0, cols - 1
        v = (a(ar + c) + t(c, r)) - m(m_off + c)
        y(yr + c) = v
        sums(c) = sums(c) + v
        bits(c) = bits(c) + transfer(v, 0_c_int64_t)
      end do
    end do
    call fold_lanes(sums, bits, cols, lanes, bit_lanes)
  end subroutine y_rows

  ! y_rows for y not kept: the same values into the same lanes, nothing stored.
  subroutine y_sums(a, a_off, a_ld, t, m, m_off, rows, groups, lanes, bit_lanes)
    real(c_double), intent(in) :: a(0:*), t(0:tile - 1, 0:tile - 1), m(0:*)
    integer(c_int64_t), intent(in) :: a_off, a_ld, m_off, rows, groups
    real(c_double), intent(inout) :: lanes(0:lane_count - 1)
    integer(c_int64_t), intent(inout) :: bit_lanes(0:lane_count - 1)
    real(c_double) :: v, sums(0:tile - 1)
    integer(c_int64_t) :: bits(0:tile - 1)
    integer(c_int64_t) :: r, c, ar, cols
    cols = groups * lane_count
    sums(0:cols - 1) = 0
    bits(0:cols - 1) = 0
    do r = 0, rows - 1
      ar = a_off + r * a_ld
      do c = 0, cols - 1
        v = (a(ar + c) + t(c, r)) - m(m_off + c)
        sums(c) = sums(c) + v
        bits(c) = bits(c) + transfer(v, 0_c_int64_t)
      end do
    end do
    call fold_lanes(sums, bits, cols, lanes, bit_lanes)
  end subroutine y_sums

  ! The per-column sums of y_rows and y_sums (cols a multiple of 8) into the eight lanes.
  subroutine fold_lanes(sums, bits, cols, lanes, bit_lanes)
    real(c_double), intent(in) :: sums(0:tile - 1)
    integer(c_int64_t), intent(in) :: bits(0:tile - 1), cols
    real(c_double), intent(inout) :: lanes(0:lane_count - 1)
    integer(c_int64_t), intent(inout) :: bit_lanes(0:lane_count - 1)
    integer(c_int64_t) :: c
    do c = 0, cols - 1, lane_count
      lanes = lanes + sums(c:c + lane_count - 1)
      bit_lanes = bit_lanes + bits(c:c + lane_count - 1)
    end do
  end subroutine fold_lanes

  ! The columns [first, cols) of y_rows' rows (fewer than eight, at the matrix's edge), into lane 0.
  subroutine y_rest(a, a_off, a_ld, t, m, m_off, rows, first, cols, keep, y, y_off, ldy, lanes, bit_lanes)
    real(c_double), intent(in) :: a(0:*), t(0:tile - 1, 0:tile - 1), m(0:*)
    integer(c_int64_t), intent(in) :: a_off, a_ld, m_off, rows, first, cols, y_off, ldy
    logical, intent(in) :: keep
    real(c_double), intent(inout) :: y(0:*)
    real(c_double), intent(inout) :: lanes(0:lane_count - 1)
    integer(c_int64_t), intent(inout) :: bit_lanes(0:lane_count - 1)
    real(c_double) :: v
    integer(c_int64_t) :: r, c
    do r = 0, rows - 1
      do c = first, cols - 1
        v = (a(a_off + r * a_ld + c) + t(c, r)) - m(m_off + c)
        if (keep) y(y_off + r * ldy + c) = v
        lanes(0) = lanes(0) + v
        bit_lanes(0) = bit_lanes(0) + transfer(v, 0_c_int64_t)
      end do
    end do
  end subroutine y_rest

  ! y_rows, y_sums and y_rest for rows x cols of y.
  subroutine y_part(a, a_off, a_ld, t, m, m_off, rows, cols, keep, y, y_off, ldy, lanes, bit_lanes)
    real(c_double), intent(in) :: a(0:*), t(0:tile - 1, 0:tile - 1), m(0:*)
    integer(c_int64_t), intent(in) :: a_off, a_ld, m_off, rows, cols, y_off, ldy
    logical, intent(in) :: keep
    real(c_double), intent(inout) :: y(0:*)
    real(c_double), intent(inout) :: lanes(0:lane_count - 1)
    integer(c_int64_t), intent(inout) :: bit_lanes(0:lane_count - 1)
    integer(c_int64_t) :: groups
    groups = cols / lane_count
    if (keep) then
      call y_rows(a, a_off, a_ld, t, m, m_off, rows, groups, y, y_off, ldy, lanes, bit_lanes)
    else
      call y_sums(a, a_off, a_ld, t, m, m_off, rows, groups, lanes, bit_lanes)
    end if
    if (groups * lane_count < cols) call y_rest(a, a_off, a_ld, t, m, m_off, rows, groups * lane_count, cols, keep, &
                                                y, y_off, ldy, lanes, bit_lanes)
  end subroutine y_part

  ! y's tile rows [ti, ti + rows) x columns [tj, tj + cols) from a(a_off + r a_ld + c) = x[ti + r][tj
  ! + c] and s(s_off + c s_ld + r) = x[tj + c][ti + r], read where they lie; with partner, also the
  ! transposed tile (rows [tj, tj + cols) x columns [ti, ti + rows)) from the same elements. Only the
  ! turned tiles are copies.
  subroutine y_tile(a, a_off, a_ld, s, s_off, s_ld, m, ti, tj, rows, cols, partner, keep, y, y_base, ldy, lanes, &
                    bit_lanes)
    real(c_double), intent(in) :: a(0:*), s(0:*), m(0:*)
    integer(c_int64_t), intent(in) :: a_off, a_ld, s_off, s_ld, ti, tj, rows, cols, y_base, ldy
    logical, intent(in) :: partner, keep
    real(c_double), intent(inout) :: y(0:*)
    real(c_double), intent(inout) :: lanes(0:lane_count - 1)
    integer(c_int64_t), intent(inout) :: bit_lanes(0:lane_count - 1)
    real(c_double) :: t(0:tile - 1, 0:tile - 1)
    ! y[ti + r][tj + c] = (x[ti + r][tj + c] + x[tj + c][ti + r]) - m[tj + c], along c.
    call turned_load(s, s_off, s_ld, rows, cols, t)
    call y_part(a, a_off, a_ld, t, m, tj, rows, cols, keep, y, y_base + ti * ldy + tj, ldy, lanes, bit_lanes)
    if (partner) then
      ! y[tj + c][ti + r] = (x[tj + c][ti + r] + x[ti + r][tj + c]) - m[ti + r], along r.
      call turned_load(a, a_off, a_ld, cols, rows, t)
      call y_part(s, s_off, s_ld, t, m, ti, cols, rows, keep, y, y_base + tj * ldy + ti, ldy, lanes, bit_lanes)
    end if
  end subroutine y_tile

  ! y's block rows [i0, i1) x columns [j0, j1); with pair, also the transposed block (rows [j0, j1) x
  ! columns [i0, i1)) from the same elements of x. Its sum and checksum into part_sum, part_bits.
  subroutine y_block(generated, seed, n, row_begin, x, ldx, xt, ldxt, m, i0, i1, j0, j1, pair, keep, y, ldy, &
                     part_sum, part_bits)
    logical, intent(in) :: generated, pair, keep
    integer(c_int64_t), intent(in) :: seed, n, row_begin, ldx, ldxt, i0, i1, j0, j1, ldy
    real(c_double), intent(in) :: x(0:*), xt(0:*), m(0:*)
    real(c_double), intent(inout) :: y(0:*)
    real(c_double), intent(out) :: part_sum
    integer(c_int64_t), intent(out) :: part_bits
    ! Generated x only: a(c, r) = x[ti + r][tj + c] and s(r, c) = x[tj + c][ti + r], laid out as
    ! rows of x in memory with a leading dimension of tile.
    real(c_double) :: a(0:tile - 1, 0:tile - 1), s(0:tile - 1, 0:tile - 1)
    real(c_double) :: lanes(0:lane_count - 1)
    integer(c_int64_t) :: bit_lanes(0:lane_count - 1)
    integer(c_int64_t) :: ti, tj, tj_first, rows, cols, y_base
    logical :: diagonal, partner

    lanes = 0
    bit_lanes = 0
    diagonal = pair .and. j0 == i0
    ! y[i][j] is y(y_base + i ldy + j).
    y_base = -row_begin * ldy
    do ti = i0, i1 - 1, tile
      rows = min(i1 - ti, tile)
      ! A diagonal tile of a pair is its own partner: walk only the tiles on and above it.
      tj_first = j0
      if (diagonal) tj_first = ti
      do tj = tj_first, j1 - 1, tile
        cols = min(j1 - tj, tile)
        partner = pair .and. .not. (diagonal .and. tj == ti)
        if (generated) then
          call generate_tile(seed, n, ti, tj, rows, cols, a)
          call generate_tile(seed, n, tj, ti, cols, rows, s)
          call y_tile(a, 0_c_int64_t, tile, s, 0_c_int64_t, tile, m, ti, tj, rows, cols, partner, keep, y, y_base, &
                      ldy, lanes, bit_lanes)
        else
          ! x[tj + c][ti + r] from the transposed columns (the rows of x themselves when xt is x).
          call y_tile(x, (ti - row_begin) * ldx + tj, ldx, xt, tj * ldxt + (ti - row_begin), ldxt, m, ti, tj, rows, &
                      cols, partner, keep, y, y_base, ldy, lanes, bit_lanes)
        end if
      end do
    end do
    part_sum = sum(lanes)
    part_bits = sum(bit_lanes)
  end subroutine y_block

  ! out(c) = the sum over rows [first, first + rows) of x[i][col_begin + c], in row order from 0.
  subroutine column_sums(generated, seed, n, row_begin, x, ldx, first, rows, col_begin, col_end, out)
    logical, intent(in) :: generated
    integer(c_int64_t), intent(in) :: seed, n, row_begin, ldx, first, rows, col_begin, col_end
    real(c_double), intent(in) :: x(0:*)
    real(c_double), intent(out) :: out(0:*)
    integer(c_int64_t) :: i, c, cols, k, off
    cols = col_end - col_begin
    out(0:cols - 1) = 0
    do i = first, first + rows - 1
      if (generated) then
        k = i * n + col_begin
        do c = 0, cols - 1
          out(c) = out(c) + unit(mix(seed, k + c))
        end do
      else
        off = (i - row_begin) * ldx + col_begin
        do c = 0, cols - 1
          out(c) = out(c) + x(off + c)
        end do
      end if
    end do
  end subroutine column_sums

  ! Block row or column b of the global grid of chunk x chunk blocks, clipped to [lo, hi).
  pure subroutine block_range(b, chunk, lo, hi, first, last)
    integer(c_int64_t), intent(in) :: b, chunk, lo, hi
    integer(c_int64_t), intent(out) :: first, last
    first = max(b * chunk, lo)
    last = min(b * chunk + chunk, hi)
  end subroutine block_range

  ! interop_array.h's statuses -1 .. -7 for the arguments, in the C kernel's order; 0 if all are fine.
  integer(c_int32_t) function check_arguments(pass, n, chunk, row_begin, row_end, x_ptr, ldx, xt_ptr, ldxt, &
                                              m_ptr, out_ptr, ldout, sum_ptr, checksum_ptr, threads) result(status)
    integer(c_int32_t), intent(in) :: pass, threads
    integer(c_int64_t), intent(in) :: n, chunk, row_begin, row_end, ldx, ldxt, ldout
    type(c_ptr), intent(in) :: x_ptr, xt_ptr, m_ptr, out_ptr, sum_ptr, checksum_ptr
    logical :: given_x, y_pass

    given_x = c_associated(x_ptr)
    y_pass = pass == pass_y
    status = 0
    if (pass /= pass_column_sums .and. .not. y_pass .and. pass /= pass_generate) then
      status = -1
    else if (n < 1) then
      status = -2
    else if (chunk < 1 .or. chunk > n) then
      status = -3
    else if (row_begin < 0 .or. row_begin > row_end .or. row_end > n) then
      status = -4
    else if (pass == pass_column_sums .and. (mod(row_begin, tile_rows) /= 0 .or. &
                                             (mod(row_end, tile_rows) /= 0 .and. row_end /= n))) then
      status = -4
    else if ((given_x .and. ldx < n) .or. (y_pass .and. given_x .and. ldxt < row_end - row_begin) .or. &
             ((c_associated(out_ptr) .or. .not. y_pass) .and. ldout < n)) then
      status = -5
    else if (y_pass .and. ((given_x .and. .not. c_associated(xt_ptr)) .or. .not. c_associated(m_ptr) .or. &
                           .not. c_associated(sum_ptr) .or. .not. c_associated(checksum_ptr))) then
      status = -6
    else if (.not. y_pass .and. .not. c_associated(out_ptr)) then
      status = -6
    else if (pass == pass_generate .and. given_x) then
      status = -6
    else if (threads < 1) then
      status = -7
    end if
  end function check_arguments

  ! interop_array.h's contract: one pass over rows [row_begin, row_end) on exactly `threads` threads.
  ! C pointers rather than arrays, so that NULL is reported, not dereferenced; seed is C's uint64_t,
  ! the same bits.
  function INTEROP_FORTRAN_ARRAY(pass, n, chunk, seed, row_begin, row_end, x_ptr, ldx, xt_ptr, ldxt, m_ptr, &
                                 out_ptr, ldout, sum_ptr, checksum_ptr, threads) result(status) bind(C)
    integer(c_int32_t), value, intent(in) :: pass, threads
    integer(c_int64_t), value, intent(in) :: n, chunk, seed, row_begin, row_end, ldx, ldxt, ldout
    type(c_ptr), value, intent(in) :: x_ptr, xt_ptr, m_ptr, out_ptr, sum_ptr, checksum_ptr
    integer(c_int32_t) :: status
    ! Contiguous: sections of them are passed to the pieces without a copy.
    real(c_double), pointer, contiguous :: x(:), xt(:), m(:), out(:)
    real(c_double), pointer :: total_out
    integer(c_int64_t), pointer :: checksum_out
    ! What x, xt or out point at when the pass reads or writes none (generated x, y not kept).
    real(c_double), target :: nothing(1)
    integer(c_int64_t), allocatable :: pairs(:, :)
    integer(c_int64_t) :: rows, blocks, first_block, block_rows, pieces, p, bi, bj, i0, i1, j0, j1
    integer(c_int64_t) :: tiles, stripes, t, s, first, tile_count, c0, c1, b, part_bits, bits, r, j, k
    integer :: alloc_status
    real(c_double) :: part_sum, total
    logical :: generated, pair, keep

    status = check_arguments(pass, n, chunk, row_begin, row_end, x_ptr, ldx, xt_ptr, ldxt, m_ptr, out_ptr, ldout, &
                             sum_ptr, checksum_ptr, threads)
    if (status /= 0) return
    nothing = 0
    rows = row_end - row_begin
    generated = .not. c_associated(x_ptr)
    x => nothing
    xt => nothing
    out => nothing
    if (.not. generated .and. rows > 0) call c_f_pointer(x_ptr, x, [(rows - 1) * ldx + n])

    select case (pass)
    case (pass_y)
      if (.not. generated) call c_f_pointer(xt_ptr, xt, [(n - 1) * ldxt + max(rows, 1_c_int64_t)])
      call c_f_pointer(m_ptr, m, [n])
      keep = c_associated(out_ptr)
      if (keep .and. rows > 0) call c_f_pointer(out_ptr, out, [(rows - 1) * ldout + n])
      blocks = (n + chunk - 1) / chunk
      first_block = row_begin / chunk
      block_rows = 0
      if (rows > 0) block_rows = (row_end - 1) / chunk + 1 - first_block
      ! A block and its transposed partner together when both are this call's and x is read from
      ! one place: every element of x then read (or generated) once.
      pair = row_begin == 0 .and. row_end == n .and. &
             (generated .or. (c_associated(xt_ptr, x_ptr) .and. ldxt == ldx))
      if (pair) then
        pieces = blocks * (blocks + 1) / 2
        allocate (pairs(2, pieces), stat=alloc_status)
        if (alloc_status /= 0) then
          status = status_no_memory
          return
        end if
        p = 0
        do bi = 0, blocks - 1
          do bj = bi, blocks - 1
            p = p + 1
            pairs(:, p) = [bi, bj]
          end do
        end do
      else
        pieces = block_rows * blocks
      end if
      total = 0
      bits = 0
      !$omp parallel do num_threads(threads) schedule(dynamic, 1) default(none) &
      !$omp   shared(generated, seed, n, row_begin, row_end, x, ldx, xt, ldxt, m, out, ldout, pairs, pair, keep, &
      !$omp          pieces, blocks, first_block, chunk) &
      !$omp   private(bi, bj, i0, i1, j0, j1, part_sum, part_bits) reduction(+:total, bits)
      do p = 0, pieces - 1
        if (pair) then
          bi = pairs(1, p + 1)
          bj = pairs(2, p + 1)
        else
          bi = first_block + p / blocks
          bj = mod(p, blocks)
        end if
        call block_range(bi, chunk, row_begin, row_end, i0, i1)
        call block_range(bj, chunk, 0_c_int64_t, n, j0, j1)
        call y_block(generated, seed, n, row_begin, x, ldx, xt, ldxt, m, i0, i1, j0, j1, pair, keep, out, ldout, &
                     part_sum, part_bits)
        total = total + part_sum
        bits = bits + part_bits
      end do
      !$omp end parallel do
      call c_f_pointer(sum_ptr, total_out)
      call c_f_pointer(checksum_ptr, checksum_out)
      total_out = total
      checksum_out = bits

    case (pass_column_sums)
      tiles = (rows + tile_rows - 1) / tile_rows
      stripes = (n + sum_stripe - 1) / sum_stripe
      if (tiles > 0) call c_f_pointer(out_ptr, out, [(tiles - 1) * ldout + n])
      !$omp parallel do num_threads(threads) schedule(dynamic, 1) default(none) &
      !$omp   shared(generated, seed, n, row_begin, row_end, x, ldx, out, ldout, tiles, stripes) &
      !$omp   private(t, s, first, tile_count, c0, c1)
      do p = 0, tiles * stripes - 1
        t = p / stripes
        s = mod(p, stripes)
        first = row_begin + t * tile_rows
        tile_count = min(row_end - first, tile_rows)
        c0 = s * sum_stripe
        c1 = min(c0 + sum_stripe, n)
        call column_sums(generated, seed, n, row_begin, x, ldx, first, tile_count, c0, c1, out(t * ldout + c0 + 1:))
      end do
      !$omp end parallel do

    case (pass_generate)
      ! Blocks of rows, whole rows each.
      if (rows > 0) call c_f_pointer(out_ptr, out, [(rows - 1) * ldout + n])
      block_rows = (rows + chunk - 1) / chunk
      !$omp parallel do num_threads(threads) schedule(dynamic, 1) default(none) &
      !$omp   shared(out, block_rows, chunk, row_begin, row_end, n, seed, ldout) private(first, r, j, k)
      do b = 0, block_rows - 1
        first = row_begin + b * chunk
        do r = first, min(first + chunk, row_end) - 1
          k = (r - row_begin) * ldout
          do j = 0, n - 1
            out(k + j + 1) = unit(mix(seed, r * n + j))
          end do
        end do
      end do
      !$omp end parallel do
    end select
  end function INTEROP_FORTRAN_ARRAY

end module interop_array_fortran
