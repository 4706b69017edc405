/* CTest: the C binding of the kernel table (native/table) on rows that leave a workload out, as a row
 * of native/kernels.json may ("symbols": {"pi": ...} alone): the row names no symbol for it, binding
 * leaves that workload's function NULL and resolves the others, and interop_kernel_prepare_row skips
 * the row for that workload (CTest's skip code) instead of binding a function that is not there. A
 * row may name a workload the table's code never heard of: it binds by its key like any other. The
 * rows are made here, over the C row's library; every row of this build is then checked to bind
 * exactly the workloads its symbols name.
 * Usage: test_kernel_table */
#include "interop.h"
#include "kernel_table.h"

#include <stdio.h>
#include <string.h>

#include "check.h"

int main(void)
{
    const interop_kernel_row *c = interop_kernel_find("c");
    if (c == NULL) {
        fprintf(stderr, "FAIL: the table of this build has no row 'c'\n");
        return 1;
    }
    static const interop_kernel_symbol pi_only[] = {{"pi", "interop_pi_count_c"}};
    static const interop_kernel_symbol inv_only[] = {{"inv", "interop_inv_c"}};
    /* A workload key no code here knows, bound to a function of the library's ABI version's type. */
    static const interop_kernel_symbol other_and_pi[] = {{"other_work", "interop_abi_version"},
                                                         {"pi", "interop_pi_count_c"}};
    const interop_kernel_row pi_row = {"test-pi-only", "pionly", c->library, pi_only, 1, NULL, 0};
    const interop_kernel_row inv_row = {"test-inv-only", "invonly", c->library, inv_only, 1, NULL, 0};
    const interop_kernel_row other_row = {"test-other", "other", c->library, other_and_pi, 2, NULL, 0};

    CHECK(interop_kernel_symbol_of(&pi_row, "pi") != NULL &&
              strcmp(interop_kernel_symbol_of(&pi_row, "pi"), "interop_pi_count_c") == 0,
          "pi-only row: its pi symbol");
    CHECK(interop_kernel_symbol_of(&pi_row, "inv") == NULL, "pi-only row: no inv symbol");
    CHECK(interop_kernel_symbol_of(&inv_row, "pi") == NULL, "inv-only row: no pi symbol");

    /* Bound: the workload it runs works, the one it leaves out stays NULL. */
    interop_kernel kernel;
    char error[512];
    CHECK(interop_kernel_bind(&pi_row, &kernel, error, sizeof error) == 0, "bind pi-only: %s", error);
    interop_pi_kernel pi = (interop_pi_kernel)interop_kernel_function_of(&kernel, "pi");
    interop_inv_kernel inv = (interop_inv_kernel)interop_kernel_function_of(&kernel, "inv");
    CHECK(pi != NULL && inv == NULL, "pi-only: pi %s, inv %s", pi ? "bound" : "NULL", inv ? "bound" : "NULL");
    int64_t inside = -1;
    CHECK(pi != NULL && pi(42, 0, 1000000, 2, &inside) == 0 && inside == 785402,
          "pi-only: seed 42, 1e6 darts: %lld", (long long)inside);
    CHECK(interop_kernel_bind(&inv_row, &kernel, error, sizeof error) == 0, "bind inv-only: %s", error);
    pi = (interop_pi_kernel)interop_kernel_function_of(&kernel, "pi");
    inv = (interop_inv_kernel)interop_kernel_function_of(&kernel, "inv");
    CHECK(pi == NULL && inv != NULL, "inv-only: pi %s, inv %s", pi ? "bound" : "NULL", inv ? "bound" : "NULL");
    double a[4] = {4, 7, 2, 6}; /* inverse: [0.6 -0.7; -0.2 0.4] */
    CHECK(inv != NULL && inv(2, a, 1) == 0 && a[0] > 0.599 && a[0] < 0.601 && a[1] < -0.699 && a[1] > -0.701,
          "inv-only: a 2 x 2 inverse %g %g", a[0], a[1]);

    /* A workload unknown to this code binds by its key, beside the others. */
    CHECK(interop_kernel_bind(&other_row, &kernel, error, sizeof error) == 0, "bind other: %s", error);
    int32_t (*other)(void) = (int32_t (*)(void))interop_kernel_function_of(&kernel, "other_work");
    CHECK(other != NULL && other() == INTEROP_ABI_VERSION, "other: its function bound and called");
    CHECK(interop_kernel_function_of(&kernel, "pi") != NULL && interop_kernel_function_of(&kernel, "inv") == NULL,
          "other: pi bound, inv not");

    /* The CTest programs' preparation skips a row for a workload it does not run (exit 77), and
     * prepares it for the one it runs. */
    int status = interop_kernel_prepare_row(&pi_row, pi_row.id, "inv", INTEROP_ISA_SCALAR, &kernel);
    CHECK(status == INTEROP_KERNEL_PATH_MISSING && interop_kernel_function_of(&kernel, "inv") == NULL &&
              interop_kernel_function_of(&kernel, "pi") == NULL,
          "pi-only row prepared for inv: status %d, not skipped", status);
    status = interop_kernel_prepare_row(&inv_row, inv_row.id, "pi", INTEROP_ISA_SCALAR, &kernel);
    CHECK(status == INTEROP_KERNEL_PATH_MISSING, "inv-only row prepared for pi: status %d, not skipped",
          status);
    status = interop_kernel_prepare_row(&pi_row, pi_row.id, "pi", INTEROP_ISA_SCALAR, &kernel);
    CHECK(status == 0 && interop_kernel_function_of(&kernel, "pi") != NULL,
          "pi-only row prepared for pi: status %d", status);
    CHECK(kernel.isa_select(INTEROP_ISA_AUTO) == 0, "back to auto");
    CHECK(interop_kernel_prepare_row(NULL, "nowhere", "pi", INTEROP_ISA_AUTO, &kernel) == 1,
          "an unknown row fails");

    /* Every row of this build binds exactly the workloads its symbols name. */
    for (size_t r = 0; r < interop_kernel_row_count; ++r) {
        const interop_kernel_row *row = &interop_kernel_rows[r];
        CHECK(row->symbol_count >= 1, "%s names no workload", row->id);
        if (interop_kernel_bind(row, &kernel, error, sizeof error) != 0) {
            CHECK(0, "%s: %s", row->id, error);
            continue;
        }
        for (size_t s = 0; s < row->symbol_count; ++s)
            CHECK(interop_kernel_function_of(&kernel, row->symbols[s].workload) != NULL, "%s: %s not bound",
                  row->id, row->symbols[s].workload);
        CHECK(interop_kernel_function_of(&kernel, "no_such_workload") == NULL, "%s: an unnamed workload bound",
              row->id);
    }

    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
