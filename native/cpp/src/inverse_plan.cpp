#include "inverse_plan.hpp"

#include "equilibrate.h"
#include "interop.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <stdexcept>

namespace interop_cpp {

namespace {

// count * size rounded up to 64 bytes, or std::bad_alloc if that is beyond the address space.
std::size_t aligned_bytes(std::uint64_t count, std::size_t size)
{
    const std::uint64_t limit = (std::numeric_limits<std::size_t>::max() - 63) / size;
    if (count > limit)
        throw std::bad_alloc();
    std::size_t bytes = (static_cast<std::size_t>(count) * size + 63) / 64 * 64;
    return bytes > 0 ? bytes : 64;
}

// n * n without overflow, or std::bad_alloc (no such buffer can exist).
std::uint64_t squared(std::int64_t n)
{
    const auto u = static_cast<std::uint64_t>(n);
    if (u > std::numeric_limits<std::uint32_t>::max())
        throw std::bad_alloc();
    return u * u;
}

}  // namespace

template <class T>
AlignedArray<T>::AlignedArray(std::uint64_t count)
    : data_(static_cast<T *>(std::aligned_alloc(64, aligned_bytes(count, sizeof(T)))))
{
    if (!data_)
        throw std::bad_alloc();
}

InversePlan::InversePlan(std::int64_t n, int threads) : n_(n), threads_(threads), barrier_(threads)
{
    // Packing buffers for the largest blocks of any path: the path is chosen at each run.
    int count = 0;
    const IsaKernels *const *paths = all_kernels(&count);
    std::int64_t pack_a = 0, pack_b = 0, nb = 0;
    for (int p = 0; p < count; ++p) {
        const Blocking &b = paths[p]->blocking;
        pack_a = std::max(pack_a, b.mc * b.kc);
        pack_b = std::max(pack_b, b.kc * std::min(b.nc, (n + b.nr - 1) / b.nr * b.nr));
        nb = std::max(nb, b.nb);
    }
    const auto blocks = static_cast<std::uint64_t>((n + nb - 1) / nb);
    ipiv_ = AlignedArray<std::int64_t>(static_cast<std::uint64_t>(n));
    perm_ = AlignedArray<std::int64_t>(static_cast<std::uint64_t>(n));
    x_ = AlignedArray<double>(squared(n));
    inv_l_ = AlignedArray<double>(blocks * squared(nb));
    inv_u_ = AlignedArray<double>(blocks * squared(nb));
    scales_ = AlignedArray<double>(2 * static_cast<std::uint64_t>(n));
    pack_a_.reserve(static_cast<std::size_t>(threads));
    pack_b_.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
        pack_a_.emplace_back(static_cast<std::uint64_t>(pack_a));
        pack_b_.emplace_back(static_cast<std::uint64_t>(pack_b));
        pack_a_pointers_.push_back(pack_a_.back().get());
        pack_b_pointers_.push_back(pack_b_.back().get());
    }
    // Last: the threads start once the workspace exists.
    team_ = std::make_unique<ThreadTeam>(threads);
}

void InversePlan::run_thread(void *context, int thread)
{
    auto *plan = static_cast<InversePlan *>(context);
    plan->kernels_->inverse_thread(plan->work_, thread);
}

std::int32_t InversePlan::run(double *a)
{
    bool idle = false;
    if (!running_.compare_exchange_strong(idle, true, std::memory_order_acquire))
        throw std::logic_error("interop_cpp_inv_plan_run: this plan is already running an inversion on another thread");
    struct Release {
        std::atomic<bool> &running;
        ~Release() { running.store(false, std::memory_order_release); }
    } release{running_};

    kernels_ = &active_kernels();
    work_ = InverseWork{};
    work_.n = n_;
    work_.a = a;
    work_.threads = threads_;
    // The kernel factors B = diag(r) A diag(c), equilibrated by powers of two, and judges its pivots
    // on B (native/common/equilibrate.h): the threshold is n * 2^-52 * max|b_ij|.
    int scaled = 0;
    work_.threshold = interop_equilibrate(n_, a, scales_.get(), &scaled);
    work_.ipiv = ipiv_.get();
    work_.perm = perm_.get();
    work_.x = x_.get();
    work_.inv_l = inv_l_.get();
    work_.inv_u = inv_u_.get();
    work_.pack_a = pack_a_pointers_.data();
    work_.pack_b = pack_b_pointers_.data();
    work_.barrier = &barrier_;
    team_->run(run_thread, this);
    // inv(A) = diag(c) inv(B) diag(r), exactly.
    if (work_.status == 0 && scaled)
        interop_unequilibrate(n_, a, scales_.get());
    return work_.status;
}

}  // namespace interop_cpp
