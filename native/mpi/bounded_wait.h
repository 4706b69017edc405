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

#endif
