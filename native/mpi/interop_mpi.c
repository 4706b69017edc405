/*
 * libinterop_mpi: a thin C shim over the system MPI (native/include/interop_mpi.h).
 *
 * Every function checks its arguments and MPI's state before entering MPI, so a wrong call from
 * the managed side comes back as a negative status instead of undefined behaviour, and MPI's own
 * errors come back as codes because MPI_COMM_WORLD's error handler is MPI_ERRORS_RETURN.
 *
 * Every collective is MPI's nonblocking variant completed by wait_bounded(): poll briefly, then
 * sleep between MPI_Test calls, and give up after the wait limit (see interop_mpi.h). The started
 * all-to-all's wait yields instead of sleeping (interop_bounded_wait_yielding: its strided blocks
 * move only while both ranks are inside MPI).
 *
 * The shared counter (interop_mpi_counter_*) is the one exception to "every call is MPI": once
 * made, it is a plain int64 in a shared-memory window, taken with C11 atomics from any thread.
 */
#define _POSIX_C_SOURCE 200809L

#include "interop_mpi.h"

#include "bounded_wait.h"

#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

int32_t interop_mpi_abi_version(void)
{
    return INTEROP_MPI_ABI_VERSION;
}

/* The longest a collective waits, in seconds (interop_mpi_set_wait_limit). */
static double wait_limit = INTEROP_MPI_DEFAULT_WAIT_LIMIT;

/* How long a wait polls before it sleeps, in seconds (interop_mpi_set_spin_limit). */
static double spin_limit = INTEROP_MPI_SPIN_MICROSECONDS * 1e-6;

/* Set once a wait timed out or a pending request was abandoned (interop_mpi_request_free): its
 * operation is still pending in MPI, so only abort is safe. */
static int timed_out = 0;

/* 1 when MPI can be called now: initialized and not yet finalized. */
static int mpi_usable(void)
{
    int initialized = 0;
    int finalized = 0;
    if (MPI_Initialized(&initialized) != MPI_SUCCESS || !initialized) {
        return 0;
    }
    if (MPI_Finalized(&finalized) != MPI_SUCCESS || finalized) {
        return 0;
    }
    return 1;
}

static int to_mpi_thread_level(int32_t level, int *mpi_level)
{
    switch (level) {
    case INTEROP_MPI_THREAD_SINGLE:
        *mpi_level = MPI_THREAD_SINGLE;
        return 1;
    case INTEROP_MPI_THREAD_FUNNELED:
        *mpi_level = MPI_THREAD_FUNNELED;
        return 1;
    case INTEROP_MPI_THREAD_SERIALIZED:
        *mpi_level = MPI_THREAD_SERIALIZED;
        return 1;
    case INTEROP_MPI_THREAD_MULTIPLE:
        *mpi_level = MPI_THREAD_MULTIPLE;
        return 1;
    default:
        return 0;
    }
}

static int32_t from_mpi_thread_level(int mpi_level)
{
    /* The MPI standard only promises SINGLE < FUNNELED < SERIALIZED < MULTIPLE, not the values. */
    if (mpi_level >= MPI_THREAD_MULTIPLE) {
        return INTEROP_MPI_THREAD_MULTIPLE;
    }
    if (mpi_level >= MPI_THREAD_SERIALIZED) {
        return INTEROP_MPI_THREAD_SERIALIZED;
    }
    if (mpi_level >= MPI_THREAD_FUNNELED) {
        return INTEROP_MPI_THREAD_FUNNELED;
    }
    return INTEROP_MPI_THREAD_SINGLE;
}

static int to_mpi_op(int32_t op, MPI_Op *mpi_op)
{
    switch (op) {
    case INTEROP_MPI_OP_SUM:
        *mpi_op = MPI_SUM;
        return 1;
    case INTEROP_MPI_OP_MIN:
        *mpi_op = MPI_MIN;
        return 1;
    case INTEROP_MPI_OP_MAX:
        *mpi_op = MPI_MAX;
        return 1;
    default:
        return 0;
    }
}

/* 1 when a collective (or MPI_Finalize) may start: MPI usable and no earlier wait timed out. */
static int collectives_usable(void)
{
    return !timed_out && mpi_usable();
}

/* Checks a root against the size of MPI_COMM_WORLD; 0 when valid, else a status. */
static int32_t check_root(int32_t root)
{
    int size = 0;
    int status = MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (status != MPI_SUCCESS) {
        return status;
    }
    return (root < 0 || root >= size) ? INTEROP_MPI_ERR_ROOT : 0;
}

/* Checks an element count: 0 when it is in [0, INT_MAX], else a status. */
static int32_t check_count(int64_t count)
{
    if (count < 0) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    return count > INT_MAX ? INTEROP_MPI_ERR_TOO_LARGE : 0;
}

/* Copies `text` into a caller's buffer, NUL-terminated and truncated to fit. */
static void copy_text(const char *text, char *buffer, int32_t capacity)
{
    size_t length = strlen(text);
    size_t room = (size_t)capacity - 1;
    if (length > room) {
        length = room;
    }
    memcpy(buffer, text, length);
    buffer[length] = '\0';
}

/* Completes a started nonblocking operation within the wait limit (bounded_wait.h). After the
 * limit: INTEROP_MPI_ERR_TIMEOUT, and the shim refuses every later call but abort. */
static int32_t wait_bounded(MPI_Request *request)
{
    int status = interop_bounded_wait(1, request, MPI_STATUSES_IGNORE, spin_limit,
                                      wait_limit);
    if (status == INTEROP_BOUNDED_WAIT_TIMEOUT) {
        timed_out = 1;
        return INTEROP_MPI_ERR_TIMEOUT;
    }
    return status;
}

/* A started operation's status: MPI's error, or the bounded wait's. */
static int32_t complete(int status, MPI_Request *request)
{
    return status != MPI_SUCCESS ? status : wait_bounded(request);
}

int32_t interop_mpi_set_wait_limit(double seconds)
{
    if (!isfinite(seconds) || seconds <= 0) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    wait_limit = seconds;
    return MPI_SUCCESS;
}

int32_t interop_mpi_wait_limit(double *seconds)
{
    if (seconds == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    *seconds = wait_limit;
    return MPI_SUCCESS;
}

int32_t interop_mpi_set_spin_limit(double seconds)
{
    if (!isfinite(seconds) || seconds < 0) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    spin_limit = seconds;
    return MPI_SUCCESS;
}

int32_t interop_mpi_spin_limit(double *seconds)
{
    if (seconds == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    *seconds = spin_limit;
    return MPI_SUCCESS;
}

int32_t interop_mpi_init(int32_t requested, int32_t *provided)
{
    int mpi_requested = 0;
    int mpi_provided = 0;
    int initialized = 0;
    int finalized = 0;
    int status;
    if (provided == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!to_mpi_thread_level(requested, &mpi_requested)) {
        return INTEROP_MPI_ERR_THREAD_LEVEL;
    }
    if ((status = MPI_Initialized(&initialized)) != MPI_SUCCESS) {
        return status;
    }
    if ((status = MPI_Finalized(&finalized)) != MPI_SUCCESS) {
        return status;
    }
    if (initialized || finalized) {
        return INTEROP_MPI_ERR_STATE;
    }
    status = MPI_Init_thread(NULL, NULL, mpi_requested, &mpi_provided);
    if (status != MPI_SUCCESS) {
        return status;
    }
    /* From here on an MPI error on the world communicator is a return code, not an abort. */
    status = MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (status != MPI_SUCCESS) {
        return status;
    }
    *provided = from_mpi_thread_level(mpi_provided);
    return MPI_SUCCESS;
}

int32_t interop_mpi_finalize(void)
{
    MPI_Request request = MPI_REQUEST_NULL;
    int32_t status;
    if (!collectives_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    /* MPI_Finalize may wait for every rank, unboundedly and polling: meet them here first. */
    if ((status = complete(MPI_Ibarrier(MPI_COMM_WORLD, &request), &request)) != MPI_SUCCESS) {
        return status;
    }
    return MPI_Finalize();
}

int32_t interop_mpi_initialized(int32_t *flag)
{
    int value = 0;
    int status;
    if (flag == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    status = MPI_Initialized(&value);
    *flag = value ? 1 : 0;
    return status;
}

int32_t interop_mpi_finalized(int32_t *flag)
{
    int value = 0;
    int status;
    if (flag == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    status = MPI_Finalized(&value);
    *flag = value ? 1 : 0;
    return status;
}

int32_t interop_mpi_query_thread(int32_t *provided)
{
    int level = 0;
    int status;
    if (provided == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!mpi_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    status = MPI_Query_thread(&level);
    if (status == MPI_SUCCESS) {
        *provided = from_mpi_thread_level(level);
    }
    return status;
}

int32_t interop_mpi_comm_world_rank(int32_t *rank)
{
    int value = 0;
    int status;
    if (rank == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!mpi_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    status = MPI_Comm_rank(MPI_COMM_WORLD, &value);
    if (status == MPI_SUCCESS) {
        *rank = value;
    }
    return status;
}

int32_t interop_mpi_comm_world_size(int32_t *size)
{
    int value = 0;
    int status;
    if (size == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!mpi_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    status = MPI_Comm_size(MPI_COMM_WORLD, &value);
    if (status == MPI_SUCCESS) {
        *size = value;
    }
    return status;
}

int32_t interop_mpi_processor_name(char *buffer, int32_t capacity, int32_t *length)
{
    char name[MPI_MAX_PROCESSOR_NAME + 1];
    int name_length = 0;
    int status;
    if (buffer == NULL || capacity < 1) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    buffer[0] = '\0';
    if (!mpi_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    memset(name, 0, sizeof name);
    status = MPI_Get_processor_name(name, &name_length);
    if (status != MPI_SUCCESS) {
        return status;
    }
    copy_text(name, buffer, capacity);
    if (length != NULL) {
        *length = (int32_t)strlen(name);
    }
    return MPI_SUCCESS;
}

int32_t interop_mpi_library_version(char *buffer, int32_t capacity, int32_t *length)
{
    char version[MPI_MAX_LIBRARY_VERSION_STRING + 1];
    int version_length = 0;
    int status;
    if (buffer == NULL || capacity < 1) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    buffer[0] = '\0';
    memset(version, 0, sizeof version);
    status = MPI_Get_library_version(version, &version_length);
    if (status != MPI_SUCCESS) {
        return status;
    }
    /* Some implementations end the text with a newline: reports want one line. */
    for (size_t end = strlen(version); end > 0 && (version[end - 1] == '\n' || version[end - 1] == ' ');
         --end) {
        version[end - 1] = '\0';
    }
    copy_text(version, buffer, capacity);
    if (length != NULL) {
        *length = (int32_t)strlen(version);
    }
    return MPI_SUCCESS;
}

int32_t interop_mpi_wtime(double *seconds)
{
    if (seconds == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!mpi_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    *seconds = MPI_Wtime();
    return MPI_SUCCESS;
}

int32_t interop_mpi_wtick(double *seconds)
{
    if (seconds == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!mpi_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    *seconds = MPI_Wtick();
    return MPI_SUCCESS;
}

int32_t interop_mpi_barrier(void)
{
    if (!collectives_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    MPI_Request request = MPI_REQUEST_NULL;
    return complete(MPI_Ibarrier(MPI_COMM_WORLD, &request), &request);
}

int32_t interop_mpi_bcast_bytes(void *buffer, int64_t count, int32_t root)
{
    int32_t status;
    if ((status = check_count(count)) != 0) {
        return status;
    }
    if (buffer == NULL && count > 0) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!collectives_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    if ((status = check_root(root)) != 0) {
        return status;
    }
    MPI_Request request = MPI_REQUEST_NULL;
    return complete(MPI_Ibcast(buffer, (int)count, MPI_BYTE, root, MPI_COMM_WORLD, &request), &request);
}

/* The checks shared by every reduction; 0 when the call may go ahead. */
static int32_t check_reduction(const void *send, const void *recv, int64_t count, int32_t op, int recv_needed,
                               MPI_Op *mpi_op)
{
    int32_t status;
    if ((status = check_count(count)) != 0) {
        return status;
    }
    if (count > 0 && (send == NULL || (recv_needed && recv == NULL))) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!to_mpi_op(op, mpi_op)) {
        return INTEROP_MPI_ERR_OP;
    }
    if (!collectives_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    return 0;
}

/* 1 when this rank is `root` (check_root has accepted it). */
static int is_root(int32_t root)
{
    int rank = -1;
    return MPI_Comm_rank(MPI_COMM_WORLD, &rank) == MPI_SUCCESS && rank == root;
}

static int32_t reduce(const void *send, void *recv, int64_t count, MPI_Datatype type, int32_t op,
                      int32_t root)
{
    MPI_Op mpi_op = MPI_OP_NULL;
    int32_t status;
    /* recv matters on the root only, so its NULL check waits until the root is known to be valid. */
    if ((status = check_reduction(send, recv, count, op, 0, &mpi_op)) != 0) {
        return status;
    }
    if ((status = check_root(root)) != 0) {
        return status;
    }
    if (count > 0 && recv == NULL && is_root(root)) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    MPI_Request request = MPI_REQUEST_NULL;
    return complete(MPI_Ireduce(send, recv, (int)count, type, mpi_op, root, MPI_COMM_WORLD, &request),
                    &request);
}

static int32_t allreduce(const void *send, void *recv, int64_t count, MPI_Datatype type, int32_t op)
{
    MPI_Op mpi_op = MPI_OP_NULL;
    int32_t status;
    if ((status = check_reduction(send, recv, count, op, 1, &mpi_op)) != 0) {
        return status;
    }
    MPI_Request request = MPI_REQUEST_NULL;
    return complete(MPI_Iallreduce(send, recv, (int)count, type, mpi_op, MPI_COMM_WORLD, &request), &request);
}

int32_t interop_mpi_reduce_int64(const int64_t *send, int64_t *recv, int64_t count, int32_t op, int32_t root)
{
    return reduce(send, recv, count, MPI_INT64_T, op, root);
}

int32_t interop_mpi_reduce_double(const double *send, double *recv, int64_t count, int32_t op, int32_t root)
{
    return reduce(send, recv, count, MPI_DOUBLE, op, root);
}

int32_t interop_mpi_allreduce_int64(const int64_t *send, int64_t *recv, int64_t count, int32_t op)
{
    return allreduce(send, recv, count, MPI_INT64_T, op);
}

int32_t interop_mpi_allreduce_double(const double *send, double *recv, int64_t count, int32_t op)
{
    return allreduce(send, recv, count, MPI_DOUBLE, op);
}

int32_t interop_mpi_gather_bytes(const void *send, void *recv, int64_t count, int32_t root)
{
    int32_t status;
    if ((status = check_count(count)) != 0) {
        return status;
    }
    if (send == NULL && count > 0) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!collectives_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    if ((status = check_root(root)) != 0) {
        return status;
    }
    if (count > 0 && recv == NULL && is_root(root)) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    MPI_Request request = MPI_REQUEST_NULL;
    return complete(
        MPI_Igather(send, (int)count, MPI_BYTE, recv, (int)count, MPI_BYTE, root, MPI_COMM_WORLD, &request),
        &request);
}

int32_t interop_mpi_allgather_bytes(const void *send, void *recv, int64_t count)
{
    int32_t status;
    if ((status = check_count(count)) != 0) {
        return status;
    }
    if (count > 0 && (send == NULL || recv == NULL)) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!collectives_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    MPI_Request request = MPI_REQUEST_NULL;
    return complete(
        MPI_Iallgather(send, (int)count, MPI_BYTE, recv, (int)count, MPI_BYTE, MPI_COMM_WORLD, &request),
        &request);
}

/* 0 when `tag` is one every MPI accepts (MPI_TAG_UB is at least 32767). */
static int32_t check_tag(int32_t tag)
{
    return tag < 0 || tag > 32767 ? INTEROP_MPI_ERR_ARGUMENT : 0;
}

int32_t interop_mpi_send_int64(const int64_t *values, int64_t count, int32_t dest, int32_t tag)
{
    int32_t status;
    if ((status = check_count(count)) != 0 || (status = check_tag(tag)) != 0) {
        return status;
    }
    if (values == NULL && count > 0) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!collectives_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    if ((status = check_root(dest)) != 0) {
        return status;
    }
    MPI_Request request = MPI_REQUEST_NULL;
    return complete(MPI_Isend(values, (int)count, MPI_INT64_T, dest, tag, MPI_COMM_WORLD, &request), &request);
}

int32_t interop_mpi_recv_int64(int64_t *values, int64_t count, int32_t source, int32_t tag, int32_t *from)
{
    int32_t status;
    if ((status = check_count(count)) != 0 || (status = check_tag(tag)) != 0) {
        return status;
    }
    if ((values == NULL && count > 0) || from == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!collectives_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    if (source != INTEROP_MPI_ANY_SOURCE && (status = check_root(source)) != 0) {
        return status;
    }
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Status received;
    status = MPI_Irecv(values, (int)count, MPI_INT64_T, source == INTEROP_MPI_ANY_SOURCE ? MPI_ANY_SOURCE : source,
                       tag, MPI_COMM_WORLD, &request);
    if (status != MPI_SUCCESS) {
        return status;
    }
    status = interop_bounded_wait(1, &request, &received, spin_limit, wait_limit);
    if (status == INTEROP_BOUNDED_WAIT_TIMEOUT) {
        /* Unlike a collective, a receive can be cancelled: its buffer is not written later. */
        MPI_Cancel(&request);
        MPI_Request_free(&request);
        timed_out = 1;
        return INTEROP_MPI_ERR_TIMEOUT;
    }
    if (status != MPI_SUCCESS) {
        return status;
    }
    int got = 0;
    MPI_Get_count(&received, MPI_INT64_T, &got);
    if (got != (int)count) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    *from = (int32_t)received.MPI_SOURCE;
    return 0;
}

struct interop_mpi_request {
    MPI_Request request;
    /* 1 once MPI_Test saw it complete (request is then MPI_REQUEST_NULL). */
    int completed;
    int size;
    /* MPI reads the counts, displacements and datatypes of a nonblocking collective until it
     * completes, so they live here (after the struct, in the same allocation): `size` send and
     * `size` receive datatypes, then four arrays of `size` ints: send counts, send displacements,
     * receive counts, receive displacements. The derived datatypes are freed with the request once
     * the operation has completed (release_request). */
    MPI_Datatype *types;
    int *ints;
};

/* Checks an offset or stride in doubles: 0 when its byte displacement fits MPI_Aint, else a status. */
static int32_t check_displacement(int64_t doubles)
{
    if (doubles < 0) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    /* MPI_Aint is as wide as an address: 64 bits here, 32 on a 32-bit system. */
    int64_t limit = sizeof(MPI_Aint) >= sizeof(int64_t) ? INT64_MAX : INT32_MAX;
    return doubles > limit / (int64_t)sizeof(double) ? INTEROP_MPI_ERR_TOO_LARGE : 0;
}

/* Frees the derived datatypes of a request (MPI must still be usable) and the request. */
static void release_request(interop_mpi_request *request)
{
    if (mpi_usable()) {
        for (int i = 0; i < 2 * request->size; ++i) {
            if (request->types[i] != MPI_DOUBLE && request->types[i] != MPI_DATATYPE_NULL) {
                MPI_Type_free(&request->types[i]);
            }
        }
    }
    free(request);
}

/* A committed datatype of `blocks` blocks of `width` doubles, `stride` doubles apart, the first at
 * `offset` doubles from the buffer: one element of it is the whole block of rows. */
static int rows_type(int blocks, int width, int64_t stride, int64_t offset, MPI_Datatype *type)
{
    MPI_Datatype rows = MPI_DATATYPE_NULL;
    int one = 1;
    MPI_Aint displacement = (MPI_Aint)(offset * (int64_t)sizeof(double));
    int status = MPI_Type_create_hvector(blocks, width, (MPI_Aint)(stride * (int64_t)sizeof(double)), MPI_DOUBLE,
                                         &rows);
    if (status != MPI_SUCCESS) {
        return status;
    }
    status = MPI_Type_create_hindexed(1, &one, &displacement, rows, type);
    MPI_Type_free(&rows);
    if (status != MPI_SUCCESS) {
        return status;
    }
    status = MPI_Type_commit(type);
    if (status != MPI_SUCCESS) {
        MPI_Type_free(type);
        *type = MPI_DATATYPE_NULL;
    }
    return status;
}

int32_t interop_mpi_alltoall_rows_double_start(const double *send, int64_t send_stride,
                                               const int64_t *send_rows, const int64_t *send_widths,
                                               const int64_t *send_offsets, double *recv,
                                               const int64_t *recv_counts, const int64_t *recv_offsets,
                                               interop_mpi_request **request)
{
    int size = 0;
    int32_t status;
    if (request == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    *request = NULL;
    if (send_rows == NULL || send_widths == NULL || send_offsets == NULL || recv_counts == NULL ||
        recv_offsets == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!collectives_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    if ((status = MPI_Comm_size(MPI_COMM_WORLD, &size)) != MPI_SUCCESS) {
        return status;
    }
    /* Every argument checked before any datatype is made, so a refusal leaves nothing behind. */
    if ((status = check_displacement(send_stride)) != 0) {
        return status;
    }
    int sends = 0;
    int receives = 0;
    for (int i = 0; i < size; ++i) {
        if ((status = check_count(send_rows[i])) != 0 || (status = check_count(send_widths[i])) != 0 ||
            (status = check_displacement(send_offsets[i])) != 0 || (status = check_count(recv_counts[i])) != 0 ||
            (status = check_displacement(recv_offsets[i])) != 0) {
            return status;
        }
        sends |= send_rows[i] > 0 && send_widths[i] > 0;
        receives |= recv_counts[i] > 0;
    }
    if ((send == NULL && sends) || (recv == NULL && receives)) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    interop_mpi_request *made =
        malloc(sizeof *made + 2 * (size_t)size * sizeof(MPI_Datatype) + 4 * (size_t)size * sizeof(int));
    if (made == NULL) {
        return MPI_ERR_NO_MEM;
    }
    made->request = MPI_REQUEST_NULL;
    made->completed = 0;
    made->size = size;
    made->types = (MPI_Datatype *)(made + 1);
    made->ints = (int *)(made->types + 2 * size);
    MPI_Datatype *send_types = made->types;
    MPI_Datatype *recv_types = send_types + size;
    int *mpi_send_counts = made->ints;
    int *mpi_send_displacements = mpi_send_counts + size;
    int *mpi_recv_counts = mpi_send_displacements + size;
    int *mpi_recv_displacements = mpi_recv_counts + size;
    for (int i = 0; i < 2 * size; ++i) {
        made->types[i] = MPI_DOUBLE;
    }
    /* The displacements are in the datatypes (MPI_Aint bytes), so alltoallw's int byte
     * displacements stay 0 and no buffer is limited to 2 GiB. */
    status = MPI_SUCCESS;
    for (int i = 0; i < size && status == MPI_SUCCESS; ++i) {
        mpi_send_displacements[i] = 0;
        mpi_recv_displacements[i] = 0;
        mpi_send_counts[i] = 0;
        mpi_recv_counts[i] = 0;
        if (send_rows[i] > 0 && send_widths[i] > 0) {
            mpi_send_counts[i] = 1;
            status = rows_type((int)send_rows[i], (int)send_widths[i], send_stride, send_offsets[i], &send_types[i]);
        }
        if (status == MPI_SUCCESS && recv_counts[i] > 0) {
            mpi_recv_counts[i] = 1;
            status = rows_type(1, (int)recv_counts[i], 0, recv_offsets[i], &recv_types[i]);
        }
    }
    if (status == MPI_SUCCESS) {
        status = MPI_Ialltoallw(send, mpi_send_counts, mpi_send_displacements, send_types, recv, mpi_recv_counts,
                                mpi_recv_displacements, recv_types, MPI_COMM_WORLD, &made->request);
    }
    if (status != MPI_SUCCESS) {
        release_request(made);
        return status;
    }
    *request = made;
    return MPI_SUCCESS;
}

int32_t interop_mpi_request_wait(interop_mpi_request *request)
{
    int32_t status;
    if (request == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (request->completed) {
        status = MPI_SUCCESS;
    } else if (!collectives_usable()) {
        /* The operation may still be pending in MPI; it is left there, with its datatypes, for the
         * job's abort. */
        free(request);
        return INTEROP_MPI_ERR_STATE;
    } else {
        /* Yielding, not sleeping: the blocks are rows of a strided datatype, which move in fragments
         * only while both ranks of a pair are inside MPI (bounded_wait.h). */
        status = interop_bounded_wait_yielding(1, &request->request, MPI_STATUSES_IGNORE, wait_limit);
        if (status == INTEROP_BOUNDED_WAIT_TIMEOUT) {
            timed_out = 1;
            status = INTEROP_MPI_ERR_TIMEOUT;
        }
        if (status == INTEROP_MPI_ERR_TIMEOUT) {
            /* Still pending: its datatypes stay (MPI may use them yet) with the job's abort. */
            free(request);
            return status;
        }
    }
    release_request(request);
    return status;
}

int32_t interop_mpi_request_test(interop_mpi_request *request, int32_t *done)
{
    int flag = 0;
    int status;
    if (request == NULL || done == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    *done = 0;
    if (request->completed) {
        *done = 1;
        return MPI_SUCCESS;
    }
    if (!collectives_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    status = MPI_Test(&request->request, &flag, MPI_STATUS_IGNORE);
    if (status != MPI_SUCCESS) {
        return status;
    }
    if (flag) {
        request->completed = 1;
        *done = 1;
    }
    return MPI_SUCCESS;
}

int32_t interop_mpi_request_free(interop_mpi_request *request)
{
    if (request == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!request->completed) {
        /* Still pending: it may write the receive buffer later, so only an abort is safe now; its
         * datatypes stay with it (MPI may use them yet). */
        timed_out = 1;
        free(request);
        return MPI_SUCCESS;
    }
    release_request(request);
    return MPI_SUCCESS;
}

/* A lock-free atomic holds its whole state in the object itself, so it works between the processes
 * that map the same memory; a lock-based one would lock a mutex private to each process. "Always
 * lock-free" (2) holds for every suitably aligned object, which interop_mpi_counter_open checks of
 * the window's address (atomic_is_lock_free would check it too, but needs libatomic). */
#if ATOMIC_LLONG_LOCK_FREE != 2
#error "the shared counter needs always lock-free 64-bit atomics (ATOMIC_LLONG_LOCK_FREE == 2)"
#endif
_Static_assert(sizeof(long long) == sizeof(int64_t), "the counter's atomic long long is an int64_t");

struct interop_mpi_counter {
    MPI_Comm node;          /* the ranks of this node: every world rank */
    MPI_Win window;         /* the shared window; node rank 0 holds the 8 bytes */
    _Atomic long long *value;
};

/* The buffers of agree_min's allreduce: static, not on the stack, because after a timeout the
 * pending operation may still write them (no later collective runs then: timed_out). */
static int agreement_mine;
static int agreement_all;

/* Bounded MPI_Allreduce(MIN) of one int over MPI_COMM_WORLD: every rank is here and learns the
 * smallest value (so 1 from every rank, else 0: all agree). */
static int32_t agree_min(int mine, int *all)
{
    MPI_Request request = MPI_REQUEST_NULL;
    int32_t status;
    agreement_mine = mine;
    status = complete(MPI_Iallreduce(&agreement_mine, &agreement_all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD, &request),
                      &request);
    if (status == MPI_SUCCESS) {
        *all = agreement_all;
    }
    return status;
}

/* What each rank reports in the second agreement of interop_mpi_counter_open. */
enum { WINDOW_NONE = 0, WINDOW_UNUSABLE = 1, WINDOW_USABLE = 2 };

int32_t interop_mpi_counter_open(int32_t want_shared, int32_t *shared, interop_mpi_counter **counter)
{
    int world_size = 0;
    int node_size = 0;
    int node_rank = 0;
    int agreed = 0;
    int32_t status;
    if (shared == NULL || counter == NULL || (want_shared != 0 && want_shared != 1)) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    *shared = 0;
    *counter = NULL;
    if (!collectives_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    if ((status = MPI_Comm_size(MPI_COMM_WORLD, &world_size)) != MPI_SUCCESS) {
        return status;
    }
    /* Bounded: every rank is here (MPI_Comm_split_type and MPI_Win_allocate_shared below block
     * without limit) and every rank wants the window. */
    if ((status = agree_min(want_shared, &agreed)) != MPI_SUCCESS || !agreed) {
        return status;
    }

    MPI_Comm node = MPI_COMM_NULL;
    if ((status = MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node)) != MPI_SUCCESS) {
        return status;
    }
    if ((status = MPI_Comm_size(node, &node_size)) != MPI_SUCCESS ||
        (status = MPI_Comm_rank(node, &node_rank)) != MPI_SUCCESS) {
        MPI_Comm_free(&node);
        return status;
    }
    /* Every rank sees the same: the node holds every world rank on all of them or on none. */
    if (node_size != world_size) {
        return MPI_Comm_free(&node);
    }

    MPI_Win window = MPI_WIN_NULL;
    void *base = NULL;
    void *shared_at = NULL;
    MPI_Aint bytes = 0;
    int unit = 0;
    int mine = WINDOW_NONE;
    interop_mpi_counter *made = NULL;
    if (MPI_Win_allocate_shared(node_rank == 0 ? (MPI_Aint)sizeof(long long) : 0, (int)sizeof(long long), MPI_INFO_NULL,
                                node, &base, &window) == MPI_SUCCESS) {
        mine = WINDOW_UNUSABLE;
        MPI_Win_set_errhandler(window, MPI_ERRORS_RETURN);
        made = malloc(sizeof *made);
        if (made != NULL && MPI_Win_shared_query(window, 0, &bytes, &unit, &shared_at) == MPI_SUCCESS &&
            shared_at != NULL && bytes >= (MPI_Aint)sizeof(long long) &&
            (uintptr_t)shared_at % _Alignof(_Atomic long long) == 0) {
            mine = WINDOW_USABLE;
            made->node = node;
            made->window = window;
            made->value = (_Atomic long long *)shared_at;
            if (node_rank == 0) {
                atomic_store(made->value, 0);
            }
        }
    }

    /* Bounded again, and it orders node rank 0's store of 0 before any rank's first take. */
    int32_t agreement = agree_min(mine, &agreed);
    if (agreement != MPI_SUCCESS) {
        /* A rank failed or never came: the job ends; the window is left to it. */
        free(made);
        return agreement;
    }
    atomic_thread_fence(memory_order_seq_cst);
    if (agreed == WINDOW_USABLE) {
        *counter = made;
        *shared = 1;
        return MPI_SUCCESS;
    }
    free(made);
    /* Every rank has a window (but not every one can use it): all are here, so freeing it, a
     * collective, cannot wait. Where some rank has none, freeing would wait for that rank forever:
     * the window is left until the job ends. */
    if (agreed == WINDOW_UNUSABLE) {
        MPI_Win_free(&window);
    }
    return MPI_Comm_free(&node);
}

int32_t interop_mpi_counter_fetch_add(interop_mpi_counter *counter, int64_t add, int64_t *old)
{
    if (counter == NULL || old == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    /* Relaxed: the ranges handed out are disjoint whatever the order; no other memory is published
     * through the counter. */
    *old = (int64_t)atomic_fetch_add_explicit(counter->value, (long long)add, memory_order_relaxed);
    return MPI_SUCCESS;
}

int32_t interop_mpi_counter_compare_exchange(interop_mpi_counter *counter, int64_t *expected, int64_t desired,
                                             int32_t *swapped)
{
    if (counter == NULL || expected == NULL || swapped == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    long long seen = (long long)*expected;
    *swapped = atomic_compare_exchange_strong_explicit(counter->value, &seen, (long long)desired, memory_order_relaxed,
                                                       memory_order_relaxed)
                   ? 1
                   : 0;
    *expected = (int64_t)seen;
    return MPI_SUCCESS;
}

int32_t interop_mpi_counter_close(interop_mpi_counter *counter)
{
    MPI_Request request = MPI_REQUEST_NULL;
    int32_t status;
    if (counter == NULL) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    if (!collectives_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    /* MPI_Win_free waits for every rank of the node, unboundedly: meet them here first. */
    if ((status = complete(MPI_Ibarrier(MPI_COMM_WORLD, &request), &request)) != MPI_SUCCESS) {
        return status;
    }
    status = MPI_Win_free(&counter->window);
    int32_t freed = MPI_Comm_free(&counter->node);
    free(counter);
    return status != MPI_SUCCESS ? status : freed;
}

int32_t interop_mpi_abort(int32_t code)
{
    /* Allowed after a timeout too: aborting is the one way out of it. */
    if (!mpi_usable()) {
        return INTEROP_MPI_ERR_STATE;
    }
    return MPI_Abort(MPI_COMM_WORLD, code);
}

static const char *shim_error_text(int32_t code)
{
    switch (code) {
    case INTEROP_MPI_ERR_ARGUMENT:
        return "invalid argument (a NULL pointer, a negative count or a capacity < 1)";
    case INTEROP_MPI_ERR_ROOT:
        return "root is not a rank of MPI_COMM_WORLD";
    case INTEROP_MPI_ERR_OP:
        return "unknown reduction operation code";
    case INTEROP_MPI_ERR_THREAD_LEVEL:
        return "unknown thread level code";
    case INTEROP_MPI_ERR_STATE:
        return "MPI is not initialized, or is already finalized (or was initialized twice), or an earlier "
               "collective timed out or was abandoned (then the job can only be aborted)";
    case INTEROP_MPI_ERR_TOO_LARGE:
        return "count is too large for MPI (more than 2^31 - 1 elements)";
    case INTEROP_MPI_ERR_TIMEOUT:
        return "the other ranks did not all arrive within the wait limit";
    default:
        return NULL;
    }
}

int32_t interop_mpi_error_string(int32_t code, char *buffer, int32_t capacity)
{
    char text[MPI_MAX_ERROR_STRING + 1];
    int text_length = 0;
    const char *shim_text;
    int status;
    if (buffer == NULL || capacity < 1) {
        return INTEROP_MPI_ERR_ARGUMENT;
    }
    buffer[0] = '\0';
    if (code == MPI_SUCCESS) {
        copy_text("success", buffer, capacity);
        return MPI_SUCCESS;
    }
    if (code < 0) {
        shim_text = shim_error_text(code);
        if (shim_text != NULL) {
            copy_text(shim_text, buffer, capacity);
        } else {
            snprintf(text, sizeof text, "unknown interop_mpi status %d", (int)code);
            copy_text(text, buffer, capacity);
        }
        return MPI_SUCCESS;
    }
    /* MPI_Error_string is only safe while MPI is usable: outside, say which code it was. */
    if (!mpi_usable()) {
        snprintf(text, sizeof text, "MPI error code %d", (int)code);
        copy_text(text, buffer, capacity);
        return MPI_SUCCESS;
    }
    memset(text, 0, sizeof text);
    status = MPI_Error_string(code, text, &text_length);
    if (status != MPI_SUCCESS) {
        snprintf(text, sizeof text, "MPI error code %d", (int)code);
    }
    copy_text(text, buffer, capacity);
    return status;
}
