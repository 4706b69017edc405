/* check.h: the CTest programs' check, shared by test_pi_kernels, test_inv_kernels, test_kernel_table,
 * test_fma_limit and test_triad_limit: a failed condition prints its file, line and message on stderr
 * and is counted in `failures`, which the program's exit status reports; the program goes on checking. */
#ifndef INTEROP_TEST_CHECK_H
#define INTEROP_TEST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond, ...)                                                                                     \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                             \
            fprintf(stderr, __VA_ARGS__);                                                                    \
            fputc('\n', stderr);                                                                             \
            ++failures;                                                                                      \
        }                                                                                                    \
    } while (0)

#endif /* INTEROP_TEST_CHECK_H */
