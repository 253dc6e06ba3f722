// Time as a dependency. Code that needs "now" takes a `const Clock&`, so tests can fix time.
// `Now()` is wall time for timestamps shown to people; `Monotonic()` is for measuring intervals.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace p360 {

class Clock {
public:
    virtual ~Clock() = default;
    virtual std::chrono::system_clock::time_point Now() const = 0;
    virtual std::chrono::steady_clock::time_point Monotonic() const = 0;

    std::int64_t NowMillis() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch())
            .count();
    }
};

class SystemClock final : public Clock {
public:
    std::chrono::system_clock::time_point Now() const override {
        return std::chrono::system_clock::now();
    }
    std::chrono::steady_clock::time_point Monotonic() const override {
        return std::chrono::steady_clock::now();
    }
};

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
public:
    explicit FakeClock(std::int64_t unix_millis) : millis_(unix_millis) {}

    std::chrono::system_clock::time_point Now() const override {
        return std::chrono::system_clock::time_point{std::chrono::milliseconds{millis_.load()}};
    }
    std::chrono::steady_clock::time_point Monotonic() const override {
        return std::chrono::steady_clock::time_point{std::chrono::milliseconds{millis_.load()}};
    }
    void Advance(std::chrono::milliseconds by) { millis_ += by.count(); }

private:
    std::atomic<std::int64_t> millis_;
};

}  // namespace p360
