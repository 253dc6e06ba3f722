#include "core/background_pacing.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace p360 {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// A pacer on a fake clock whose rests advance that clock, so each unit of work is exactly
// what the test advances between calls.
struct PacedLoop {
    FakeClock clock{0};
    bool busy = false;
    std::vector<nanoseconds> rests;
    BackgroundPacer pacer{0.2, milliseconds(250), clock, [this] { return busy; },
                          [this](nanoseconds how_long) {
                              rests.push_back(how_long);
                              clock.Advance(std::chrono::duration_cast<milliseconds>(how_long));
                          }};
};

TEST(BackgroundPacer, RunsFlatOutWhileNoRequestIsInFlight) {
    PacedLoop loop;
    for (int unit = 0; unit < 5; ++unit) {
        loop.clock.Advance(milliseconds(10));
        EXPECT_EQ(loop.pacer.Pace(), nanoseconds(0));
    }
    EXPECT_TRUE(loop.rests.empty());
}

TEST(BackgroundPacer, WhileRequestsAreInFlightKeepsToItsShareOfTheTime) {
    PacedLoop loop;
    loop.busy = true;
    loop.clock.Advance(milliseconds(10));
    EXPECT_EQ(loop.pacer.Pace(), milliseconds(40));  // 10 of every 50 ms working: a share of 0.2
    // The rest itself is not counted as the next unit's work.
    loop.clock.Advance(milliseconds(5));
    EXPECT_EQ(loop.pacer.Pace(), milliseconds(20));
    loop.busy = false;
    loop.clock.Advance(milliseconds(5));
    EXPECT_EQ(loop.pacer.Pace(), nanoseconds(0));
    EXPECT_EQ(loop.rests.size(), 2u);
}

TEST(BackgroundPacer, NoSingleRestIsLongerThanTheLongestAllowed) {
    PacedLoop loop;
    loop.busy = true;
    loop.clock.Advance(milliseconds(1000));
    EXPECT_EQ(loop.pacer.Pace(), milliseconds(250));
}

TEST(ForegroundActivity, CountsEachRequestWhileItIsHandled) {
    const std::size_t before = ForegroundActivity::InFlight();
    {
        ForegroundActivity::Scope first;
        ForegroundActivity::Scope second;
        EXPECT_EQ(ForegroundActivity::InFlight(), before + 2);
        EXPECT_TRUE(ForegroundActivity::Busy());
    }
    EXPECT_EQ(ForegroundActivity::InFlight(), before);
}

}  // namespace
}  // namespace p360
