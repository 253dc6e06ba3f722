// Scheduling priority of the calling thread.
//
// Work nobody waits for (following the outbox to resolve identities, say) runs at the lowest
// priority, so that on a busy machine the requests people wait for get the cores first; the
// background work still gets every cycle the requests leave idle.
#pragma once

namespace p360 {

// Gives the calling thread the lowest scheduling priority (nice 19 on Linux). Best effort:
// where the system does not allow it, the thread keeps its priority. Returns whether it took.
bool LowerCurrentThreadPriority();

}  // namespace p360
