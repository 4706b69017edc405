#include "team.hpp"

#include "isa_kernels.hpp"

namespace interop_cpp {

namespace {
// About a few microseconds of polling before a waiter sleeps.
constexpr int spin_polls = 2000;
}  // namespace

void Barrier::wait()
{
    // Read before arriving: the round cannot end before this thread has arrived.
    const std::uint64_t round = round_.load(std::memory_order_acquire);
    {
        std::unique_lock<std::mutex> lock(mutex_);
        if (++arrived_ == count_) {
            arrived_ = 0;
            round_.fetch_add(1, std::memory_order_release);
            lock.unlock();
            released_.notify_all();
            return;
        }
    }
    for (int poll = 0; poll < spin_polls; ++poll) {
        if (round_.load(std::memory_order_acquire) != round)
            return;
        std::this_thread::yield();
    }
    std::unique_lock<std::mutex> lock(mutex_);
    released_.wait(lock, [&] { return round_.load(std::memory_order_acquire) != round; });
}

void barrier_wait(Barrier &barrier)
{
    barrier.wait();
}

ThreadTeam::ThreadTeam(int threads)
{
    workers_.reserve(static_cast<std::size_t>(threads > 1 ? threads - 1 : 0));
    try {
        for (int t = 1; t < threads; ++t)
            workers_.emplace_back([this, t] { work(t); });
    } catch (...) {
        stop();
        throw;
    }
}

ThreadTeam::~ThreadTeam()
{
    stop();
}

void ThreadTeam::stop()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    start_.notify_all();
    for (std::thread &worker : workers_)
        worker.join();
    workers_.clear();
}

void ThreadTeam::run(Job job, void *context)
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job_ = job;
        context_ = context;
        pending_ = static_cast<int>(workers_.size());
        failure_ = nullptr;
        ++generation_;
    }
    start_.notify_all();
    std::exception_ptr own;
    try {
        job(context, 0);
    } catch (...) {
        own = std::current_exception();
    }
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    if (own)
        std::rethrow_exception(own);
    if (failure_)
        std::rethrow_exception(failure_);
}

void ThreadTeam::work(int thread)
{
    std::uint64_t seen = 0;
    for (;;) {
        Job job;
        void *context;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
            if (stopping_)
                return;
            seen = generation_;
            job = job_;
            context = context_;
        }
        std::exception_ptr failure;
        try {
            job(context, thread);
        } catch (...) {
            failure = std::current_exception();
        }
        bool last;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (failure && !failure_)
                failure_ = failure;
            last = --pending_ == 0;
        }
        if (last)
            done_.notify_one();
    }
}

}  // namespace interop_cpp
