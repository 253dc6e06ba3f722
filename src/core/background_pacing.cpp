#include "core/background_pacing.hpp"

#include <algorithm>
#include <thread>

namespace p360 {

BackgroundPacer::BackgroundPacer(double share_while_busy, std::chrono::milliseconds longest_rest,
                                 const Clock& clock, BusyProbe foreground_busy, Rest rest)
    : rest_per_work_(1.0 / std::clamp(share_while_busy, 0.01, 1.0) - 1.0),
      clock_(clock),
      foreground_busy_(std::move(foreground_busy)),
      rest_(rest ? std::move(rest) : Rest([](std::chrono::nanoseconds how_long) {
          std::this_thread::sleep_for(how_long);
      })),
      longest_rest_(longest_rest),
      work_started_(clock.Monotonic()) {}

std::chrono::nanoseconds BackgroundPacer::Pace() {
    const auto now = clock_.Monotonic();
    std::chrono::nanoseconds rested{0};
    if (foreground_busy_()) {
        const auto worked = std::chrono::duration<double, std::nano>(now - work_started_);
        rested =
            std::min(longest_rest_,
                     std::chrono::duration_cast<std::chrono::nanoseconds>(worked * rest_per_work_));
        if (rested.count() > 0) {
            rest_(rested);
        }
    }
    work_started_ = clock_.Monotonic();
    return rested;
}

}  // namespace p360
