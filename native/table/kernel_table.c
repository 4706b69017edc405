/* Binding of the kernel table's rows (kernel_table.h) by symbol. */
#include "kernel_table.h"
#include "interop.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

const interop_kernel_row *interop_kernel_find(const char *name)
{
    for (size_t i = 0; i < interop_kernel_row_count; ++i)
        if (strcmp(name, interop_kernel_rows[i].id) == 0 || strcmp(name, interop_kernel_rows[i].backend) == 0)
            return &interop_kernel_rows[i];
    return NULL;
}

const char *interop_kernel_symbol_of(const interop_kernel_row *row, const char *workload)
{
    for (size_t i = 0; i < row->symbol_count; ++i)
        if (strcmp(row->symbols[i].workload, workload) == 0)
            return row->symbols[i].symbol;
    return NULL;
}

interop_kernel_function interop_kernel_function_of(const interop_kernel *kernel, const char *workload)
{
    if (kernel->row == NULL)
        return NULL;
    for (size_t i = 0; i < kernel->row->symbol_count && i < INTEROP_KERNEL_MAX_WORKLOADS; ++i)
        if (strcmp(kernel->row->symbols[i].workload, workload) == 0)
            return kernel->functions[i];
    return NULL;
}

const char *interop_kernel_ids(void)
{
    static char ids[256];
    if (ids[0] == '\0')
        for (size_t i = 0; i < interop_kernel_row_count; ++i) {
            size_t used = strlen(ids);
            snprintf(ids + used, sizeof ids - used, "%s%s", i ? "|" : "", interop_kernel_rows[i].id);
        }
    return ids;
}

static const char *const isa_names[] = {"auto", "scalar", "avx2", "avx512"}; /* INTEROP_ISA_* order */

int32_t interop_kernel_isa_parse(const char *name)
{
    for (int32_t isa = INTEROP_ISA_AUTO; isa <= INTEROP_ISA_AVX512; ++isa)
        if (strcmp(name, isa_names[isa]) == 0)
            return isa;
    return -1;
}

const char *interop_kernel_isa_name(int32_t isa)
{
    return isa >= INTEROP_ISA_AUTO && isa <= INTEROP_ISA_AVX512 ? isa_names[isa] : "?";
}

const char *interop_kernel_last_error(const interop_kernel *kernel)
{
    static char message[1024];
    message[0] = '\0';
    if (kernel->last_error != NULL && kernel->last_error(message, (int32_t)sizeof message) <= 0)
        message[0] = '\0';
    return message;
}

/* dlsym gives an object pointer; ISO C has no cast from it to a function pointer, copying the bits is
 * what POSIX guarantees to work. */
static int resolve(void *library, const char *name, void *function, size_t size, const char *file,
                   char *error, size_t capacity)
{
    void *symbol = dlsym(library, name);
    if (symbol == NULL) {
        snprintf(error, capacity, "%s has no symbol %s", file, name);
        return -1;
    }
    memcpy(function, &symbol, size);
    return 0;
}

int interop_kernel_bind(const interop_kernel_row *row, interop_kernel *kernel, char *error, size_t capacity)
{
    const interop_kernel_library *lib = row->library;
    memset(kernel, 0, sizeof *kernel);
    kernel->row = row;
    if (row->symbol_count > INTEROP_KERNEL_MAX_WORKLOADS) {
        snprintf(error, capacity, "kernel %s names %zu workloads, more than the %d this binding holds", row->id,
                 row->symbol_count, INTEROP_KERNEL_MAX_WORKLOADS);
        return -1;
    }
    /* Once loaded, a library stays for the life of the process: nothing is ever closed. */
    void *library = dlopen(lib->path, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(error, capacity, "%s", dlerror());
        return -1;
    }
    int32_t (*abi)(void) = NULL;
    char isa_supported[128], isa_select[128], isa_active[128];
    snprintf(isa_supported, sizeof isa_supported, "%s_supported", lib->isa_prefix);
    snprintf(isa_select, sizeof isa_select, "%s_select", lib->isa_prefix);
    snprintf(isa_active, sizeof isa_active, "%s_active", lib->isa_prefix);
    const struct {
        const char *name;
        void *function;
        size_t size;
    } functions[] = {
        {lib->abi_symbol, &abi, sizeof abi},
        {isa_supported, &kernel->isa_supported, sizeof kernel->isa_supported},
        {isa_select, &kernel->isa_select, sizeof kernel->isa_select},
        {isa_active, &kernel->isa_active, sizeof kernel->isa_active},
        {lib->last_error_symbol, &kernel->last_error, sizeof kernel->last_error}, /* optional: NULL name */
    };
    for (size_t f = 0; f < sizeof functions / sizeof *functions; ++f)
        if (functions[f].name != NULL && resolve(library, functions[f].name, functions[f].function,
                                                 functions[f].size, lib->path, error, capacity) != 0)
            return -1;
    /* Every workload the row names, whatever it is. */
    for (size_t i = 0; i < row->symbol_count; ++i)
        if (resolve(library, row->symbols[i].symbol, &kernel->functions[i], sizeof kernel->functions[i], lib->path,
                    error, capacity) != 0)
            return -1;
    int32_t version = abi();
    if (version != lib->abi_version) {
        snprintf(error, capacity, "%s has ABI version %d, native/kernels.json expects %d", lib->path, version,
                 lib->abi_version);
        return -1;
    }
    return 0;
}

int interop_kernel_bind_path(const interop_kernel_row *row, int32_t isa, interop_kernel *kernel,
                             char *message, size_t capacity)
{
    if (row == NULL) {
        snprintf(message, capacity, "no such kernel in native/kernels.json");
        return -1;
    }
    if (interop_kernel_bind(row, kernel, message, capacity) != 0)
        return -1;
    if (kernel->isa_supported(isa) != 1) {
        snprintf(message, capacity, "%s cannot run the %s path on this CPU", row->library->name,
                 interop_kernel_isa_name(isa));
        return INTEROP_KERNEL_PATH_MISSING;
    }
    if (kernel->isa_select(isa) != 0 || (isa != INTEROP_ISA_AUTO && kernel->isa_active() != isa)) {
        snprintf(message, capacity, "%s: selecting the %s path left %s active", row->library->name,
                 interop_kernel_isa_name(isa), interop_kernel_isa_name(kernel->isa_active()));
        return -1;
    }
    return 0;
}

int interop_kernel_prepare_row(const interop_kernel_row *row, const char *name, const char *workload,
                               int32_t isa, interop_kernel *kernel)
{
    char message[512];
    if (row != NULL && interop_kernel_symbol_of(row, workload) == NULL) {
        memset(kernel, 0, sizeof *kernel);
        printf("skipped: %s runs no %s kernel (native/kernels.json names no '%s' symbol for it)\n", row->id,
               workload, workload);
        return INTEROP_KERNEL_PATH_MISSING;
    }
    int status = interop_kernel_bind_path(row, isa, kernel, message, sizeof message);
    if (status == INTEROP_KERNEL_PATH_MISSING)
        printf("skipped: %s\n", message);
    else if (status != 0)
        fprintf(stderr, "FAIL: %s: %s\n", name, message);
    return status == INTEROP_KERNEL_PATH_MISSING ? INTEROP_KERNEL_PATH_MISSING : status != 0 ? 1 : 0;
}

int interop_kernel_for_each_path(const char *workload, interop_kernel_path_visit visit, void *context)
{
    int failures = 0, rows = 0;
    for (size_t k = 0; k < interop_kernel_row_count; ++k) {
        const interop_kernel_row *row = &interop_kernel_rows[k];
        if (interop_kernel_symbol_of(row, workload) == NULL) {
            printf("%s: runs no %s kernel, left out\n", row->id, workload);
            continue;
        }
        interop_kernel kernel;
        char error[512];
        if (interop_kernel_bind(row, &kernel, error, sizeof error) != 0) {
            fprintf(stderr, "FAIL: %s: %s\n", row->backend, error);
            ++failures;
            continue;
        }
        ++rows;
        for (int32_t isa = INTEROP_ISA_SCALAR; isa <= INTEROP_ISA_AVX512; ++isa) {
            if (kernel.isa_supported(isa) != 1)
                continue;
            if (kernel.isa_select(isa) != 0 || kernel.isa_active() != isa) {
                fprintf(stderr, "FAIL: %s: select %s\n", row->id, interop_kernel_isa_name(isa));
                ++failures;
                continue;
            }
            visit(row, &kernel, isa, context);
        }
        if (kernel.isa_select(INTEROP_ISA_AUTO) != 0) {
            fprintf(stderr, "FAIL: %s: back to auto\n", row->id);
            ++failures;
        }
    }
    if (rows == 0) {
        fprintf(stderr, "FAIL: no kernel of this build runs %s\n", workload);
        ++failures;
    }
    return failures;
}

int interop_kernel_prepare(const char *name, const char *workload, int32_t isa, interop_kernel *kernel)
{
    return interop_kernel_prepare_row(interop_kernel_find(name), name, workload, isa, kernel);
}
