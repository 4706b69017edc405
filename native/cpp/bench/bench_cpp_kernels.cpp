// cpp-threads against c-openmp, both called from this program (no .NET in between), on every path
// this CPU has (both libraries forced to it): pi with 1 thread and the inversion of the spec matrix
// with 2 threads by default. After one untimed warm-up of each, the two kernels run alternately
// `repeat` times (so that a slow spell of a shared machine falls on both) and each reports its median.
// Usage: bench_cpp_kernels [darts=1e8] [n=2000] [repeat=5] [pi_threads=1] [inv_threads=2]
// Take the machine's benchmark lock around it (flock /tmp/interop-bench.lock).
#include "interop.h"
#include "interop_cpp.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

std::string cpu_model()
{
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);)
        if (line.rfind("model name", 0) == 0)
            return line.substr(line.find(':') + 2);
    return "unknown CPU";
}

std::vector<double> spec_matrix(int64_t n)
{
    auto unit = [](uint64_t k) {
        uint64_t z = 42 + (k + 1) * 0x9E3779B97F4A7C15ULL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1p-53;
    };
    std::vector<double> a(static_cast<std::size_t>(n * n));
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
            a[static_cast<std::size_t>(i * n + j)] =
                unit(static_cast<uint64_t>(i * n + j)) * unit(static_cast<uint64_t>(j * n + i));
    return a;
}

}  // namespace

int main(int argc, char **argv)
{
    const int64_t darts = argc > 1 ? static_cast<int64_t>(std::atof(argv[1])) : 100000000;
    const int64_t n = argc > 2 ? std::atoll(argv[2]) : 2000;
    const int repeat = argc > 3 ? std::atoi(argv[3]) : 5;
    const int32_t pi_threads = argc > 4 ? std::atoi(argv[4]) : 1;
    const int32_t inv_threads = argc > 5 ? std::atoi(argv[5]) : 2;
    if (darts < 1 || n < 1 || repeat < 1 || pi_threads < 1 || inv_threads < 1) {
        std::fprintf(stderr, "usage: bench_cpp_kernels [darts] [n] [repeat] [pi_threads] [inv_threads]\n");
        return 2;
    }
    std::printf("CPU: %s\n", cpu_model().c_str());
    std::printf("pi: %lld darts, %d thread(s); inversion: n = %lld, %d thread(s); median of %d after a warm-up\n",
                static_cast<long long>(darts), pi_threads, static_cast<long long>(n), inv_threads, repeat);
    std::printf("%-7s %-5s %12s %12s %8s\n", "path", "work", "c-openmp s", "cpp s", "c/cpp");

    static const char *const names[] = {"auto", "scalar", "avx2", "avx512"};
    const std::vector<double> a = spec_matrix(n);
    const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
    int failures = 0;
    for (int32_t isa = INTEROP_ISA_SCALAR; isa <= INTEROP_ISA_AVX512; ++isa) {
        if (interop_isa_select(isa) != 0 || interop_cpp_isa_select(isa) != 0)
            continue;
        // pi
        std::vector<double> c_times, cpp_times;
        int64_t c_inside = -1, cpp_inside = -2;
        for (int r = 0; r <= repeat; ++r) {
            auto start = std::chrono::steady_clock::now();
            failures += interop_pi_count_c(42, 0, darts, pi_threads, &c_inside) != 0;
            double c_time = seconds_since(start);
            start = std::chrono::steady_clock::now();
            failures += interop_pi_count_cpp(42, 0, darts, pi_threads, &cpp_inside) != 0;
            double cpp_time = seconds_since(start);
            failures += c_inside != cpp_inside;
            if (r > 0) {
                c_times.push_back(c_time);
                cpp_times.push_back(cpp_time);
            }
        }
        std::printf("%-7s %-5s %12.4f %12.4f %8.3f\n", names[isa], "pi", median(c_times), median(cpp_times),
                    median(c_times) / median(cpp_times));
        // inversion
        c_times.clear();
        cpp_times.clear();
        std::vector<double> x;
        for (int r = 0; r <= repeat; ++r) {
            x = a;
            auto start = std::chrono::steady_clock::now();
            failures += interop_inv_c(n, x.data(), inv_threads) != 0;
            double c_time = seconds_since(start);
            x = a;
            start = std::chrono::steady_clock::now();
            failures += interop_inv_cpp(n, x.data(), inv_threads) != 0;
            double cpp_time = seconds_since(start);
            if (r > 0) {
                c_times.push_back(c_time);
                cpp_times.push_back(cpp_time);
            }
        }
        std::printf("%-7s %-5s %12.4f %12.4f %8.3f   (%.1f and %.1f GFLOP/s)\n", names[isa], "inv", median(c_times),
                    median(cpp_times), median(c_times) / median(cpp_times), 1e-9 * flops / median(c_times),
                    1e-9 * flops / median(cpp_times));
    }
    if (failures != 0)
        std::fprintf(stderr, "%d kernel call(s) failed or disagreed\n", failures);
    return failures == 0 ? 0 : 1;
}
