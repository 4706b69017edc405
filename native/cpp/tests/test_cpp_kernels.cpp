// CTest for libinterop_cpp (its sources compiled into this program, with the test-only fault hook of
// src/test_hooks.hpp): the cpp-threads kernels against the spec, an independent reference and the C
// kernels of libinterop_native on the same path, bit for bit where the contract says so.
// Usage: test_cpp_kernels pi|inv scalar|avx2|avx512   (exit 77, "skipped", where the CPU lacks the path)
//        test_cpp_kernels plan|errors
#include "interop.h"
#include "interop_cpp.h"

#include "test_hooks.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

int failures;

// CTest's SKIP_RETURN_CODE: the path exists, but not on this CPU.
constexpr int exit_skipped = 77;

#define CHECK(cond, ...)                                                                                     \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                        \
            std::fprintf(stderr, __VA_ARGS__);                                                               \
            std::fputc('\n', stderr);                                                                        \
            ++failures;                                                                                      \
        }                                                                                                    \
    } while (0)

using Matrix = std::vector<double>;

// SplitMix64 of the spec, written from the spec independently of the library.
uint64_t splitmix(uint64_t seed, uint64_t k)
{
    uint64_t z = seed + (k + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

int64_t reference_count(uint64_t seed, int64_t begin, int64_t end)
{
    int64_t inside = 0;
    for (int64_t k = begin; k < end; ++k) {
        uint64_t z = splitmix(seed, static_cast<uint64_t>(k));
        uint64_t x = static_cast<uint32_t>(z >> 32) >> 1, y = static_cast<uint32_t>(z) >> 1;
        inside += x * x + y * y < (1ULL << 62);
    }
    return inside;
}

int64_t count_cpp(uint64_t seed, int64_t begin, int64_t end, int32_t threads)
{
    int64_t inside = -1;
    int32_t status = interop_pi_count_cpp(seed, begin, end, threads, &inside);
    CHECK(status == 0, "interop_pi_count_cpp(%llu, %lld, %lld, %d): status %d", static_cast<unsigned long long>(seed),
          static_cast<long long>(begin), static_cast<long long>(end), threads, status);
    return inside;
}

int64_t count_c(uint64_t seed, int64_t begin, int64_t end, int32_t threads)
{
    int64_t inside = -1;
    int32_t status = interop_pi_count_c(seed, begin, end, threads, &inside);
    CHECK(status == 0, "interop_pi_count_c: status %d", status);
    return inside;
}

void test_pi()
{
    // The spec's reference values.
    for (int32_t threads = 1; threads <= 4; ++threads) {
        CHECK(count_cpp(42, 0, 1000000, threads) == 785402, "seed 42, 1e6 darts, %d threads", threads);
        CHECK(count_cpp(0, 0, 1000, threads) == 784, "seed 0, 1000 darts, %d threads", threads);
    }
    // Ranges not starting at 0, sizes around the vector widths and unrolled blocks (4, 8, 16, 32),
    // thread counts that do not divide them and exceed them: the reference and C agree exactly.
    const int64_t begins[] = {0, 1, 7, 31, 33, 1000003, int64_t{1} << 40};
    const int64_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 100003};
    const uint64_t seeds[] = {0, 1, 42, 0xFFFFFFFFFFFFFFFFULL};
    for (uint64_t seed : seeds)
        for (int64_t begin : begins)
            for (int64_t size : sizes) {
                const int64_t end = begin + size, expected = reference_count(seed, begin, end);
                for (int32_t threads : {1, 2, 3, 5, 8}) {
                    int64_t got = count_cpp(seed, begin, end, threads);
                    CHECK(got == expected, "seed %llu [%lld, %lld) %d threads: %lld, reference %lld",
                          static_cast<unsigned long long>(seed), static_cast<long long>(begin),
                          static_cast<long long>(end), threads, static_cast<long long>(got),
                          static_cast<long long>(expected));
                    CHECK(got == count_c(seed, begin, end, threads), "differs from C: seed %llu [%lld, %lld) %d threads",
                          static_cast<unsigned long long>(seed), static_cast<long long>(begin),
                          static_cast<long long>(end), threads);
                }
            }
    // A larger run against C only (the reference loop would take a while): several threads.
    for (int32_t threads : {1, 2, 7})
        CHECK(count_cpp(7, 123, 20000123, threads) == count_c(7, 123, 20000123, threads), "2e7 darts, %d threads",
              threads);
    // Argument checks, in interop_pi_count_c's order.
    int64_t inside = 0;
    CHECK(interop_pi_count_cpp(1, -1, 5, 1, &inside) == -2, "begin < 0");
    CHECK(interop_pi_count_cpp(1, 5, 4, 1, &inside) == -3, "end < begin");
    CHECK(interop_pi_count_cpp(1, 0, 4, 0, &inside) == -4, "threads < 1");
    CHECK(interop_pi_count_cpp(1, 0, 4, 1, nullptr) == -5, "inside NULL");
    CHECK(interop_pi_count_cpp(1, 5, 5, 3, &inside) == 0 && inside == 0, "empty range");
}

// ---- Inversion ----

// The spec's matrix A = R∘Rᵀ, row-major.
double unit(uint64_t seed, uint64_t k)
{
    return static_cast<double>(splitmix(seed, k) >> 11) * 0x1p-53;
}

Matrix spec_matrix(int64_t n, uint64_t seed)
{
    Matrix a(static_cast<std::size_t>(n * n));
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
            a[static_cast<std::size_t>(i * n + j)] =
                unit(seed, static_cast<uint64_t>(i * n + j)) * unit(seed, static_cast<uint64_t>(j * n + i));
    return a;
}

// Well conditioned, and partial pivoting of Aᵀ (not of A) grows its elements by 2^(n-1): unit
// diagonal, -1 above it, a last row of uniform numbers (tests/native/test_inv_kernels.c).
Matrix growth_matrix(int64_t n, uint64_t seed, bool transposed)
{
    Matrix a(static_cast<std::size_t>(n * n), 0.0);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {
            double v = j > i ? -1.0 : j == i ? 1.0 : i == n - 1 ? unit(seed, static_cast<uint64_t>(j)) : 0.0;
            a[static_cast<std::size_t>(transposed ? j * n + i : i * n + j)] = v;
        }
    return a;
}

double residual(int64_t n, const Matrix &a, const Matrix &x)
{
    double r = -1;
    int32_t status = interop_inv_residual(n, a.data(), x.data(), 2, &r);
    CHECK(status == 0, "residual status %d", status);
    return r;
}

// Inverts a copy of a with the cpp kernel and with the C kernel on the same path and thread count:
// the same status, and where both succeed the same inverse (the same algorithm in the same order:
// equal up to the compilers' choices of contraction, so within a few ulps of the inverse's scale).
int32_t invert_like_c(int64_t n, const Matrix &a, int32_t threads, Matrix &x, const char *what)
{
    x = a;
    Matrix c = a;
    int32_t status = interop_inv_cpp(n, x.data(), threads);
    int32_t c_status = interop_inv_c(n, c.data(), threads);
    CHECK(status == c_status, "%s n=%lld threads=%d: status %d, C's %d", what, static_cast<long long>(n), threads,
          status, c_status);
    if (status == 0 && c_status == 0) {
        double diff = 0, scale = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            diff = std::fmax(diff, std::fabs(x[i] - c[i]));
            scale = std::fmax(scale, std::fabs(c[i]));
        }
        CHECK(diff <= 1e-12 * scale, "%s n=%lld threads=%d: differs from C by %g (scale %g)", what,
              static_cast<long long>(n), threads, diff, scale);
    }
    return status;
}

void test_inv()
{
    // Sizes one below, at and above the tiles (4x4, 8x6, 16x12), MC (96, 128, 192), NB (128) and the
    // panels' halving to 16 columns; 1 to 4 threads, 3 and 4 with uneven and empty column shares.
    const int64_t sizes[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,   11,  12,  13,  15,  16,  17,  23,  24,  25,
                             31, 33, 47, 48, 49, 63, 65, 95, 96,  97,  127, 128, 129, 191, 192, 193, 257, 385};
    for (int64_t n : sizes) {
        const Matrix a = spec_matrix(n, 42);
        for (int32_t threads = 1; threads <= 4; ++threads) {
            Matrix x;
            int32_t status = invert_like_c(n, a, threads, x, "spec matrix");
            CHECK(status == 0, "n=%lld threads=%d: status %d", static_cast<long long>(n), threads, status);
            if (status == 0) {
                double r = residual(n, a, x);
                CHECK(r >= 0 && r <= 30, "n=%lld threads=%d: residual %g", static_cast<long long>(n), threads, r);
            }
        }
    }
    // One thread's share of n = 1537 columns spans two NC = 1536 blocks of packed B.
    {
        const Matrix a = spec_matrix(1537, 5);
        Matrix x;
        CHECK(invert_like_c(1537, a, 1, x, "n=1537") == 0 && residual(1537, a, x) <= 30, "n = 1537");
    }
    // The pivoting is A's own: A passes; Aᵀ (growth 2^(n-1)) fails the check, or fails, as C.
    for (int64_t n : {40, 300})
        for (int32_t threads = 1; threads <= 3; ++threads) {
            Matrix x;
            const Matrix a = growth_matrix(n, 2024, false);
            CHECK(invert_like_c(n, a, threads, x, "growth A") == 0 && residual(n, a, x) <= 30,
                  "row pivoting of A, n=%lld threads=%d", static_cast<long long>(n), threads);
            const Matrix at = growth_matrix(n, 2024, true);
            int32_t status = invert_like_c(n, at, threads, x, "growth Aᵀ");
            CHECK(status != 0 || residual(n, at, x) > 30, "Aᵀ n=%lld threads=%d", static_cast<long long>(n), threads);
        }
    // Singular: a zero column k fails at step k; a zero row, equal rows, the zero matrix.
    {
        const int64_t n = 9;
        Matrix a = spec_matrix(n, 7), x;
        for (int64_t i = 0; i < n; ++i)
            a[static_cast<std::size_t>(i * n + 4)] = 0;
        CHECK(invert_like_c(n, a, 2, x, "zero column") == 5, "zero column 5");
        a = spec_matrix(n, 7);
        for (int64_t j = 0; j < n; ++j)
            a[static_cast<std::size_t>(4 * n + j)] = 0;
        int32_t status = invert_like_c(n, a, 2, x, "zero row");
        CHECK(status > 0 && status <= n, "zero row: %d", status);
        a = spec_matrix(n, 7);
        for (int64_t j = 0; j < n; ++j)
            a[static_cast<std::size_t>(2 * n + j)] = a[static_cast<std::size_t>(6 * n + j)];
        status = invert_like_c(n, a, 3, x, "equal rows");
        CHECK(status > 0 && status <= n, "equal rows: %d", status);
        CHECK(invert_like_c(n, Matrix(81, 0.0), 1, x, "zero matrix") == 1, "zero matrix fails at step 1");
        // A zero column in a later block of a larger matrix, on several threads.
        const int64_t m = 300;
        a = spec_matrix(m, 9);
        for (int64_t i = 0; i < m; ++i)
            a[static_cast<std::size_t>(i * m + 200)] = 0;
        CHECK(invert_like_c(m, a, 3, x, "zero column 201") == 201, "zero column 201 of 300");
    }
    // NaN and Inf anywhere: a non-finite pivot, as C reports it.
    for (int64_t n : {9, 200})
        for (double bad : {NAN, INFINITY, -INFINITY})
            for (int64_t where : {int64_t{0}, int64_t{10}, n * n / 2 + 3, n * n - 1}) {
                Matrix a = spec_matrix(n, 7), x;
                a[static_cast<std::size_t>(where)] = bad;
                int32_t status = invert_like_c(n, a, 2, x, "non-finite");
                int32_t step = status & ~INTEROP_STATUS_NONFINITE;
                CHECK(status > 0 && (status & INTEROP_STATUS_NONFINITE) && step >= 1 && step <= n,
                      "%g at %lld of n=%lld: status %d", bad, static_cast<long long>(where), static_cast<long long>(n),
                      status);
            }
    // Overflow inside the factorization. The kernels factor A equilibrated (every |b_ij| <= 1), so no
    // scale of A overflows it: it takes an element growth beyond 2^1024, Aᵀ of the growth matrix's
    // 2^(n-1) at n = 1060.
    {
        Matrix a = growth_matrix(1060, 2024, true), x;
        int32_t status = invert_like_c(1060, a, 1, x, "overflow");
        CHECK(status > 0 && (status & INTEROP_STATUS_NONFINITE), "overflow: status %d", status);
    }
    // The identity and a permutation with a zero diagonal are inverted exactly.
    {
        const int64_t n = 131;
        Matrix p(static_cast<std::size_t>(n * n), 0.0), x = p;
        for (int64_t i = 0; i < n; ++i)
            p[static_cast<std::size_t>(i * n + (i * 7 + 3) % n)] = 1;
        x = p;
        CHECK(interop_inv_cpp(n, x.data(), 2) == 0, "permutation");
        bool exact = true;
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < n; ++j)
                exact = exact && x[static_cast<std::size_t>(i * n + j)] == p[static_cast<std::size_t>(j * n + i)];
        CHECK(exact, "a permutation's inverse is its transpose");
    }
    // Argument checks, in interop_inv_c's order.
    double one = 1;
    CHECK(interop_inv_cpp(0, &one, 1) == -1, "n = 0");
    CHECK(interop_inv_cpp(-3, nullptr, 0) == -1, "n < 0 first");
    CHECK(interop_inv_cpp(1, nullptr, 1) == -2, "NULL matrix");
    CHECK(interop_inv_cpp(1, &one, 0) == -3, "zero threads");
    CHECK(interop_inv_cpp(1, &one, 1) == 0 && one == 1.0, "1 x 1");
    double two = -4;
    CHECK(interop_inv_cpp(1, &two, 3) == 0 && two == -0.25, "1 x 1 on 3 threads");
}

// ---- Plans ----

void test_plan()
{
    // One plan, many matrices (different seeds, a singular one in between, NaN), on several thread
    // counts: every run as a fresh interop_inv_c.
    for (int32_t threads : {1, 2, 3}) {
        for (int64_t n : {1, 7, 130, 257}) {
            interop_cpp_inv_plan *plan = nullptr;
            CHECK(interop_cpp_inv_plan_create(n, threads, &plan) == 0 && plan != nullptr, "create n=%lld threads=%d",
                  static_cast<long long>(n), threads);
            if (plan == nullptr)
                continue;
            for (uint64_t seed = 1; seed <= 4; ++seed) {
                Matrix a = spec_matrix(n, seed);
                if (seed == 3)
                    a.assign(a.size(), 0.0);  // singular: the next runs must not care
                if (seed == 4 && n > 1)
                    a[1] = NAN;
                Matrix x = a, c = a;
                int32_t status = interop_cpp_inv_plan_run(plan, x.data());
                CHECK(status == interop_inv_c(n, c.data(), threads), "plan run %llu n=%lld threads=%d: status %d",
                      static_cast<unsigned long long>(seed), static_cast<long long>(n), threads, status);
                if (status == 0) {
                    double r = residual(n, a, x);
                    CHECK(r <= 30, "plan run %llu n=%lld threads=%d: residual %g", static_cast<unsigned long long>(seed),
                          static_cast<long long>(n), threads, r);
                }
            }
            interop_cpp_inv_plan_destroy(plan);
        }
    }
    // A plan made on one path runs on another: its buffers fit every path's blocks.
    {
        interop_cpp_inv_plan *plan = nullptr;
        CHECK(interop_cpp_inv_plan_create(300, 2, &plan) == 0, "create 300");
        for (int32_t isa = INTEROP_ISA_SCALAR; isa <= INTEROP_ISA_AVX512; ++isa) {
            if (interop_cpp_isa_select(isa) != 0 || interop_isa_select(isa) != 0)
                continue;
            Matrix a = spec_matrix(300, 11), x = a;
            CHECK(interop_cpp_inv_plan_run(plan, x.data()) == 0 && residual(300, a, x) <= 30, "path %d", isa);
        }
        interop_cpp_isa_select(INTEROP_ISA_AUTO);
        interop_isa_select(INTEROP_ISA_AUTO);
        interop_cpp_inv_plan_destroy(plan);
    }
    // Plans on several threads at once, each its own.
    {
        std::vector<std::thread> users;
        int bad[3] = {0, 0, 0};
        for (int u = 0; u < 3; ++u)
            users.emplace_back([u, &bad] {
                interop_cpp_inv_plan *plan = nullptr;
                if (interop_cpp_inv_plan_create(100 + u, 2, &plan) != 0) {
                    bad[u] = 1;
                    return;
                }
                for (int r = 0; r < 5; ++r) {
                    Matrix a = spec_matrix(100 + u, static_cast<uint64_t>(r)), x = a;
                    if (interop_cpp_inv_plan_run(plan, x.data()) != 0 || residual(100 + u, a, x) > 30)
                        bad[u] = 1;
                }
                interop_cpp_inv_plan_destroy(plan);
            });
        for (std::thread &t : users)
            t.join();
        CHECK(bad[0] + bad[1] + bad[2] == 0, "concurrent plans: %d %d %d", bad[0], bad[1], bad[2]);
    }
    // Arguments.
    interop_cpp_inv_plan *plan = reinterpret_cast<interop_cpp_inv_plan *>(&failures);  // not NULL: must be reset
    CHECK(interop_cpp_inv_plan_create(0, 1, &plan) == -1 && plan == nullptr, "n = 0");
    CHECK(interop_cpp_inv_plan_create(4, 0, &plan) == -2 && plan == nullptr, "threads = 0");
    CHECK(interop_cpp_inv_plan_create(4, 1, nullptr) == -3, "plan NULL");
    double one = 1;
    CHECK(interop_cpp_inv_plan_run(nullptr, &one) == -1, "run NULL plan");
    CHECK(interop_cpp_inv_plan_create(1, 1, &plan) == 0, "create 1");
    CHECK(interop_cpp_inv_plan_run(plan, nullptr) == -2, "run NULL matrix");
    interop_cpp_inv_plan_destroy(plan);
    interop_cpp_inv_plan_destroy(nullptr);
}

// ---- Errors: no exception crosses the boundary ----

std::string last_error()
{
    int32_t length = interop_cpp_last_error(nullptr, 0);
    std::string text(static_cast<std::size_t>(length) + 1, '?');
    int32_t again = interop_cpp_last_error(&text[0], static_cast<int32_t>(text.size()));
    CHECK(again == length, "last_error length %d then %d", length, again);
    text.resize(static_cast<std::size_t>(length));
    return text;
}

void test_errors()
{
    CHECK(interop_cpp_last_error(nullptr, 0) == 0, "no error yet");
    CHECK(interop_cpp_abi_version() == INTEROP_CPP_ABI_VERSION, "abi version");

    // An exception inside an export: INTEROP_STATUS_INTERNAL, and its what() for this thread only.
    double a[4] = {4, 3, 6, 3};
    interop_cpp::test::throw_on_next_call("injected fault in the plan");
    CHECK(interop_inv_cpp(2, a, 1) == INTEROP_STATUS_INTERNAL, "fault in inv");
    CHECK(last_error() == "injected fault in the plan", "message: %s", last_error().c_str());
    char small[8];
    CHECK(interop_cpp_last_error(small, sizeof small) == 26 && std::strcmp(small, "injecte") == 0,
          "truncated copy: %s", small);
    int other = -1;
    std::thread([&other] { other = interop_cpp_last_error(nullptr, 0); }).join();
    CHECK(other == 0, "another thread has no error: %d", other);
    // The matrix was not touched, the next call works, and the message stays until the next failure.
    CHECK(a[0] == 4 && interop_inv_cpp(2, a, 1) == 0 && std::fabs(a[0] + 0.5) < 1e-15, "after the fault: %g", a[0]);
    CHECK(last_error() == "injected fault in the plan", "kept");

    int64_t inside = 0;
    interop_cpp::test::throw_on_next_call("injected fault in pi");
    CHECK(interop_pi_count_cpp(1, 0, 100, 2, &inside) == INTEROP_STATUS_INTERNAL, "fault in pi");
    CHECK(last_error() == "injected fault in pi", "pi message");
    interop_cpp_inv_plan *plan = nullptr;
    interop_cpp::test::throw_on_next_call("injected fault in create");
    CHECK(interop_cpp_inv_plan_create(3, 2, &plan) == INTEROP_STATUS_INTERNAL && plan == nullptr, "fault in create");
    CHECK(interop_cpp_inv_plan_create(2, 2, &plan) == 0, "create after the fault");
    interop_cpp::test::throw_on_next_call("injected fault in run");
    CHECK(interop_cpp_inv_plan_run(plan, a) == INTEROP_STATUS_INTERNAL, "fault in run");
    CHECK(interop_cpp_inv_plan_run(plan, a) == 0 && std::fabs(a[0] - 4) < 1e-14, "the plan runs after the fault");
    interop_cpp_inv_plan_destroy(plan);

    // std::bad_alloc is INTEROP_STATUS_NO_MEMORY: n = 10^6 needs 8 TB, n = 2^40 more than there are
    // addresses (the n * n doubles are never touched: the workspace comes first).
    CHECK(interop_inv_cpp(1000000, a, 1) == INTEROP_STATUS_NO_MEMORY, "8 TB");
    CHECK(interop_cpp_inv_plan_create(int64_t{1} << 40, 1, &plan) == INTEROP_STATUS_NO_MEMORY && plan == nullptr,
          "2^80 doubles");

    // Paths: the values and answers of interop_isa_*.
    CHECK(interop_cpp_isa_supported(-1) == -1 && interop_cpp_isa_supported(4) == -1, "not a path");
    CHECK(interop_cpp_isa_select(7) == -1, "select not a path");
    CHECK(interop_cpp_isa_supported(INTEROP_ISA_AUTO) == 1 && interop_cpp_isa_supported(INTEROP_ISA_SCALAR) == 1,
          "auto and scalar");
    for (int32_t isa = INTEROP_ISA_AUTO; isa <= INTEROP_ISA_AVX512; ++isa)
        CHECK(interop_cpp_isa_supported(isa) == interop_isa_supported(isa), "supported(%d) as C", isa);
    const int32_t best = interop_cpp_isa_active();
    CHECK(best == interop_isa_active(), "auto picks C's path: %d", best);
    for (int32_t isa = INTEROP_ISA_SCALAR; isa <= INTEROP_ISA_AVX512; ++isa) {
        const int32_t before = interop_cpp_isa_active();
        int32_t selected = interop_cpp_isa_select(isa);
        if (interop_cpp_isa_supported(isa) == 1)
            CHECK(selected == 0 && interop_cpp_isa_active() == isa, "select %d", isa);
        else
            CHECK(selected == 1 && interop_cpp_isa_active() == before, "select %d refused, path unchanged", isa);
    }
    CHECK(interop_cpp_isa_select(INTEROP_ISA_AUTO) == 0 && interop_cpp_isa_active() == best, "back to auto");
}

int select_path(const char *name)
{
    static const char *const names[] = {"auto", "scalar", "avx2", "avx512"};  // INTEROP_ISA_* order
    for (int32_t isa = INTEROP_ISA_SCALAR; isa <= INTEROP_ISA_AVX512; ++isa)
        if (std::strcmp(name, names[isa]) == 0) {
            if (interop_cpp_isa_supported(isa) != 1) {
                std::printf("skipped: this CPU has no %s path\n", name);
                return exit_skipped;
            }
            CHECK(interop_cpp_isa_select(isa) == 0 && interop_isa_select(isa) == 0, "select %s", name);
            return 0;
        }
    std::fprintf(stderr, "unknown path %s\n", name);
    return 2;
}

}  // namespace

int main(int argc, char **argv)
{
    const std::string suite = argc > 1 ? argv[1] : "";
    if ((suite == "pi" || suite == "inv") && argc == 3) {
        if (int status = select_path(argv[2]))
            return status;
        if (suite == "pi")
            test_pi();
        else
            test_inv();
    } else if (suite == "plan" && argc == 2) {
        test_plan();
    } else if (suite == "errors" && argc == 2) {
        test_errors();
    } else {
        std::fprintf(stderr, "usage: test_cpp_kernels pi|inv scalar|avx2|avx512 | plan | errors\n");
        return 2;
    }
    std::printf("%s: %d failure(s)\n", suite.c_str(), failures);
    return failures == 0 ? 0 : 1;
}
