// Work people wait for (requests) and work nobody waits for (following the outbox after a bulk
// load, say) share the cores. The HTTP server counts the requests it is handling here, and a
// background loop paces itself against that count with a BackgroundPacer: while requests are
// in flight it rests after each unit of work, long enough to keep to a small share of a core;
// when none are, it runs flat out.
//
// Why not a lower OS priority for the background thread: preempted while it holds a lock the
// requests also need (a mutex of ours, the allocator's, the kernel's memory map), it stalls
// them all until the scheduler gets round to it; measured, `/healthz` fell from ~50k to 1.4k
// requests/s. A thread that rests holds nothing while it rests.
//
//   BackgroundPacer pacer(0.1, std::chrono::milliseconds(50), clock);
//   for (auto& event : events) {
//       Handle(event);
//       pacer.Pace();  // while requests are in flight, rests ~9x the time Handle took
//   }
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>

#include "core/clock.hpp"

namespace p360 {

// The requests in flight in this process. Thread-safe.
class ForegroundActivity {
public:
    // Counts one request from construction to destruction.
    class Scope {
    public:
        Scope() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
        ~Scope() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;
    };

    static std::size_t InFlight() { return in_flight_.load(std::memory_order_relaxed); }
    static bool Busy() { return InFlight() != 0; }

private:
    static inline std::atomic<std::size_t> in_flight_{0};
};

// Paces one background loop; not thread-safe (one per loop).
class BackgroundPacer {
public:
    using BusyProbe = std::function<bool()>;
    using Rest = std::function<void(std::chrono::nanoseconds)>;

    // `share_while_busy`: the part of the loop's time spent working while requests are in
    // flight, in (0, 1]. A single rest never exceeds `longest_rest`, so a long unit of work
    // does not put the loop to sleep for long. Tests replace the probe and the rest.
    BackgroundPacer(double share_while_busy, std::chrono::milliseconds longest_rest,
                    const Clock& clock, BusyProbe foreground_busy = &ForegroundActivity::Busy,
                    Rest rest = {});

    // Call after each unit of work: rests if requests are in flight, and returns how long it
    // rested. The unit's length is the time since the previous call (or construction).
    std::chrono::nanoseconds Pace();

private:
    const double rest_per_work_;
    const Clock& clock_;
    const BusyProbe foreground_busy_;
    const Rest rest_;
    const std::chrono::nanoseconds longest_rest_;
    std::chrono::steady_clock::time_point work_started_;
};

}  // namespace p360
