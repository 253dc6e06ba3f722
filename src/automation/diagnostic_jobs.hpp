// Diagnostic jobs: a live check of the job system itself, for operators.
//
// `diagnostic.echo` appends the name of the node that ran it to the job's result, so after a
// batch of them an operator sees that every node takes work and that no job ran twice (a
// second run would leave two names). With {"failAttempts": N} in the payload its first N
// attempts fail, which exercises retries, backoff and the dead-letter state.
#pragma once

#include "automation/job_queue.hpp"

namespace p360::automation {

inline constexpr const char* kEchoJob = "diagnostic.echo";

void RegisterDiagnosticJobs(JobQueue& queue);

}  // namespace p360::automation
