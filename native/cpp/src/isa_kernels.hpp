// Internal: what the per-path kernel objects (kernels.cpp, compiled once per instruction-set path)
// offer the rest of the library. Not part of the exported ABI.
//
// kernels.cpp is compiled with each path's -march (CMake: INTEROP_ISA_<path>_FLAGS) and must not
// share a single inline function or template instantiation with the code around it: the linker keeps
// one copy of such a function for the whole library, and if that copy were the AVX-512 one the scalar
// path would die of SIGILL on a CPU without it. So this header declares plain data and functions
// only (nothing inline), kernels.cpp keeps everything in an anonymous namespace inside its path's
// namespace, and it calls no templates of the standard library.
#ifndef INTEROP_CPP_ISA_KERNELS_HPP
#define INTEROP_CPP_ISA_KERNELS_HPP

#include <stdint.h>

namespace interop_cpp {

// The GEMM block sizes of one path (see kernels.cpp): the plan sizes its packing buffers for the
// largest over the paths, so that a plan made before interop_cpp_isa_select runs on any path.
struct Blocking {
    int64_t mr, nr, kc, mc, nc, nb;
};

// The barrier of the team that runs an inversion (team.cpp).
class Barrier;
void barrier_wait(Barrier &barrier);

// One inversion in progress: the plan's workspace and the state its threads share. Filled by
// InversePlan::run before the team starts; the counters of the dynamically shared loops start at 0.
struct InverseWork {
    int64_t n;
    double *a;
    int threads;
    double threshold;    // n * 2^-52 * max |b_ij| over the finite elements of B, A equilibrated
    int64_t *ipiv;       // n: the pivot row of each step
    int64_t *perm;       // n
    double *x;           // n * n: the inverse in the making, column-major
    double *inv_l;       // blocks * nb * nb: inv(L11) of each diagonal block
    double *inv_u;       // blocks * nb * nb: inv(U11) of each diagonal block
    double *const *pack_a;  // per thread, mc * kc, 64-byte aligned
    double *const *pack_b;  // per thread, kc * min(nc, n rounded up to nr), 64-byte aligned
    Barrier *barrier;
    int32_t status;          // written by thread 0 only, read by all after a barrier
    int64_t next_tile;       // the transpose's next tile column
    int64_t next_swap;       // the deferred swaps' next column chunk
    int64_t next_block;      // the next diagonal block to invert
};

// One path's kernels.
struct IsaKernels {
    int32_t isa;  // INTEROP_ISA_*
    Blocking blocking;
    // The pi darts in [begin, end) inside the quarter circle, on the calling thread.
    uint64_t (*pi_range)(uint64_t seed, uint64_t begin, uint64_t end);
    // Thread `thread` of work.threads: its share of the whole inversion, barriers included.
    void (*inverse_thread)(InverseWork &work, int thread);
};

namespace isa_scalar {
extern const IsaKernels kernels;
}
#if defined(INTEROP_HAVE_X86_ISAS)
namespace isa_avx2 {
extern const IsaKernels kernels;
}
namespace isa_avx512 {
extern const IsaKernels kernels;
}
#endif

// The kernels of the path in use (interop_cpp_isa_select, else the best this CPU has).
const IsaKernels &active_kernels();

// Every path this build has (for the workspace sizes), and how many.
const IsaKernels *const *all_kernels(int *count);

}  // namespace interop_cpp

#endif
