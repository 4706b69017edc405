// The exported C ABI of libinterop_cpp (native/include/interop_cpp.h): argument checks, the choice of
// the instruction-set path, the std::thread split of pi, the plan handles, and the guard that keeps
// every C++ exception on this side of the boundary.
#include "interop_cpp.h"

#include "cpu_runs.h"

#include "guard.hpp"
#include "inverse_plan.hpp"
#include "isa_kernels.hpp"
#include "team.hpp"
#include "test_hooks.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

// The opaque handle of the header is the plan itself.
struct interop_cpp_inv_plan : interop_cpp::InversePlan {
    using InversePlan::InversePlan;
};

namespace interop_cpp
{

namespace
{

// ---- Paths: as native/src/isa.c, for this library's kernel copies. ----

const IsaKernels *const paths[] = {
    &isa_scalar::kernels,
#if defined(INTEROP_HAVE_X86_ISAS)
    &isa_avx2::kernels,
    &isa_avx512::kernels,
#endif
};
constexpr int path_count = static_cast<int>(sizeof paths / sizeof *paths);

// INTEROP_ISA_AUTO, or the path interop_cpp_isa_select forced.
std::atomic<std::int32_t> forced{INTEROP_ISA_AUTO};

bool in_build(std::int32_t isa)
{
    for (const IsaKernels *p : paths)
        if (p->isa == isa)
            return true;
    return false;
}

// ---- The last error of each thread (guard.hpp keeps it). ----

thread_local std::string last_error;

// Part `index` of `parts` of [begin, end): the remainder spread one each over the first parts
// (interop_split in native/common/splitmix.h, so that every thread count splits as C's).
void split(std::int64_t begin, std::int64_t end, std::int64_t parts, std::int64_t index,
           std::int64_t &part_begin, std::int64_t &part_end)
{
    const std::int64_t n = end - begin, q = n / parts, r = n % parts;
    part_begin = begin + index * q + (index < r ? index : r);
    part_end = part_begin + q + (index < r ? 1 : 0);
}

} // namespace

void remember(const char *message) noexcept
{
    try {
        last_error.assign(message);
    } catch (...) {
        // No memory for the message: it is lost (interop_cpp_last_error then returns 0).
        last_error.clear();
    }
}

const IsaKernels &active_kernels()
{
    const std::int32_t want = forced.load(std::memory_order_relaxed);
    for (int i = path_count; i-- > 0;)
        if (want == INTEROP_ISA_AUTO ? interop_cpu_runs(paths[i]->isa) : paths[i]->isa == want)
            return *paths[i];
    return *paths[0];
}

const IsaKernels *const *all_kernels(int *count)
{
    *count = path_count;
    return paths;
}

#if defined(INTEROP_CPP_TEST_HOOKS)
namespace test
{
namespace
{
thread_local const char *armed = nullptr;
}
void throw_on_next_call(const char *message)
{
    armed = message;
}
void maybe_throw()
{
    if (const char *message = armed) {
        armed = nullptr;
        throw std::runtime_error(message);
    }
}
} // namespace test
#endif

} // namespace interop_cpp

using namespace interop_cpp;

extern "C" {

INTEROP_EXPORT int32_t interop_cpp_abi_version(void)
{
    return INTEROP_CPP_ABI_VERSION;
}

INTEROP_EXPORT int32_t interop_cpp_isa_supported(int32_t isa)
{
    if (isa < INTEROP_ISA_AUTO || isa > INTEROP_ISA_AVX512)
        return -1;
    return isa == INTEROP_ISA_AUTO || (in_build(isa) && interop_cpu_runs(isa)) ? 1 : 0;
}

INTEROP_EXPORT int32_t interop_cpp_isa_select(int32_t isa)
{
    const int32_t supported = interop_cpp_isa_supported(isa);
    if (supported < 0)
        return -1;
    if (supported == 0)
        return 1;
    forced.store(isa, std::memory_order_relaxed);
    return 0;
}

INTEROP_EXPORT int32_t interop_cpp_isa_active(void)
{
    return active_kernels().isa;
}

INTEROP_EXPORT int32_t interop_cpp_last_error(char *buffer, int32_t capacity)
{
    const std::string &message = last_error;
    if (buffer != nullptr && capacity >= 1) {
        const std::size_t copied = std::min(message.size(), static_cast<std::size_t>(capacity) - 1);
        std::memcpy(buffer, message.data(), copied);
        buffer[copied] = '\0';
    }
    // A message longer than 2 GiB cannot be reported whole; what() never is.
    return static_cast<int32_t>(std::min<std::size_t>(message.size(), INT32_MAX));
}

INTEROP_EXPORT int32_t interop_pi_count_cpp(uint64_t seed, int64_t begin, int64_t end, int32_t threads,
                                            int64_t *inside)
{
    if (begin < 0)
        return -2;
    if (end < begin)
        return -3;
    if (threads < 1)
        return -4;
    if (inside == nullptr)
        return -5;
    return guarded([&]() -> int32_t {
        uint64_t (*const count)(uint64_t, uint64_t, uint64_t) = active_kernels().pi_range;
        if (threads == 1) {
            *inside =
                static_cast<int64_t>(count(seed, static_cast<uint64_t>(begin), static_cast<uint64_t>(end)));
            return 0;
        }
        // One counter per thread, a cache line apart, summed at the end (C: an OpenMP reduction).
        struct alignas(64) Part {
            uint64_t inside;
        };
        std::vector<Part> parts(static_cast<std::size_t>(threads));
        auto body = [&](int t) {
            int64_t part_begin, part_end;
            split(begin, end, threads, t, part_begin, part_end);
            parts[static_cast<std::size_t>(t)].inside =
                count(seed, static_cast<uint64_t>(part_begin), static_cast<uint64_t>(part_end));
        };
        run_on_threads(threads, body);
        uint64_t total = 0;
        for (const Part &p : parts)
            total += p.inside;
        *inside = static_cast<int64_t>(total);
        return 0;
    });
}

INTEROP_EXPORT int32_t interop_cpp_inv_plan_create(int64_t n, int32_t threads, interop_cpp_inv_plan **plan)
{
    if (plan != nullptr)
        *plan = nullptr;
    if (n < 1)
        return -1;
    if (threads < 1)
        return -2;
    if (plan == nullptr)
        return -3;
    return guarded([&]() -> int32_t {
        *plan = new interop_cpp_inv_plan(n, threads);
        return 0;
    });
}

INTEROP_EXPORT int32_t interop_cpp_inv_plan_run(interop_cpp_inv_plan *plan, double *a)
{
    if (plan == nullptr)
        return -1;
    if (a == nullptr)
        return -2;
    return guarded([&] { return plan->run(a); });
}

INTEROP_EXPORT void interop_cpp_inv_plan_destroy(interop_cpp_inv_plan *plan)
{
    // Joining the team's threads cannot throw here (they are joinable and not this thread).
    delete plan;
}

INTEROP_EXPORT int32_t interop_inv_cpp(int64_t n, double *a, int32_t threads)
{
    if (n < 1)
        return -1;
    if (a == nullptr)
        return -2;
    if (threads < 1)
        return -3;
    return guarded([&]() -> int32_t {
        interop_cpp_inv_plan plan(n, threads);
        return plan.run(a);
    });
}

} // extern "C"
