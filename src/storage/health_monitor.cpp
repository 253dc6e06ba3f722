#include "storage/health_monitor.hpp"

#include "core/log.hpp"

namespace p360::storage {

HealthMonitor::HealthMonitor(Database& database, std::chrono::milliseconds interval)
    : database_(database), interval_(interval), thread_([this] { Loop(); }) {}

HealthMonitor::~HealthMonitor() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stop_wake_.notify_all();
    thread_.join();
}

void HealthMonitor::Loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        const bool now_reachable = Ping(database_).ok();
        if (now_reachable != reachable_.exchange(now_reachable)) {
            const std::string_view event =
                now_reachable ? "storage.database_reachable" : "storage.database_unreachable";
            log::Write(now_reachable ? log::Level::kInfo : log::Level::kError, event,
                       {{"engine", engine()}});
        }
        lock.lock();
        stop_wake_.wait_for(lock, interval_, [this] { return stopping_; });
    }
}

}  // namespace p360::storage
