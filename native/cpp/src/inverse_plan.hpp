// Internal: the inversion plan behind interop_cpp_inv_plan_* (an interop_cpp_inv_plan* is an
// InversePlan*).
#ifndef INTEROP_CPP_INVERSE_PLAN_HPP
#define INTEROP_CPP_INVERSE_PLAN_HPP

#include "isa_kernels.hpp"
#include "team.hpp"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

namespace interop_cpp {

// 64-byte aligned storage for `count` elements of T (uninitialized); throws std::bad_alloc.
template <class T>
class AlignedArray {
public:
    AlignedArray() = default;
    explicit AlignedArray(std::uint64_t count);

    T *get() const { return data_.get(); }

private:
    struct Free {
        void operator()(T *p) const { std::free(p); }
    };
    std::unique_ptr<T, Free> data_;
};

// The workspace and thread team of the inversion of n x n matrices, allocated once and reused by
// every run: interop_inv_c's algorithm (kernels.cpp) on the path in use at each run.
class InversePlan {
public:
    // Throws std::bad_alloc (no memory, or a size beyond the address space) and std::system_error
    // (a thread could not start).
    InversePlan(std::int64_t n, int threads);
    InversePlan(const InversePlan &) = delete;
    InversePlan &operator=(const InversePlan &) = delete;

    // Inverts the row-major n x n matrix a in place: 0, or interop_inv_c's failure statuses. Throws
    // std::logic_error if another thread is running this plan.
    std::int32_t run(double *a);

    std::int64_t size() const { return n_; }
    int threads() const { return threads_; }

private:
    static void run_thread(void *context, int thread);

    const std::int64_t n_;
    const int threads_;
    AlignedArray<std::int64_t> ipiv_, perm_;
    AlignedArray<double> x_, inv_l_, inv_u_;
    AlignedArray<double> scales_;  // the row and column scales of the equilibration (equilibrate.h)
    std::vector<AlignedArray<double>> pack_a_, pack_b_;
    std::vector<double *> pack_a_pointers_, pack_b_pointers_;
    Barrier barrier_;
    InverseWork work_{};
    const IsaKernels *kernels_ = nullptr;  // the path of the run in progress
    std::atomic<bool> running_{false};
    std::unique_ptr<ThreadTeam> team_;  // last: its threads stop before the workspace goes
};

}  // namespace interop_cpp

#endif
