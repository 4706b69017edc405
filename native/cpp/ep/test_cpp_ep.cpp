// CTest for interop_ep_cpp through libinterop_cpp's exports: class S against NPB's published values on
// one path and 1..3 threads, q0..q9 against the scalar path's, the argument checks.
// Usage: test_cpp_ep path scalar|avx2|avx512   (exit 77, "skipped", where the CPU lacks the path)
//        test_cpp_ep args
//        test_cpp_ep boundary avx2|avx512      the first class S pair whose annulus libmvec's log moves
//        test_cpp_ep bench                     class A on every path, 1 and 2 threads: Mop/s (no test)
#include "interop_cpp.h"
#include "interop_ep.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
// libmvec's log variants, which the AVX2 and AVX-512 paths call (ep_kernels.cpp), for naming a pair
// whose annulus they move; declared and called only under their own target.
#include <immintrin.h>
#pragma GCC push_options
#pragma GCC target("avx2,fma")
extern "C" __m256d _ZGVdN4v_log(__m256d);
static double libmvec_log_avx2(double x)
{
    return _mm256_cvtsd_f64(_ZGVdN4v_log(_mm256_set1_pd(x)));
}
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")
extern "C" __m512d _ZGVeN8v_log(__m512d);
static double libmvec_log_avx512(double x)
{
    return _mm512_cvtsd_f64(_ZGVeN8v_log(_mm512_set1_pd(x)));
}
#pragma GCC pop_options
#define HAVE_LIBMVEC_LOGS 1
#endif

namespace {

int failures;

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

// Class S: 2^24 pairs, 256 batches of 2^16.
constexpr int64_t class_s_batches = 256;
// NPB 3.3's signed sums (Σt3, Σt4) and NPB 3.4.2's sums of absolute values and accepted pairs.
constexpr double npb33_s[2] = {-3.247834652034740e+3, -6.958407078382297e+3};
constexpr double npb342_s[2] = {1.051299420395306e+07, 1.051517131857535e+07};
constexpr int64_t npb342_s_pairs = 13176389;

struct Run {
    int32_t status = -99;
    std::vector<double> sums;
    int64_t counts[10] = {};
};

Run ep(int64_t first, int64_t batches, int32_t threads)
{
    Run run;
    run.sums.assign(static_cast<std::size_t>(4 * batches), std::nan(""));
    run.status = interop_ep_cpp(first, batches, threads, run.sums.data(), run.counts);
    return run;
}

// The four totals of the per-batch sums, added in batch order (as the driver adds them).
void totals(const std::vector<double> &sums, double t[4])
{
    for (int s = 0; s < 4; ++s)
        t[s] = 0.0;
    for (std::size_t j = 0; j < sums.size(); j += 4)
        for (int s = 0; s < 4; ++s)
            t[s] += sums[j + static_cast<std::size_t>(s)];
}

bool within(double value, double reference)
{
    return std::fabs((value - reference) / reference) <= 1e-8;
}

int64_t pairs(const int64_t counts[10])
{
    int64_t n = 0;
    for (int l = 0; l < 10; ++l)
        n += counts[l];
    return n;
}

const char *const path_names[] = {"auto", "scalar", "avx2", "avx512"};

// The first pair of class S whose annulus libm's log and the path's vector log put on different sides
// of a boundary (the generator written from NPB's description): what makes q differ by path.
std::string pair_across_a_boundary(int32_t isa)
{
#if defined(HAVE_LIBMVEC_LOGS)
    const uint64_t a = 1220703125ULL, mask = (1ULL << 46) - 1;
    uint64_t x = 271828183ULL;
    for (int64_t i = 0; i < class_s_batches << 16; ++i) {
        x = (x * a) & mask;
        const double x1 = 2.0 * std::ldexp(static_cast<double>(x), -46) - 1.0;
        x = (x * a) & mask;
        const double x2 = 2.0 * std::ldexp(static_cast<double>(x), -46) - 1.0;
        const double t1 = x1 * x1 + x2 * x2;
        if (t1 > 1.0)
            continue;
        auto annulus = [&](double log_t1) {
            const double t2 = std::sqrt(-2.0 * log_t1 / t1);
            return static_cast<int>(std::fmax(std::fabs(x1 * t2), std::fabs(x2 * t2)));
        };
        const double vector_log = isa == INTEROP_ISA_AVX512 ? libmvec_log_avx512(t1) : libmvec_log_avx2(t1);
        if (annulus(std::log(t1)) != annulus(vector_log))
            return "pair " + std::to_string(i) + " (batch " + std::to_string(i >> 16) + ", t1 = " + std::to_string(t1) +
                   "): annulus " + std::to_string(annulus(std::log(t1))) + " with libm's log, " +
                   std::to_string(annulus(vector_log)) + " with libmvec's";
    }
    return "no pair's annulus depends on the log (a kernel miscounts)";
#else
    (void)isa;
    return "no vector log to compare with on this platform";
#endif
}

void test_path(int32_t isa)
{
    Run first;
    for (int32_t threads = 1; threads <= 3; ++threads) {
        Run run = ep(0, class_s_batches, threads);
        CHECK(run.status == 0, "%s, %d threads: status %d", path_names[isa], threads, run.status);
        double t[4];
        totals(run.sums, t);
        CHECK(within(t[0], npb33_s[0]) && within(t[1], npb33_s[1]), "%s, %d threads: NPB 3.3 sums %.15e %.15e",
              path_names[isa], threads, t[0], t[1]);
        CHECK(within(t[2], npb342_s[0]) && within(t[3], npb342_s[1]),
              "%s, %d threads: NPB 3.4.2 sums %.15e %.15e", path_names[isa], threads, t[2], t[3]);
        CHECK(pairs(run.counts) == npb342_s_pairs, "%s, %d threads: %lld accepted pairs", path_names[isa], threads,
              static_cast<long long>(pairs(run.counts)));
        if (threads == 1) {
            first = run;
            continue;
        }
        CHECK(std::memcmp(run.counts, first.counts, sizeof first.counts) == 0, "%s: q differ, %d threads and 1",
              path_names[isa], threads);
        for (std::size_t j = 0; j < run.sums.size(); ++j)
            if (std::memcmp(&run.sums[j], &first.sums[j], sizeof(double)) != 0) {
                CHECK(false, "%s: batch %zu's sum %zu differs, %d threads and 1", path_names[isa], j / 4, j % 4,
                      threads);
                break;
            }
    }
    // Batches 100..106 alone (as one MPI rank runs them): the same sums, bit for bit.
    Run part = ep(100, 7, 2);
    CHECK(part.status == 0 && std::memcmp(part.sums.data(), &first.sums[400], 28 * sizeof(double)) == 0,
          "%s: batches 100..106 alone differ from the whole run's", path_names[isa]);
    // q0..q9 are the scalar path's (a vector log one bit off libm's would have to move a pair across
    // an annulus boundary to change them).
    if (isa != INTEROP_ISA_SCALAR) {
        CHECK(interop_cpp_isa_select(INTEROP_ISA_SCALAR) == 0, "select scalar");
        Run scalar = ep(0, class_s_batches, 3);
        if (std::memcmp(scalar.counts, first.counts, sizeof first.counts) != 0) {
            for (int l = 0; l < 10; ++l)
                CHECK(scalar.counts[l] == first.counts[l], "%s: q%d = %lld, the scalar path's %lld", path_names[isa], l,
                      static_cast<long long>(first.counts[l]), static_cast<long long>(scalar.counts[l]));
            std::fprintf(stderr, "%s: %s\n", path_names[isa], pair_across_a_boundary(isa).c_str());
        }
        double t[4], s[4];
        totals(first.sums, t);
        totals(scalar.sums, s);
        for (int k = 0; k < 4; ++k)
            CHECK(std::fabs(t[k] - s[k]) <= 1e-8 * std::fabs(s[k]), "%s: total %d %.15e, scalar %.15e",
                  path_names[isa], k, t[k], s[k]);
    }
}

void test_args()
{
    double sums[8] = {};
    int64_t counts[10];
    for (int64_t &c : counts)
        c = 7;
    CHECK(interop_ep_cpp(-1, -1, 0, nullptr, nullptr) == -1, "first_batch < 0");
    CHECK(interop_ep_cpp(0, -1, 0, nullptr, nullptr) == -2, "batches < 0");
    CHECK(interop_ep_cpp(0, 1, 0, nullptr, nullptr) == -3, "threads < 1");
    CHECK(interop_ep_cpp(0, 1, 1, nullptr, nullptr) == -4, "batch_sums NULL");
    CHECK(interop_ep_cpp(0, 1, 1, sums, nullptr) == -5, "counts NULL");
    CHECK(interop_ep_cpp((int64_t{1} << 27) - 1, 2, 1, sums, counts) == -6, "past the period");
    CHECK(interop_ep_cpp(INT64_MAX, 1, 1, sums, counts) == -6, "past the period, without overflow");
    CHECK(interop_ep_cpp(int64_t{1} << 27, 0, 1, sums, counts) == 0, "no batches at the period's end");
    for (int l = 0; l < 10; ++l)
        CHECK(counts[l] == 0, "no batches: q%d = %lld, not overwritten with 0", l, static_cast<long long>(counts[l]));
    // The period's last batch runs, with more threads than batches: about pi/4 of its 2^16 pairs are
    // accepted (5 standard deviations: 525).
    CHECK(interop_ep_cpp((int64_t{1} << 27) - 1, 1, 3, sums, counts) == 0, "the last batch");
    const int64_t accepted = pairs(counts);
    CHECK(accepted > 51472 - 525 && accepted < 51472 + 525, "%lld pairs of the last batch accepted",
          static_cast<long long>(accepted));
    CHECK(sums[2] > 0.0 && sums[3] > 0.0 && std::isfinite(sums[0]) && std::isfinite(sums[1]), "the last batch's sums");
}

int bench()
{
    constexpr int64_t class_a_batches = int64_t{1} << 12;
    std::vector<double> sums(static_cast<std::size_t>(4 * class_a_batches));
    int64_t counts[10];
    for (int32_t isa = INTEROP_ISA_SCALAR; isa <= INTEROP_ISA_AVX512; ++isa) {
        if (interop_cpp_isa_select(isa) != 0)
            continue;
        for (int32_t threads = 1; threads <= 2; ++threads) {
            const auto started = std::chrono::steady_clock::now();
            const int32_t status = interop_ep_cpp(0, class_a_batches, threads, sums.data(), counts);
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            double t[4];
            totals(sums, t);
            std::printf("cpp %s %d thread(s): %.3f s, %.1f Mop/s; status %d, sums %.15e %.15e %.15e %.15e, pairs %lld\n",
                        path_names[isa], threads, seconds, std::ldexp(1.0, 29) / seconds / 1e6, status, t[0], t[1], t[2],
                        t[3], static_cast<long long>(pairs(counts)));
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv)
{
    const std::string suite = argc > 1 ? argv[1] : "";
    if (suite == "path" && argc == 3) {
        int32_t isa = -1;
        for (int32_t i = INTEROP_ISA_SCALAR; i <= INTEROP_ISA_AVX512; ++i)
            if (std::strcmp(argv[2], path_names[i]) == 0)
                isa = i;
        if (isa < 0) {
            std::fprintf(stderr, "test_cpp_ep: unknown path '%s'\n", argv[2]);
            return 2;
        }
        if (interop_cpp_isa_supported(isa) != 1) {
            std::printf("%s: not on this CPU\n", argv[2]);
            return exit_skipped;
        }
        CHECK(interop_cpp_isa_select(isa) == 0, "select %s", argv[2]);
        test_path(isa);
    } else if (suite == "args" && argc == 2) {
        test_args();
    } else if (suite == "boundary" && argc == 3) {
        // What the path check prints when q differ, on demand: test_cpp_ep boundary avx2|avx512.
        std::printf("%s\n", pair_across_a_boundary(std::strcmp(argv[2], "avx512") == 0 ? INTEROP_ISA_AVX512
                                                                                       : INTEROP_ISA_AVX2).c_str());
        return 0;
    } else if (suite == "bench" && argc == 2) {
        return bench();
    } else {
        std::fprintf(stderr, "usage: test_cpp_ep path scalar|avx2|avx512 | args | boundary avx2|avx512 | bench\n");
        return 2;
    }
    std::printf("%s: %d failure(s)\n", suite.c_str(), failures);
    return failures == 0 ? 0 : 1;
}
