#include "core/thread_priority.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

namespace p360 {

bool LowerCurrentThreadPriority() {
    // SCHED_IDLE runs the thread only on cycles no other thread wants, a much weaker claim on
    // a core than nice 19 (which still takes about a third of a busy core here). On Linux the
    // policy and the nice value belong to the thread (the id gettid gives), not the process.
    const sched_param no_priority{};
    if (sched_setscheduler(0, SCHED_IDLE, &no_priority) == 0) {
        return true;
    }
    constexpr int kLowest = 19;
    return setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kLowest) == 0;
}

}  // namespace p360
