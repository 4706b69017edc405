// CTest for interop_array_cpp through libinterop_cpp's exports, on one path: what test_array_kernels
// (native/array/, which holds every kernel of the table to the spec bit for bit) leaves to this export's
// own dynamic scheduling: more threads (5, 8) than its three and than there are pieces, every pairing of
// blocks (generated, x and xt one array, and all rows with xt a separate copy, which takes no pairs),
// y against the spec's plain loops bit for bit, the column sums and the generation at those thread counts.
// Usage: test_cpp_array scalar|avx2|avx512   (exit 77, "skipped", where the CPU lacks the path)
#include "interop_array.h"
#include "interop_cpp.h"
#include "splitmix.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

int failures;

constexpr int exit_skipped = 77;
constexpr uint64_t seed = 7;

#define CHECK(cond, ...)                                                                                     \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                        \
            std::fprintf(stderr, __VA_ARGS__);                                                               \
            std::fputc('\n', stderr);                                                                        \
            ++failures;                                                                                      \
        }                                                                                                    \
    } while (0)

// The spec's loops (docs/workload-spec.md, "The chunked-array example").
struct Spec {
    int64_t n;
    std::vector<double> x, tiles, m, y;
    uint64_t checksum = 0;
};

Spec spec(int64_t n)
{
    Spec s;
    s.n = n;
    const auto size = static_cast<std::size_t>(n * n);
    const int64_t tiles = (n + INTEROP_ARRAY_TILE_ROWS - 1) / INTEROP_ARRAY_TILE_ROWS;
    s.x.resize(size);
    s.y.resize(size);
    s.m.resize(static_cast<std::size_t>(n));
    s.tiles.resize(static_cast<std::size_t>(tiles * n));
    for (int64_t k = 0; k < n * n; ++k)
        s.x[static_cast<std::size_t>(k)] =
            static_cast<double>(interop_mix(seed, static_cast<uint64_t>(k)) >> 11) * 0x1p-53;
    auto x = [&](int64_t i, int64_t j) { return s.x[static_cast<std::size_t>(i * n + j)]; };
    for (int64_t j = 0; j < n; ++j) {
        double total = 0.0;
        for (int64_t t = 0; t < tiles; ++t) {
            double tile_sum = 0.0;
            for (int64_t i = t * INTEROP_ARRAY_TILE_ROWS; i < n && i < (t + 1) * INTEROP_ARRAY_TILE_ROWS; ++i)
                tile_sum += x(i, j);
            s.tiles[static_cast<std::size_t>(t * n + j)] = tile_sum;
            total += tile_sum;
        }
        s.m[static_cast<std::size_t>(j)] = total / static_cast<double>(n);
    }
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {
            const double y = (x(i, j) + x(j, i)) - s.m[static_cast<std::size_t>(j)];
            uint64_t bits;
            std::memcpy(&bits, &y, sizeof bits);
            s.y[static_cast<std::size_t>(i * n + j)] = y;
            s.checksum += bits;
        }
    return s;
}

std::string last_error()
{
    char buffer[256];
    interop_cpp_last_error(buffer, sizeof buffer);
    return buffer;
}

// The first element that differs bit for bit, -1 if none.
int64_t first_difference(const std::vector<double> &got, const std::vector<double> &expected)
{
    for (std::size_t k = 0; k < expected.size(); ++k)
        if (std::memcmp(&got[k], &expected[k], sizeof(double)) != 0)
            return static_cast<int64_t>(k);
    return -1;
}

void test_y(const Spec &s, int64_t chunk, int32_t threads)
{
    const int64_t n = s.n;
    // xt[j ldxt + i] = x[j][i] (interop_array.h): for all rows, a copy of x, here with a wider stride.
    const int64_t ldxt = n + 5;
    std::vector<double> xt(static_cast<std::size_t>(n * ldxt), -1.0);
    for (int64_t j = 0; j < n; ++j)
        for (int64_t i = 0; i < n; ++i)
            xt[static_cast<std::size_t>(j * ldxt + i)] = s.x[static_cast<std::size_t>(j * n + i)];
    const char *const sources[] = {"generated", "x and xt one array", "xt a copy"};
    for (int source = 0; source < 3; ++source) {
        const double *x = source == 0 ? nullptr : s.x.data();
        const double *t = source == 0 ? nullptr : source == 1 ? s.x.data() : xt.data();
        std::vector<double> y(s.y.size(), -1.0);
        double sum = 0.0;
        uint64_t checksum = 0;
        const int32_t status = interop_array_cpp(INTEROP_ARRAY_Y, n, chunk, seed, 0, n, x, n, t,
                                                 source == 2 ? ldxt : n, s.m.data(),
                                                 y.data(), n, &sum, &checksum, threads);
        CHECK(status == 0, "y %s, n %lld chunk %lld threads %d: status %d %s", sources[source], (long long)n,
              (long long)chunk, threads, status, last_error().c_str());
        const int64_t k = first_difference(y, s.y);
        CHECK(k < 0, "y %s, n %lld chunk %lld threads %d: y[%lld][%lld] = %.17g, the spec's %.17g", sources[source],
              (long long)n, (long long)chunk, threads, (long long)(k / n), (long long)(k % n),
              k < 0 ? 0.0 : y[static_cast<std::size_t>(k)], k < 0 ? 0.0 : s.y[static_cast<std::size_t>(k)]);
        CHECK(checksum == s.checksum, "y %s, n %lld chunk %lld threads %d: checksum %016llx, the spec's %016llx",
              sources[source], (long long)n, (long long)chunk, threads, (unsigned long long)checksum,
              (unsigned long long)s.checksum);
    }
}

void test_sums_and_generation(const Spec &s, int32_t threads)
{
    const int64_t n = s.n;
    for (int source = 0; source < 2; ++source) {
        std::vector<double> tiles(s.tiles.size(), -1.0);
        const int32_t status = interop_array_cpp(INTEROP_ARRAY_COLUMN_SUMS, n, 1, seed, 0, n,
                                                 source == 0 ? nullptr : s.x.data(), n, nullptr, 0, nullptr,
                                                 tiles.data(), n, nullptr, nullptr, threads);
        CHECK(status == 0 && first_difference(tiles, s.tiles) < 0,
              "column sums %s, n %lld threads %d: status %d, tile element %lld differs",
              source == 0 ? "generated" : "in memory", (long long)n, threads, status,
              (long long)first_difference(tiles, s.tiles));
    }
    std::vector<double> x(s.x.size(), -1.0);
    const int32_t status = interop_array_cpp(INTEROP_ARRAY_GENERATE, n, 3, seed, 0, n, nullptr, n, nullptr, 0,
                                             nullptr, x.data(), n, nullptr, nullptr, threads);
    CHECK(status == 0 && first_difference(x, s.x) < 0, "generation, n %lld threads %d: status %d, x[%lld] differs",
          (long long)n, threads, status, (long long)first_difference(x, s.x));
}

const char *const path_names[] = {"auto", "scalar", "avx2", "avx512"};

}  // namespace

int main(int argc, char **argv)
{
    int32_t isa = -1;
    for (int32_t i = INTEROP_ISA_SCALAR; argc == 2 && i <= INTEROP_ISA_AVX512; ++i)
        if (std::strcmp(argv[1], path_names[i]) == 0)
            isa = i;
    if (isa < 0) {
        std::fprintf(stderr, "usage: test_cpp_array scalar|avx2|avx512\n");
        return 2;
    }
    if (interop_cpp_isa_supported(isa) != 1) {
        std::printf("%s: not on this CPU\n", argv[1]);
        return exit_skipped;
    }
    CHECK(interop_cpp_isa_select(isa) == 0, "select %s", argv[1]);
    // n 3 at chunk 1: 6 pairs or 9 blocks for 8 threads. n 300: past a tile of the column sums and the
    // kernel's 32 x 32 sub-tiles, with ragged last chunks.
    const Spec small = spec(3), large = spec(300);
    for (int32_t threads : {5, 8}) {
        test_y(small, 1, threads);
        for (int64_t chunk : {1, 45, 128, 300})
            test_y(large, chunk, threads);
        test_sums_and_generation(small, threads);
        test_sums_and_generation(large, threads);
    }
    CHECK(interop_cpp_isa_select(INTEROP_ISA_AUTO) == 0, "back to auto");
    std::printf("%s: %d failure(s)\n", argv[1], failures);
    return failures == 0 ? 0 : 1;
}
