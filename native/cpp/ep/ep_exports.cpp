// The export interop_ep_cpp (interop_ep.h): the argument checks, the path (the one the library's
// interop_cpp_isa_select chose for all its kernels), and whole batches per std::thread.
#include "interop_cpp.h"
#include "interop_ep.h"

#include "ep_kernels.hpp"
#include "guard.hpp"
#include "isa_kernels.hpp"
#include "splitmix.h"
#include "team.hpp"

#include <cstdint>
#include <vector>

namespace interop_cpp {
namespace {

const EpKernels *const ep_paths[] = {
    &isa_scalar::ep_kernels,
#if defined(INTEROP_HAVE_X86_ISAS)
    &isa_avx2::ep_kernels,
    &isa_avx512::ep_kernels,
#endif
};

const EpKernels &active_ep_kernels()
{
    const std::int32_t isa = active_kernels().isa;
    for (const EpKernels *p : ep_paths)
        if (p->isa == isa)
            return *p;
    return *ep_paths[0];
}

// Batches within the generator's period: 2^(M+1) randoms for M <= 43 is at most 2^44.
constexpr std::int64_t ep_max_batches = std::int64_t{1} << 27;

}  // namespace
}  // namespace interop_cpp

using namespace interop_cpp;

extern "C" INTEROP_EXPORT int32_t interop_ep_cpp(int64_t first_batch, int64_t batches, int32_t threads,
                                                 double *batch_sums, int64_t *counts)
{
    if (first_batch < 0)
        return -1;
    if (batches < 0)
        return -2;
    if (threads < 1)
        return -3;
    if (batch_sums == nullptr)
        return -4;
    if (counts == nullptr)
        return -5;
    if (batches > ep_max_batches - first_batch)
        return -6;
    return guarded([&]() -> int32_t {
        const EpKernels &kernels = active_ep_kernels();
        // Each thread's counts, a cache line apart, added at the end (integers: in any order).
        struct alignas(64) Part {
            int64_t counts[ep_count_slots];
        };
        std::vector<Part> parts(static_cast<std::size_t>(threads));
        auto body = [&](int t) {
            int64_t begin, end;
            interop_split(first_batch, first_batch + batches, threads, t, &begin, &end);
            kernels.run_batches(begin, end - begin, batch_sums + 4 * (begin - first_batch),
                                parts[static_cast<std::size_t>(t)].counts);
        };
        run_on_threads(threads, body);
        int64_t total[ep_count_slots] = {};
        for (const Part &part : parts)
            for (int l = 0; l < ep_count_slots; ++l)
                total[l] += part.counts[l];
        for (int l = 0; l < ep_annuli; ++l)
            counts[l] = total[l];
        return total[ep_annuli] > 0 ? 1 : 0;
    });
}
