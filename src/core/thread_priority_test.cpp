#include "core/thread_priority.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <thread>

namespace p360 {
namespace {

// The calling thread's claim on the processor: SCHED_IDLE, or else its nice value.
bool RunsAtLowestPriority() {
    return sched_getscheduler(0) == SCHED_IDLE ||
           getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())) == 19;
}

TEST(ThreadPriority, LowersOnlyTheCallingThread) {
    const int policy_before = sched_getscheduler(0);
    const int nice_before = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    ASSERT_FALSE(RunsAtLowestPriority());
    bool lowered = false;
    bool lowest = false;
    std::thread background([&] {
        lowered = LowerCurrentThreadPriority();
        lowest = RunsAtLowestPriority();
    });
    background.join();
    EXPECT_TRUE(lowered);
    EXPECT_TRUE(lowest);
    EXPECT_EQ(sched_getscheduler(0), policy_before);
    EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())), nice_before);
}

}  // namespace
}  // namespace p360
