// Internal: what the per-path EP objects (ep_kernels.cpp, compiled once per instruction-set path) offer
// the export. Plain data and functions only, for the reason src/isa_kernels.hpp gives: nothing inline
// may be shared between the copies of different paths.
#ifndef INTEROP_CPP_EP_KERNELS_HPP
#define INTEROP_CPP_EP_KERNELS_HPP

#include <stdint.h>

namespace interop_cpp {

// The counts of EP: the annuli 0..9, then the deviates past annulus 9 (or not a number), which make
// the export fail with status 1.
constexpr int ep_annuli = 10;
constexpr int ep_count_slots = ep_annuli + 1;

// One path's EP kernel.
struct EpKernels {
    int32_t isa;  // INTEROP_ISA_*
    // The batches [first, first + batches) on the calling thread: their four sums each into
    // sums[4j + 0..3], their counts added to counts[0..ep_count_slots).
    void (*run_batches)(int64_t first, int64_t batches, double *sums, int64_t *counts);
};

namespace isa_scalar {
extern const EpKernels ep_kernels;
}
#if defined(INTEROP_HAVE_X86_ISAS)
namespace isa_avx2 {
extern const EpKernels ep_kernels;
}
namespace isa_avx512 {
extern const EpKernels ep_kernels;
}
#endif

}  // namespace interop_cpp

#endif
