/*
 * interop_mpi.h: the whole exported C ABI of libinterop_mpi, a thin shim over the system MPI.
 *
 * libinterop_mpi is separate from libinterop_native (the kernels never depend on MPI), and the
 * managed side loads it only when the process was started by an MPI launcher.
 *
 * Rules (the same as interop.h, so that the managed side binds with [LibraryImport] and blittable
 * types only):
 *   - every export starts with "interop_mpi_";
 *   - only fixed-width integers, double and pointers cross the boundary; no MPI handle type
 *     (MPI_Comm, MPI_Op, MPI_Datatype) ever does: every call works on MPI_COMM_WORLD, and
 *     operations and thread levels are the small integer codes below (the shared counter's window
 *     and node communicator stay inside the opaque interop_mpi_counter);
 *   - every function returns an int32_t status: 0 (MPI_SUCCESS), a positive MPI error code (MPI
 *     errors are returned, never fatal: MPI_ERRORS_RETURN is set on MPI_COMM_WORLD right after
 *     initialization), or one of the negative INTEROP_MPI_ERR_* codes below when the shim rejects
 *     a call before it reaches MPI. interop_mpi_error_string describes both kinds.
 *
 * Collectives: arguments are validated on each rank before MPI is entered. A call rejected on
 * some ranks only (say a NULL buffer on the root) leaves the others waiting in the collective, as
 * with any MPI program; calls rejected on every rank (a bad root, op or count) return everywhere.
 *
 * Bounded, sleeping waits: every collective (and the barrier before MPI_Finalize) is started as
 * MPI's nonblocking variant (MPI_Ibarrier, MPI_Ibcast, ...) and completed by one wait loop that
 * calls MPI_Test, polling only for the first INTEROP_MPI_SPIN_MICROSECONDS (interop_mpi_set_spin_limit) and then sleeping
 * between tests (nanosleep, 50 us doubling up to 1 ms): a rank waiting for others uses almost no
 * CPU (MPI's blocking collectives poll at full speed), at most ~1 ms of added latency. A wait that
 * lasts longer than the wait limit (interop_mpi_set_wait_limit) returns INTEROP_MPI_ERR_TIMEOUT.
 * The one exception is interop_mpi_request_wait, which yields instead of sleeping (see there).
 * The timed-out operation stays pending inside MPI (collectives cannot be cancelled) and may still
 * write its receive buffer, so from then on every collective and interop_mpi_finalize return
 * INTEROP_MPI_ERR_STATE (local calls such as the rank still work): the job must be aborted.
 */
#ifndef INTEROP_MPI_H
#define INTEROP_MPI_H

#include <stdint.h>

#if defined(_WIN32)
#define INTEROP_MPI_EXPORT __declspec(dllexport)
#else
#define INTEROP_MPI_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a signature below changes; the managed side refuses a mismatched library. */
#define INTEROP_MPI_ABI_VERSION 7

/*
 * Negative statuses: the shim rejected the call and MPI was not entered.
 *   ARGUMENT      a NULL pointer, a negative count or a capacity < 1
 *   ROOT          root not in [0, size of MPI_COMM_WORLD)
 *   OP            op not one of INTEROP_MPI_OP_*
 *   THREAD_LEVEL  requested not one of INTEROP_MPI_THREAD_*
 *   STATE         MPI not initialized yet or already finalized (for init: already initialized)
 *   TOO_LARGE     a count above INT_MAX, which MPI's int counts cannot express
 *   TIMEOUT       (MPI was entered) the collective did not complete within the wait limit
 */
#define INTEROP_MPI_ERR_ARGUMENT (-1)
#define INTEROP_MPI_ERR_ROOT (-2)
#define INTEROP_MPI_ERR_OP (-3)
#define INTEROP_MPI_ERR_THREAD_LEVEL (-4)
#define INTEROP_MPI_ERR_STATE (-5)
#define INTEROP_MPI_ERR_TOO_LARGE (-6)
#define INTEROP_MPI_ERR_TIMEOUT (-7)

/* The wait limit before interop_mpi_set_wait_limit is called, in seconds (one day). */
#define INTEROP_MPI_DEFAULT_WAIT_LIMIT 86400.0

/* How long a wait polls MPI_Test without sleeping, for collectives whose ranks are all ready
 * (until interop_mpi_set_spin_limit changes it). */
#define INTEROP_MPI_SPIN_MICROSECONDS 200

/* Thread levels, in MPI's order (MPI_THREAD_SINGLE < FUNNELED < SERIALIZED < MULTIPLE). */
#define INTEROP_MPI_THREAD_SINGLE 0
#define INTEROP_MPI_THREAD_FUNNELED 1
#define INTEROP_MPI_THREAD_SERIALIZED 2
#define INTEROP_MPI_THREAD_MULTIPLE 3

/* Reduction operations. */
#define INTEROP_MPI_OP_SUM 0
#define INTEROP_MPI_OP_MIN 1
#define INTEROP_MPI_OP_MAX 2

INTEROP_MPI_EXPORT int32_t interop_mpi_abi_version(void);

/*
 * MPI_Init_thread(NULL, NULL, requested, provided), then MPI_ERRORS_RETURN on MPI_COMM_WORLD.
 * *provided receives the INTEROP_MPI_THREAD_* level granted (it may be below the one requested).
 * ERR_STATE when MPI is already initialized or was finalized (MPI cannot be initialized twice).
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_init(int32_t requested, int32_t *provided);

/*
 * A bounded barrier (so that no rank waits in MPI_Finalize for a rank that never comes: TIMEOUT),
 * then MPI_Finalize. ERR_STATE when MPI is not initialized or is already finalized.
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_finalize(void);

/* MPI_Initialized / MPI_Finalized: *flag = 1 or 0. Callable at any time. */
INTEROP_MPI_EXPORT int32_t interop_mpi_initialized(int32_t *flag);
INTEROP_MPI_EXPORT int32_t interop_mpi_finalized(int32_t *flag);

/* MPI_Query_thread: the INTEROP_MPI_THREAD_* level in force. */
INTEROP_MPI_EXPORT int32_t interop_mpi_query_thread(int32_t *provided);

/* MPI_Comm_rank / MPI_Comm_size of MPI_COMM_WORLD. */
INTEROP_MPI_EXPORT int32_t interop_mpi_comm_world_rank(int32_t *rank);
INTEROP_MPI_EXPORT int32_t interop_mpi_comm_world_size(int32_t *size);

/*
 * MPI_Get_processor_name, NUL-terminated in `buffer` (truncated to capacity - 1 characters).
 * *length (may be NULL) receives the full length, excluding the NUL.
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_processor_name(char *buffer, int32_t capacity, int32_t *length);

/*
 * MPI_Get_library_version, the same way. Callable at any time, even before interop_mpi_init.
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_library_version(char *buffer, int32_t capacity, int32_t *length);

/* MPI_Wtime (seconds since an arbitrary origin in the past) and MPI_Wtick (its resolution). */
INTEROP_MPI_EXPORT int32_t interop_mpi_wtime(double *seconds);
INTEROP_MPI_EXPORT int32_t interop_mpi_wtick(double *seconds);

/*
 * The longest any collective below waits for the other ranks, in seconds (> 0, finite; fractions
 * allowed); ERR_ARGUMENT otherwise. Process-wide; callable at any time, even before init.
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_set_wait_limit(double seconds);
INTEROP_MPI_EXPORT int32_t interop_mpi_wait_limit(double *seconds);

/*
 * How long each wait polls MPI_Test before it starts sleeping, in seconds (>= 0, finite; fractions
 * allowed; INTEROP_MPI_SPIN_MICROSECONDS until set); ERR_ARGUMENT otherwise. Process-wide; callable
 * at any time. 0: sleep from the first poll on, for a thread that shares its core with work of its
 * own (the task pool's rank 0, which serves requests while its workers compute).
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_set_spin_limit(double seconds);
INTEROP_MPI_EXPORT int32_t interop_mpi_spin_limit(double *seconds);

/* The source of interop_mpi_recv_int64 that matches a message from any rank (MPI_ANY_SOURCE). */
#define INTEROP_MPI_ANY_SOURCE (-1)

/*
 * Point to point (the task pool's requests and replies): MPI_Send of `count` int64 values to rank
 * `dest` with `tag` (0 to 32767), and MPI_Recv of exactly `count` values from rank `source` (or
 * INTEROP_MPI_ANY_SOURCE) with `tag`; `*from` receives the sender's rank. Both wait within the wait
 * limit like the collectives (a receive that times out is cancelled, so its buffer is free again,
 * but the job must still be aborted). ROOT: dest or source not a rank; ARGUMENT: a NULL pointer
 * with count > 0, a NULL `from` or a tag outside 0..32767. A message of another length is MPI's
 * MPI_ERR_TRUNCATE (or fewer values than asked: ARGUMENT).
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_send_int64(const int64_t *values, int64_t count, int32_t dest, int32_t tag);
INTEROP_MPI_EXPORT int32_t interop_mpi_recv_int64(int64_t *values, int64_t count, int32_t source, int32_t tag,
                                                  int32_t *from);

/* MPI_Barrier(MPI_COMM_WORLD). */
INTEROP_MPI_EXPORT int32_t interop_mpi_barrier(void);

/* MPI_Bcast of `count` bytes from `root`. `buffer` may be NULL only when count is 0. */
INTEROP_MPI_EXPORT int32_t interop_mpi_bcast_bytes(void *buffer, int64_t count, int32_t root);

/*
 * MPI_Reduce of `count` elements with INTEROP_MPI_OP_* `op` into `recv` on `root`. `recv` is read
 * only on the root (elsewhere it may be NULL); on the root it must not overlap `send`.
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_reduce_int64(const int64_t *send, int64_t *recv, int64_t count,
                                                    int32_t op, int32_t root);
INTEROP_MPI_EXPORT int32_t interop_mpi_reduce_double(const double *send, double *recv, int64_t count,
                                                     int32_t op, int32_t root);

/* MPI_Allreduce: `recv` (count elements, not overlapping `send`) on every rank. */
INTEROP_MPI_EXPORT int32_t interop_mpi_allreduce_int64(const int64_t *send, int64_t *recv, int64_t count,
                                                       int32_t op);
INTEROP_MPI_EXPORT int32_t interop_mpi_allreduce_double(const double *send, double *recv, int64_t count,
                                                        int32_t op);

/*
 * MPI_Gather of `count` bytes from every rank into `recv` on `root`, rank r's block at byte
 * offset r * count (so `recv` holds count * size bytes there; elsewhere it may be NULL).
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_gather_bytes(const void *send, void *recv, int64_t count,
                                                    int32_t root);

/* MPI_Allgather: the same layout of count * size bytes in `recv` on every rank. */
INTEROP_MPI_EXPORT int32_t interop_mpi_allgather_bytes(const void *send, void *recv, int64_t count);

/*
 * A started nonblocking collective (today only the all-to-all below), completed by
 * interop_mpi_request_wait, which frees it. Opaque: it holds the MPI_Request and the counts,
 * displacements and datatypes MPI reads until the operation completes.
 */
typedef struct interop_mpi_request interop_mpi_request;

/*
 * An all-to-all of doubles whose send blocks are rows of a row-major matrix, sent from where they
 * lie (a distributed transpose's blocks, with no packing): MPI_Ialltoallw over MPI_COMM_WORLD with
 * one derived datatype per rank, started and not waited for, so that the caller computes on its
 * local blocks while the blocks travel. One entry per rank in each array, in doubles: rank r sends
 * rank s send_rows[s] rows of send_widths[s] values, row k at send + send_offsets[s] +
 * k * send_stride, and s receives them one after another (row-major, send_widths[s] wide) at
 * recv + recv_offsets[r], recv_counts[r] values (which must equal send_rows[s] * send_widths[s]
 * on r, as in MPI). A block with no rows (the caller's block to itself, copied locally) moves
 * nothing. The arrays are copied (the caller may reuse them at once); `send` and `recv` must stay
 * valid and untouched (send unmodified, recv unread) until interop_mpi_request_wait returns, and
 * must not overlap. *request receives the request (NULL on any failure: nothing started).
 * ARGUMENT: a NULL array or request, a negative value, or a NULL send (recv) with a block of rows
 * and width > 0 (a receive count > 0); TOO_LARGE: rows, a width or a receive count above INT_MAX
 * (MPI's int counts), or an offset or the stride past what a byte displacement (MPI_Aint) holds;
 * STATE: as for the collectives.
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_alltoall_rows_double_start(const double *send, int64_t send_stride,
                                                                  const int64_t *send_rows,
                                                                  const int64_t *send_widths,
                                                                  const int64_t *send_offsets, double *recv,
                                                                  const int64_t *recv_counts,
                                                                  const int64_t *recv_offsets,
                                                                  interop_mpi_request **request);

/*
 * Completes a started request within the wait limit and frees it whatever the status. Unlike the
 * collectives' waits it never sleeps: it yields the core between tests (sched_yield), because the
 * strided blocks move in fragments only while both ranks of a pair are inside MPI; a rank sharing
 * the core still runs. The request is gone once this returns. TIMEOUT as for the collectives:
 * the operation stays pending in MPI and may still write the receive buffer, so the buffers must
 * stay alive, every later collective returns STATE, and the job must be aborted.
 * STATE (request freed, operation left pending) when MPI is finalized or an earlier wait timed
 * out. ARGUMENT: request NULL.
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_request_wait(interop_mpi_request *request);

/*
 * One MPI_Test of a started request, without waiting: *done = 1 once it has completed (the
 * request must still be passed to interop_mpi_request_wait, which then returns at once, to free
 * it and learn its status), else 0. For a caller that polls between pieces of its own work.
 * ARGUMENT: a NULL pointer; STATE as for interop_mpi_request_wait (the request is not freed).
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_request_test(interop_mpi_request *request, int32_t *done);

/*
 * Gives a request up without waiting, on an error path. No MPI call. A request that
 * interop_mpi_request_test saw complete is simply freed. A pending one cannot be freed or cancelled
 * in MPI (MPI forbids MPI_Request_free and MPI_Cancel on a nonblocking collective): its operation
 * stays pending and may still write the receive buffer, so the shim marks itself as after a
 * timeout (every later collective returns STATE) and the job must be aborted (interop_mpi_abort).
 * Returns 0; ARGUMENT: request NULL.
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_request_free(interop_mpi_request *request);

/*
 * A counter of int64 in memory that every rank of a one-node job shares (the task pool's next
 * item), taken with lock-free atomics: no message, no rank's main thread in the way.
 */
typedef struct interop_mpi_counter interop_mpi_counter;

/*
 * Collective over MPI_COMM_WORLD. First a bounded agreement on `want_shared` (1 on every rank, or
 * 0 on any rank: no window), which doubles as the barrier before MPI_Comm_split_type
 * (MPI_COMM_TYPE_SHARED), itself a blocking collective; then, when the node communicator holds
 * every world rank, MPI_Win_allocate_shared of 8 bytes on node rank 0, MPI_Win_shared_query for
 * their address, 0 stored there, and a second bounded agreement that every rank got the window
 * (which also publishes the 0). *shared receives 1 on every rank (and *counter the counter, to be
 * closed by interop_mpi_counter_close) or 0 on every rank (*counter NULL, nothing to close: the
 * ranks span several nodes, a rank asked for none, or MPI could not make the window).
 * ERR_ARGUMENT: want_shared not 0 or 1, or a NULL pointer.
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_counter_open(int32_t want_shared, int32_t *shared,
                                                    interop_mpi_counter **counter);

/*
 * Local, callable from any thread (no MPI call: C11 atomics on the shared int64, lock-free, so they
 * work across the processes that map it). fetch_add: *old receives the value before `add` was
 * added. compare_exchange: when the value equals *expected it becomes `desired` and *swapped 1;
 * otherwise *expected receives the value and *swapped 0. ERR_ARGUMENT: a NULL pointer.
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_counter_fetch_add(interop_mpi_counter *counter, int64_t add, int64_t *old);
INTEROP_MPI_EXPORT int32_t interop_mpi_counter_compare_exchange(interop_mpi_counter *counter, int64_t *expected,
                                                                int64_t desired, int32_t *swapped);

/*
 * Collective: a bounded barrier (a rank that died or never comes: TIMEOUT, and the counter is left
 * as it is, for the job to be aborted), then MPI_Win_free and MPI_Comm_free of the node
 * communicator, and the counter is gone. ERR_ARGUMENT: counter NULL.
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_counter_close(interop_mpi_counter *counter);

/*
 * MPI_Abort(MPI_COMM_WORLD, code): ends every process of the job. Returns only when MPI is not
 * initialized (ERR_STATE) or MPI_Abort itself failed.
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_abort(int32_t code);

/*
 * The text of a status returned by this library: MPI_Error_string for MPI codes (> 0), this
 * library's own text for the INTEROP_MPI_ERR_* codes. NUL-terminated in `buffer`, truncated to
 * capacity - 1 characters. Callable at any time.
 */
INTEROP_MPI_EXPORT int32_t interop_mpi_error_string(int32_t code, char *buffer, int32_t capacity);

#ifdef __cplusplus
}
#endif

#endif /* INTEROP_MPI_H */
