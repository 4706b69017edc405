/* The one wait loop of libinterop_mpi and libinterop_scalapack (bounded_wait.h). */
#define _POSIX_C_SOURCE 200809L

#include "bounded_wait.h"

#include <errno.h>
#include <sched.h>
#include <time.h>

static double monotonic_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static void sleep_nanoseconds(long nanoseconds)
{
    struct timespec pause = {0, nanoseconds};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
}

int interop_bounded_wait(int count, MPI_Request *requests, MPI_Status *statuses, double spin,
                         double limit_seconds)
{
    const long first_pause = 50000L;
    const long longest_pause = 1000000L;
    double start = monotonic_seconds();
    long pause = first_pause;
    for (;;) {
        int done = 0;
        int status = MPI_Testall(count, requests, &done, statuses);
        if (status != MPI_SUCCESS) {
            return status;
        }
        if (done) {
            return MPI_SUCCESS;
        }
        double waited = monotonic_seconds() - start;
        if (waited >= limit_seconds) {
            return INTEROP_BOUNDED_WAIT_TIMEOUT;
        }
        if (waited < spin) {
            continue;
        }
        double left = limit_seconds - waited;
        sleep_nanoseconds(left * 1e9 < (double)pause ? (long)(left * 1e9) + 1 : pause);
        pause = pause * 2 > longest_pause ? longest_pause : pause * 2;
    }
}

int interop_bounded_wait_yielding(int count, MPI_Request *requests, MPI_Status *statuses, double limit_seconds)
{
    double start = monotonic_seconds();
    for (;;) {
        int done = 0;
        int status = MPI_Testall(count, requests, &done, statuses);
        if (status != MPI_SUCCESS) {
            return status;
        }
        if (done) {
            return MPI_SUCCESS;
        }
        if (monotonic_seconds() - start >= limit_seconds) {
            return INTEROP_BOUNDED_WAIT_TIMEOUT;
        }
        sched_yield();
    }
}
