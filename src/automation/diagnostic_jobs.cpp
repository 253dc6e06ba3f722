#include "automation/diagnostic_jobs.hpp"

#include <boost/json.hpp>

namespace p360::automation {
namespace {

namespace json = boost::json;

// The payload's failAttempts, or 0 when absent or not a number.
std::int64_t PlannedFailures(const std::string& payload) {
    boost::system::error_code error;
    const json::value value = json::parse(payload, error);
    if (error || !value.is_object()) {
        return 0;
    }
    const json::value* fail = value.as_object().if_contains("failAttempts");
    return fail != nullptr && fail->is_int64() ? fail->as_int64() : 0;
}

Status Echo(storage::Connection& connection, const Job& job) {
    if (job.attempt <= PlannedFailures(job.payload)) {
        return Error::Unavailable("planned failure of attempt " + std::to_string(job.attempt));
    }
    const storage::Value params[] = {job.node, job.id};
    return connection.Execute(
        "UPDATE sys_jobs SET result = COALESCE(result || ',', '') || ? WHERE id = ?", params);
}

}  // namespace

void RegisterDiagnosticJobs(JobQueue& queue) { queue.RegisterHandler(kEchoJob, Echo); }

}  // namespace p360::automation
