// Fuzz target: the X12 834 reader (src/formats/x12). Any bytes must give either "not X12"
// (InvalidArgument at segment 1) or a summary whose every error says where it is, with every
// started transaction set handed to the sink exactly once — never a crash, an exception or
// unbounded work. The 999 built from what was read must be well formed: printable ASCII,
// segments ending in `~`, SE01 counting its segments.
//
// Seeds: fuzz/corpus/x12_834/ (fixtures from tests/fixtures/x12 and broken variants of them).
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "formats/x12/enrollment_834.hpp"

namespace {

using p360::formats::x12::InterchangeSummary;
using p360::formats::x12::TransactionSetResult;
using p360::formats::x12::X12Error;

void Check(bool condition) {
    if (!condition) {
        __builtin_trap();
    }
}

void CheckError(const X12Error& error, bool in_set) {
    Check(error.position.file_segment >= 1);
    Check(!error.code.empty() && !error.syntax_code.empty() && !error.message.empty());
    if (in_set) {
        Check(error.position.set_segment >= 1);
        Check(error.code == "IK304" || error.code == "IK403" || error.code == "IK502");
    } else {
        Check(error.position.set_segment == 0);
        Check(error.code == "AK905" || error.code == "TA105");
    }
    if (error.code == "IK403") {
        Check(error.position.element >= 1);
    }
}

// Segments end in '~', SE01 counts ST to SE, nothing but printable ASCII.
void CheckAcknowledgement(std::string_view ack) {
    Check(!ack.empty() && ack.back() == '~');
    std::int64_t segments = 0;
    std::size_t start = 0;
    for (std::size_t at = 0; at < ack.size(); ++at) {
        Check(ack[at] >= ' ' && ack[at] <= '~');
        if (ack[at] != '~') {
            continue;
        }
        const std::string_view segment = ack.substr(start, at - start);
        start = at + 1;
        if (segment.substr(0, 3) == "ST*") {
            segments = 0;
        }
        ++segments;
        if (segment.substr(0, 3) == "SE*") {
            const std::string_view count = segment.substr(3, segment.find('*', 3) - 3);
            Check(count == std::to_string(segments));
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    std::istringstream input(bytes);
    std::vector<TransactionSetResult> results;
    auto summary =
        p360::formats::x12::Read834(input, [&](TransactionSetResult&& result) -> p360::Status {
            results.push_back(std::move(result));
            return p360::Ok();
        });
    if (!summary.ok()) {
        Check(summary.error().code == p360::ErrorCode::kInvalidArgument);
        Check(summary.error().location == "segment 1");
        Check(results.empty());
        return 0;
    }
    const InterchangeSummary& read = summary.value();
    Check(static_cast<std::int64_t>(results.size()) == read.transaction_sets);
    std::int64_t accepted = 0;
    for (const auto& result : results) {
        Check(result.enrollment.has_value() == result.errors.empty());
        accepted += result.enrollment ? 1 : 0;
        for (const auto& error : result.errors) {
            CheckError(error, true);
        }
    }
    for (const auto& error : read.envelope_errors) {
        CheckError(error, false);
    }
    Check(read.accepted == (read.envelope_errors.empty() ? accepted : 0));
    CheckAcknowledgement(p360::formats::x12::Acknowledgement999(read, results));
    return 0;
}
