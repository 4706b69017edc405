// Internal: a reusable barrier and a persistent team of std::threads (C++17 has no std::barrier).
#ifndef INTEROP_CPP_TEAM_HPP
#define INTEROP_CPP_TEAM_HPP

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace interop_cpp {

// A barrier for a fixed number of threads, reusable at once (a generation count tells one round from
// the next). A waiter spins briefly before it sleeps: the inversion's barriers are a few dozen per run
// and mostly short, and a sleeping thread takes tens of microseconds to wake.
class Barrier {
public:
    explicit Barrier(int count) : count_(count) {}
    Barrier(const Barrier &) = delete;
    Barrier &operator=(const Barrier &) = delete;

    void wait();

private:
    const int count_;
    int arrived_ = 0;                     // guarded by mutex_
    std::atomic<std::uint64_t> round_{0};  // bumped (under mutex_) by the last thread to arrive
    std::mutex mutex_;
    std::condition_variable released_;
};

// `threads` threads that run one job at a time: the caller of run() as thread 0 and threads - 1
// workers started by the constructor, asleep between jobs, stopped and joined by the destructor.
class ThreadTeam {
public:
    using Job = void (*)(void *context, int thread);

    explicit ThreadTeam(int threads);  // throws std::system_error if a thread cannot start
    ~ThreadTeam();
    ThreadTeam(const ThreadTeam &) = delete;
    ThreadTeam &operator=(const ThreadTeam &) = delete;

    int size() const { return static_cast<int>(workers_.size()) + 1; }

    // Runs job(context, t) for every t in [0, size()) and returns when all have returned. An exception
    // of a worker's job is rethrown here (the first, if several); the job itself must not leave
    // another thread waiting at a barrier forever, so the inversion's jobs do not throw.
    void run(Job job, void *context);

private:
    void work(int thread);
    void stop();

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable start_;  // workers wait here for a job (or the end)
    std::condition_variable done_;   // run() waits here for the workers
    std::uint64_t generation_ = 0;   // jobs started so far; guarded by mutex_
    int pending_ = 0;                // workers still in the current job; guarded by mutex_
    bool stopping_ = false;          // guarded by mutex_
    Job job_ = nullptr;
    void *context_ = nullptr;
    std::exception_ptr failure_;     // guarded by mutex_
};

// Runs body(t) for t in [0, threads): t = 0 on the calling thread, the others on threads started
// for this call and joined before it returns (also when starting one fails, which then throws).
template <class Body>
void run_on_threads(int threads, Body &body)
{
    std::vector<std::thread> started;
    struct Joiner {
        std::vector<std::thread> &threads;
        ~Joiner()
        {
            for (std::thread &t : threads)
                t.join();
        }
    } joiner{started};
    started.reserve(static_cast<std::size_t>(threads - 1));
    for (int t = 1; t < threads; ++t)
        started.emplace_back([&body, t] { body(t); });
    body(0);
}

}  // namespace interop_cpp

#endif
