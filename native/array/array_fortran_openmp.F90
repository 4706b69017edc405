! The array workload in Fortran with OpenMP: the fortran-openmp backend's y = x + xT - mean(x, axis 0)
! (native/include/interop_array.h, docs/workload-spec.md "The chunked-array example").
!
! Compiled once per instruction-set path (src/isa.h): CMake names the bind(C) function
! (interop_array_fortran_avx2, ...) and array_entry.c's exported interop_array_fortran calls the one
! of the path in use. The whole contract is here, as the C kernel's (array_entry.c and
! array_c_kernel.c): the same argument statuses, the same pieces of work taken by an OpenMP team
! with schedule(dynamic, 1), the same square tiles for the transposed reads and a block taken with
! its transposed partner when x is one array or generated.
!
! x is row-major (C's layout): element x[i][j] of rows starting at row_begin is x(off + j) with
! off = (i - row_begin) ldx, so every inner loop below runs along j, contiguous, and a tile buffer
! holds a row of x in its first index. No reassociation: y[i][j] = (x[i][j] + x[j][i]) - m[j] and the
! column sums' row order are kept exactly (-ffp-contract=off, no -ffast-math: native/array/
! CMakeLists.txt); only the order of y's sum (a check) is the kernel's: one lane per column of a tile. The
! checksum adds the bit patterns of y as integer(c_int64_t), whose two's-complement additions are
! the sum modulo 2**64 (-fwrapv); SplitMix64 likewise (shiftr is the logical shift).
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

  ! buffer(c, r) = x[row0 + r][col0 + c] for r < rows, c < cols, from memory or the generator: row r
  ! of the tile in buffer(:, r).
  subroutine load_tile(generated, seed, n, row_begin, x, ldx, row0, col0, rows, cols, buffer)
    logical, intent(in) :: generated
    integer(c_int64_t), intent(in) :: seed, n, row_begin, ldx, row0, col0, rows, cols
    real(c_double), intent(in) :: x(0:*)
    real(c_double), intent(out) :: buffer(0:tile - 1, 0:tile - 1)
    integer(c_int64_t) :: r, c, k, off
    do r = 0, rows - 1
      if (generated) then
        k = (row0 + r) * n + col0
        do c = 0, cols - 1
          buffer(c, r) = unit(mix(seed, k + c))
        end do
      else
        off = (row0 + r - row_begin) * ldx + col0
        buffer(0:cols - 1, r) = x(off:off + cols - 1)
      end if
    end do
  end subroutine load_tile

  ! buffer(r, c) = x[col0 + c][row0 + r]: the transposed partner's rows of x, from xt (or the
  ! generator) along contiguous memory.
  subroutine load_partner_rows(generated, seed, n, row_begin, xt, ldxt, row0, col0, rows, cols, buffer)
    logical, intent(in) :: generated
    integer(c_int64_t), intent(in) :: seed, n, row_begin, ldxt, row0, col0, rows, cols
    real(c_double), intent(in) :: xt(0:*)
    real(c_double), intent(out) :: buffer(0:tile - 1, 0:tile - 1)
    integer(c_int64_t) :: r, c, k, off
    do c = 0, cols - 1
      if (generated) then
        k = (col0 + c) * n + row0
        do r = 0, rows - 1
          buffer(r, c) = unit(mix(seed, k + r))
        end do
      else
        off = (col0 + c) * ldxt + (row0 - row_begin)
        buffer(0:rows - 1, c) = xt(off:off + rows - 1)
      end if
    end do
  end subroutine load_partner_rows

  ! turned(c, r) = buffer(r, c) for r < rows, c < cols.
  subroutine turn(buffer, rows, cols, turned)
    real(c_double), intent(in) :: buffer(0:tile - 1, 0:tile - 1)
    integer(c_int64_t), intent(in) :: rows, cols
    real(c_double), intent(out) :: turned(0:tile - 1, 0:tile - 1)
    integer(c_int64_t) :: r, c
    do r = 0, rows - 1
      do c = 0, cols - 1
        turned(c, r) = buffer(r, c)
      end do
    end do
  end subroutine turn

  ! A segment of y's row: (a + t) - m(0:cols - 1), kept in y(off:off + cols - 1) if keep, its values
  ! added into one sum lane and one bit-pattern lane per column.
  subroutine y_row(a, t, m, cols, keep, y, off, lanes, bit_lanes)
    real(c_double), intent(in) :: a(0:tile - 1), t(0:tile - 1), m(0:*)
    integer(c_int64_t), intent(in) :: cols, off
    logical, intent(in) :: keep
    real(c_double), intent(inout) :: y(0:*)
    real(c_double), intent(inout) :: lanes(0:tile - 1)
    integer(c_int64_t), intent(inout) :: bit_lanes(0:tile - 1)
    real(c_double) :: row(0:tile - 1)
    integer(c_int64_t) :: c
    do c = 0, cols - 1
      row(c) = (a(c) + t(c)) - m(c)
    end do
    do c = 0, cols - 1
      lanes(c) = lanes(c) + row(c)
      bit_lanes(c) = bit_lanes(c) + transfer(row(c), 0_c_int64_t)
    end do
    if (keep) y(off:off + cols - 1) = row(0:cols - 1)
  end subroutine y_row

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
    ! a(c, r) = x[ti + r][tj + c]; partner(r, c) = x[tj + c][ti + r]; t the partner turned to a's
    ! shape; a_turned the tile turned to the partner's.
    real(c_double) :: a(0:tile - 1, 0:tile - 1), partner(0:tile - 1, 0:tile - 1)
    real(c_double) :: t(0:tile - 1, 0:tile - 1), a_turned(0:tile - 1, 0:tile - 1)
    real(c_double) :: lanes(0:tile - 1)
    integer(c_int64_t) :: bit_lanes(0:tile - 1)
    integer(c_int64_t) :: ti, tj, tj_first, rows, cols, r, c, off
    logical :: diagonal

    lanes = 0
    bit_lanes = 0
    diagonal = pair .and. j0 == i0
    do ti = i0, i1 - 1, tile
      rows = min(i1 - ti, tile)
      ! A diagonal tile of a pair is its own partner: walk only the tiles on and above it.
      tj_first = j0
      if (diagonal) tj_first = ti
      do tj = tj_first, j1 - 1, tile
        cols = min(j1 - tj, tile)
        call load_tile(generated, seed, n, row_begin, x, ldx, ti, tj, rows, cols, a)
        call load_partner_rows(generated, seed, n, row_begin, xt, ldxt, ti, tj, rows, cols, partner)
        call turn(partner, rows, cols, t)
        do r = 0, rows - 1
          off = (ti + r - row_begin) * ldy + tj
          call y_row(a(:, r), t(:, r), m(tj), cols, keep, y, off, lanes, bit_lanes)
        end do
        if (pair .and. .not. (diagonal .and. tj == ti)) then
          ! The partner tile, rows tj.. and columns ti..: y[tj + c][ti + r] = (x[tj + c][ti + r] +
          ! x[ti + r][tj + c]) - m[ti + r], along r.
          call turn(a, cols, rows, a_turned)
          do c = 0, cols - 1
            off = (tj + c - row_begin) * ldy + ti
            call y_row(partner(:, c), a_turned(:, c), m(ti), rows, keep, y, off, lanes, bit_lanes)
          end do
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
