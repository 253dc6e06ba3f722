// HealthMonitor: whether the database answers, checked in the background.
//
// `GET /healthz` must stay cheap (load balancers and benchmarks call it constantly) yet tell
// the truth about the database; a thread pings once per interval and the answer is read from
// an atomic, never blocking the caller.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string_view>
#include <thread>

#include "storage/database.hpp"

namespace p360::storage {

class HealthMonitor {
public:
    explicit HealthMonitor(Database& database,
                           std::chrono::milliseconds interval = std::chrono::seconds(1));
    ~HealthMonitor();

    HealthMonitor(const HealthMonitor&) = delete;
    HealthMonitor& operator=(const HealthMonitor&) = delete;

    std::string_view engine() const { return database_.dialect().Name(); }
    // The last ping's outcome (true until the first ping says otherwise).
    bool reachable() const { return reachable_.load(std::memory_order_relaxed); }

private:
    void Loop();

    Database& database_;
    const std::chrono::milliseconds interval_;
    std::atomic<bool> reachable_{true};
    std::mutex mutex_;
    std::condition_variable stop_wake_;
    bool stopping_ = false;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace p360::storage
