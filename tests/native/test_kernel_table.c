/* CTest: the C binding of the kernel table (native/table) on rows that leave a workload out, as a row
 * of native/kernels.json may ("symbols": {"pi": ...} alone): the row names no symbol for it, binding
 * leaves that workload's function NULL and resolves the others, and interop_kernel_prepare_row skips
 * the row for that workload (CTest's skip code) instead of binding a function that is not there. The
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
    static const interop_kernel_symbol pi_only[] = {{INTEROP_KERNEL_PI, "interop_pi_count_c"}};
    static const interop_kernel_symbol inv_only[] = {{INTEROP_KERNEL_INV, "interop_inv_c"}};
    const interop_kernel_row pi_row = {"test-pi-only", "pionly", c->library, pi_only, 1, NULL, 0};
    const interop_kernel_row inv_row = {"test-inv-only", "invonly", c->library, inv_only, 1, NULL, 0};

    CHECK(interop_kernel_symbol_of(&pi_row, INTEROP_KERNEL_PI) != NULL &&
              strcmp(interop_kernel_symbol_of(&pi_row, INTEROP_KERNEL_PI), "interop_pi_count_c") == 0,
          "pi-only row: its pi symbol");
    CHECK(interop_kernel_symbol_of(&pi_row, INTEROP_KERNEL_INV) == NULL, "pi-only row: no inv symbol");
    CHECK(interop_kernel_symbol_of(&inv_row, INTEROP_KERNEL_PI) == NULL, "inv-only row: no pi symbol");

    /* Bound: the workload it runs works, the one it leaves out stays NULL. */
    interop_kernel kernel;
    char error[512];
    CHECK(interop_kernel_bind(&pi_row, &kernel, error, sizeof error) == 0, "bind pi-only: %s", error);
    CHECK(kernel.pi != NULL && kernel.inv == NULL, "pi-only: pi %s, inv %s", kernel.pi ? "bound" : "NULL",
          kernel.inv ? "bound" : "NULL");
    int64_t inside = -1;
    CHECK(kernel.pi != NULL && kernel.pi(42, 0, 1000000, 2, &inside) == 0 && inside == 785402,
          "pi-only: seed 42, 1e6 darts: %lld", (long long)inside);
    CHECK(interop_kernel_bind(&inv_row, &kernel, error, sizeof error) == 0, "bind inv-only: %s", error);
    CHECK(kernel.pi == NULL && kernel.inv != NULL, "inv-only: pi %s, inv %s", kernel.pi ? "bound" : "NULL",
          kernel.inv ? "bound" : "NULL");
    double a[4] = {4, 7, 2, 6}; /* inverse: [0.6 -0.7; -0.2 0.4] */
    CHECK(kernel.inv != NULL && kernel.inv(2, a, 1) == 0 && a[0] > 0.599 && a[0] < 0.601 && a[1] < -0.699 &&
              a[1] > -0.701,
          "inv-only: a 2 x 2 inverse %g %g", a[0], a[1]);

    /* The CTest programs' preparation skips a row for a workload it does not run (exit 77), and
     * prepares it for the one it runs. */
    int status =
        interop_kernel_prepare_row(&pi_row, pi_row.id, INTEROP_KERNEL_INV, INTEROP_ISA_SCALAR, &kernel);
    CHECK(status == INTEROP_KERNEL_PATH_MISSING && kernel.inv == NULL && kernel.pi == NULL,
          "pi-only row prepared for inv: status %d, not skipped", status);
    status = interop_kernel_prepare_row(&inv_row, inv_row.id, INTEROP_KERNEL_PI, INTEROP_ISA_SCALAR, &kernel);
    CHECK(status == INTEROP_KERNEL_PATH_MISSING, "inv-only row prepared for pi: status %d, not skipped",
          status);
    status = interop_kernel_prepare_row(&pi_row, pi_row.id, INTEROP_KERNEL_PI, INTEROP_ISA_SCALAR, &kernel);
    CHECK(status == 0 && kernel.pi != NULL, "pi-only row prepared for pi: status %d", status);
    CHECK(kernel.isa_select(INTEROP_ISA_AUTO) == 0, "back to auto");
    CHECK(interop_kernel_prepare_row(NULL, "nowhere", INTEROP_KERNEL_PI, INTEROP_ISA_AUTO, &kernel) == 1,
          "an unknown row fails");

    /* Every row of this build binds exactly the workloads its symbols name. */
    for (size_t r = 0; r < interop_kernel_row_count; ++r) {
        const interop_kernel_row *row = &interop_kernel_rows[r];
        CHECK(row->symbol_count >= 1, "%s names no workload", row->id);
        if (interop_kernel_bind(row, &kernel, error, sizeof error) != 0) {
            CHECK(0, "%s: %s", row->id, error);
            continue;
        }
        CHECK((kernel.pi != NULL) == (interop_kernel_symbol_of(row, INTEROP_KERNEL_PI) != NULL) &&
                  (kernel.inv != NULL) == (interop_kernel_symbol_of(row, INTEROP_KERNEL_INV) != NULL),
              "%s: bound functions differ from its symbols", row->id);
    }

    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
