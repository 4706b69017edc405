/*
 * bounded_wait.h: the one wait loop of libinterop_mpi and libinterop_scalapack (compiled into
 * each, hidden). MPI's blocking calls poll at full speed and never give up; this one polls briefly,
 * then sleeps between tests, and gives up after a limit.
 */
#ifndef INTEROP_BOUNDED_WAIT_H
#define INTEROP_BOUNDED_WAIT_H

#include <mpi.h>

/* interop_bounded_wait's result when the limit passed (not an MPI error code: those are >= 0). */
#define INTEROP_BOUNDED_WAIT_TIMEOUT (-1)

/*
 * Completes `count` started requests: MPI_Testall in a loop, without pausing for the first
 * `spin_seconds` (ranks that are all ready finish here), then sleeping between tests, 50 us at
 * first and twice as long each time up to 1 ms. MPI makes progress only inside
 * MPI_Testall, so a message that arrives while this rank sleeps waits at most one pause.
 * `statuses` as MPI_Testall's (MPI_STATUSES_IGNORE allowed). Returns MPI_SUCCESS, MPI's error, or
 * INTEROP_BOUNDED_WAIT_TIMEOUT after `limit_seconds` (the requests are then still pending).
 */
int interop_bounded_wait(int count, MPI_Request *requests, MPI_Status *statuses, double spin_seconds,
                         double limit_seconds);

/*
 * The same wait for requests whose data moves only while every rank involved is inside MPI: a
 * non-contiguous message (a derived datatype) goes through Open MPI's shared memory in fragments of
 * 32 KiB, each packed by the sender and unpacked by the receiver inside an MPI call, so a rank that
 * sleeps between tests stalls its peers (the rows all-to-all: 5x slower with the pauses above).
 * MPI_Testall in a loop until done, with sched_yield between tests instead of pauses (a rank that
 * shares this core runs; on a core of its own this rank tests again at once). Same results.
 */
int interop_bounded_wait_yielding(int count, MPI_Request *requests, MPI_Status *statuses, double limit_seconds);

#endif
