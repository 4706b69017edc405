/*
 * Bounded waits inside ScaLAPACK. BLACS and ScaLAPACK block in MPI's blocking calls, which never
 * give up: a rank that stops (stuck, suspended, or a kernel that never returns) would leave every
 * other rank waiting in pdgetrf forever. This file has a bounded version of each blocking call
 * that libscalapack imports (MPI_Send, MPI_Rsend, MPI_Recv, MPI_Sendrecv, MPI_Waitall,
 * MPI_Barrier, MPI_Bcast, MPI_Reduce, MPI_Allreduce): the nonblocking form (PMPI_I...) completed by
 * the project's one wait loop (bounded_wait.h) with the driver's wait limit (INTEROP_MPI_TIMEOUT,
 * handed over by interop_scalapack_set_wait_limit). A wait past the limit says so on stderr and
 * ends the job with MPI_Abort: an operation left pending inside ScaLAPACK cannot be returned from.
 *
 * How libscalapack comes to call them: interop_scalapack_bound_mpi_calls() (called by create)
 * writes their addresses into libscalapack's own entries for those names (its PLT slots and GOT
 * entries, found through its dynamic section), as the dynamic linker does when it binds them; and
 * into this library's, so that its own calls (agree(), ...) are bounded too. Defining MPI_Send and
 * the rest under their own names would not do: Open MPI loads its components into the process's
 * global scope during MPI_Init, which brings libmpi there, ahead of this library in every later
 * lookup, and the address of an exported function is taken through that same lookup. So the
 * bounded calls are static, and no MPI name is exported.
 */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include "bounded_wait.h"
#include "interop_mpi.h"
#include "interop_scalapack.h"

#include <link.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static double wait_limit = INTEROP_MPI_DEFAULT_WAIT_LIMIT;

/* How long a wait inside ScaLAPACK polls before it starts to sleep between tests. The driver's own
 * waits poll 200 us (a rank waiting for rank 0's single-process backends should not burn a core),
 * but ScaLAPACK waits thousands of times per inversion, often a few milliseconds for another rank's
 * panel: with 200 us, n = 3000 on 2 ranks ran 2.5x slower (AMD EPYC Zen 3). With 10 ms the
 * sleeping starts only in waits that are long anyway, as when a rank has stopped. */
static const double spin_seconds = 0.010;

int32_t interop_scalapack_set_wait_limit(double seconds)
{
    if (!isfinite(seconds) || seconds <= 0)
        return -1;
    wait_limit = seconds;
    return 0;
}

/* Completes the started requests of `call` (status: how starting them went) within the limit. */
static int finish(const char *call, int status, int count, MPI_Request *requests, MPI_Status *statuses)
{
    if (status != MPI_SUCCESS)
        return status;
    status = interop_bounded_wait(count, requests, statuses, spin_seconds, wait_limit);
    if (status == INTEROP_BOUNDED_WAIT_TIMEOUT) {
        int rank = -1;
        PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
        fprintf(stderr,
                "interop: error: scalapack: rank %d waited more than %g s in %s inside ScaLAPACK for another "
                "rank "
                "(the wait limit, INTEROP_MPI_TIMEOUT): ending the job\n",
                rank, wait_limit, call);
        fflush(stderr);
        PMPI_Abort(MPI_COMM_WORLD, 1);
    }
    return status;
}

static int bounded_send(const void *buffer, int count, MPI_Datatype type, int destination, int tag,
                        MPI_Comm comm)
{
    MPI_Request request;
    return finish("MPI_Send", PMPI_Isend(buffer, count, type, destination, tag, comm, &request), 1, &request,
                  MPI_STATUSES_IGNORE);
}

static int bounded_rsend(const void *buffer, int count, MPI_Datatype type, int destination, int tag,
                         MPI_Comm comm)
{
    MPI_Request request;
    return finish("MPI_Rsend", PMPI_Irsend(buffer, count, type, destination, tag, comm, &request), 1,
                  &request, MPI_STATUSES_IGNORE);
}

static int bounded_recv(void *buffer, int count, MPI_Datatype type, int source, int tag, MPI_Comm comm,
                        MPI_Status *status)
{
    MPI_Request request;
    return finish("MPI_Recv", PMPI_Irecv(buffer, count, type, source, tag, comm, &request), 1, &request,
                  status == MPI_STATUS_IGNORE ? MPI_STATUSES_IGNORE : status);
}

static int bounded_sendrecv(const void *send_buffer, int send_count, MPI_Datatype send_type, int destination,
                            int send_tag, void *receive_buffer, int receive_count, MPI_Datatype receive_type,
                            int source, int receive_tag, MPI_Comm comm, MPI_Status *status)
{
    MPI_Request requests[2];
    MPI_Status statuses[2];
    int started =
        PMPI_Irecv(receive_buffer, receive_count, receive_type, source, receive_tag, comm, &requests[0]);
    if (started != MPI_SUCCESS)
        return started;
    started = PMPI_Isend(send_buffer, send_count, send_type, destination, send_tag, comm, &requests[1]);
    if (started != MPI_SUCCESS) {
        PMPI_Cancel(&requests[0]);
        PMPI_Request_free(&requests[0]);
        return started;
    }
    int result = finish("MPI_Sendrecv", MPI_SUCCESS, 2, requests, statuses);
    if (result == MPI_SUCCESS && status != MPI_STATUS_IGNORE)
        *status = statuses[0];
    return result;
}

static int bounded_waitall(int count, MPI_Request requests[], MPI_Status statuses[])
{
    return finish("MPI_Waitall", MPI_SUCCESS, count, requests, statuses);
}

static int bounded_barrier(MPI_Comm comm)
{
    MPI_Request request;
    return finish("MPI_Barrier", PMPI_Ibarrier(comm, &request), 1, &request, MPI_STATUSES_IGNORE);
}

static int bounded_bcast(void *buffer, int count, MPI_Datatype type, int root, MPI_Comm comm)
{
    MPI_Request request;
    return finish("MPI_Bcast", PMPI_Ibcast(buffer, count, type, root, comm, &request), 1, &request,
                  MPI_STATUSES_IGNORE);
}

static int bounded_reduce(const void *send_buffer, void *receive_buffer, int count, MPI_Datatype type,
                          MPI_Op op, int root, MPI_Comm comm)
{
    MPI_Request request;
    return finish("MPI_Reduce",
                  PMPI_Ireduce(send_buffer, receive_buffer, count, type, op, root, comm, &request), 1,
                  &request, MPI_STATUSES_IGNORE);
}

static int bounded_allreduce(const void *send_buffer, void *receive_buffer, int count, MPI_Datatype type,
                             MPI_Op op, MPI_Comm comm)
{
    MPI_Request request;
    return finish("MPI_Allreduce",
                  PMPI_Iallreduce(send_buffer, receive_buffer, count, type, op, comm, &request), 1, &request,
                  MPI_STATUSES_IGNORE);
}

/* The names above and their definitions here, for the redirection (any function pointer type
 * holds any function's address; the slots receive its bytes). */
typedef void (*entry_point)(void);
static const struct {
    const char *name;
    entry_point function;
} bounded[] = {
    {"MPI_Send", (entry_point)bounded_send},           {"MPI_Rsend", (entry_point)bounded_rsend},
    {"MPI_Recv", (entry_point)bounded_recv},           {"MPI_Sendrecv", (entry_point)bounded_sendrecv},
    {"MPI_Waitall", (entry_point)bounded_waitall},     {"MPI_Barrier", (entry_point)bounded_barrier},
    {"MPI_Bcast", (entry_point)bounded_bcast},         {"MPI_Reduce", (entry_point)bounded_reduce},
    {"MPI_Allreduce", (entry_point)bounded_allreduce},
};

#if defined(__x86_64__)
#define SLOT_RELOCATION R_X86_64_JUMP_SLOT
#define DATA_RELOCATION R_X86_64_GLOB_DAT
#elif defined(__aarch64__)
#define SLOT_RELOCATION R_AARCH64_JUMP_SLOT
#define DATA_RELOCATION R_AARCH64_GLOB_DAT
#endif

/* Writes the address of `function` at `where`, making its page writable if it is not: lazy PLT
 * slots are; a GOT entry under full RELRO is not, and its page then stays writable. */
static int write_entry(uintptr_t where, entry_point function)
{
    if (memcmp((const void *)where, &function, sizeof function) == 0)
        return 1;
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t start = where & ~(uintptr_t)(page - 1);
    if (mprotect((void *)start, (size_t)page, PROT_READ | PROT_WRITE) != 0)
        return 0;
    memcpy((void *)where, &function, sizeof function);
    return 1;
}

/* Per loaded object: if it is libscalapack, or this library (whose own calls, agree()'s, bind by
 * the same global lookup), redirect its relocations of the bounded names. */
static int redirect_in(struct dl_phdr_info *info, size_t size, void *redirected)
{
    (void)size;
    if (info->dlpi_name == NULL || (strstr(info->dlpi_name, "libscalapack") == NULL &&
                                    strstr(info->dlpi_name, "libinterop_scalapack") == NULL))
        return 0;
#if defined(SLOT_RELOCATION)
    const ElfW(Dyn) *dynamic = NULL;
    for (int i = 0; i < info->dlpi_phnum; ++i)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dynamic = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    const ElfW(Sym) *symbols = NULL;
    const char *names = NULL;
    const ElfW(Rela) * tables[2] = {NULL, NULL};
    size_t sizes[2] = {0, 0};
    for (const ElfW(Dyn) *d = dynamic; d != NULL && d->d_tag != DT_NULL; ++d) {
        /* glibc has relocated these entries of the dynamic section to addresses already. */
        switch (d->d_tag) {
        case DT_SYMTAB:
            symbols = (const ElfW(Sym) *)d->d_un.d_ptr;
            break;
        case DT_STRTAB:
            names = (const char *)d->d_un.d_ptr;
            break;
        case DT_JMPREL:
            tables[0] = (const ElfW(Rela) *)d->d_un.d_ptr;
            break;
        case DT_PLTRELSZ:
            sizes[0] = d->d_un.d_val;
            break;
        case DT_RELA:
            tables[1] = (const ElfW(Rela) *)d->d_un.d_ptr;
            break;
        case DT_RELASZ:
            sizes[1] = d->d_un.d_val;
            break;
        default:
            break;
        }
    }
    if (symbols == NULL || names == NULL)
        return 0;
    for (int t = 0; t < 2; ++t)
        for (size_t r = 0; tables[t] != NULL && r < sizes[t] / sizeof(ElfW(Rela)); ++r) {
            const ElfW(Rela) *relocation = &tables[t][r];
            unsigned long type = ELF64_R_TYPE(relocation->r_info);
            if (type != SLOT_RELOCATION && type != DATA_RELOCATION)
                continue;
            const char *name = names + symbols[ELF64_R_SYM(relocation->r_info)].st_name;
            for (size_t b = 0; b < sizeof bounded / sizeof bounded[0]; ++b)
                if (strcmp(name, bounded[b].name) == 0 &&
                    write_entry(info->dlpi_addr + relocation->r_offset, bounded[b].function))
                    ++*(int *)redirected;
        }
#endif
    return 0;
}

int32_t interop_scalapack_bound_mpi_calls(void)
{
    int redirected = 0;
    dl_iterate_phdr(redirect_in, &redirected);
    return redirected;
}
