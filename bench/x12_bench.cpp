// X12 834 reading speed, parse only: builds an interchange of N members (one 834 transaction
// set per 1,000 members, each member with a name, address, demographics and two coverage lines)
// in memory, reads it with formats::x12::Read834 several times, and prints MB/s and members/s.
// Usage: x12_bench [members=200000] [rounds=5]
//        x12_bench --write FILE [members=200000]   (the same interchange, for import benchmarks)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "formats/x12/enrollment_834.hpp"

namespace {

std::string Digits(long value, int width) {
    std::string text = std::to_string(value);
    return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(text.size()))),
                       '0') +
           text;
}

// One member's INS loop: 13 segments.
void AppendMember(std::string& out, long index) {
    const std::string id = Digits(100000000 + index, 9);
    out += "INS*Y*18*021*20*A***FT~REF*0F*" + id + "~REF*1L*GRP" + Digits(index % 500, 4) +
           "~DTP*356*D8*20240101~NM1*IL*1*MEMBER" + std::to_string(index % 977) + "*PAT" +
           std::to_string(index % 613) + "*Q***34*" + id + "~PER*IP**HP*7175550" +
           Digits(index % 1000, 3) + "~N3*" + std::to_string(index % 9000 + 1) + " MAIN ST*APT " +
           std::to_string(index % 40) + "~N4*HARRISBURG*PA*17101~DMG*D8*19" +
           Digits(50 + index % 49, 2) + "0" + std::to_string(1 + index % 9) + "1" +
           std::to_string(index % 9) + "*" + (index % 2 == 0 ? "F" : "M") +
           "~HD*021**HLT~DTP*348*D8*20240101~HD*021**VIS~DTP*348*D8*20240101~";
}

std::string Interchange(long members) {
    constexpr long kPerSet = 1000;
    std::string out =
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*"
        "00501*000000001*0*P*:~GS*BE*SENDER*RECEIVER*20240101*1200*1*X*005010X220A1~";
    long sets = 0;
    for (long first = 0; first < members; first += kPerSet) {
        ++sets;
        const std::string control = Digits(sets, 4);
        std::string set = "ST*834*" + control + "*005010X220A1~BGN*00*REF" + control +
                          "*20240101*1200****2~N1*P5*EMPLOYER*FI*999888777~N1*IN*PAYER*FI*"
                          "654456654~";
        const long count = std::min(kPerSet, members - first);
        for (long index = first; index < first + count; ++index) {
            AppendMember(set, index);
        }
        const long segments = 5 + count * 13;  // ST, BGN, two N1, the members, SE
        set += "SE*" + std::to_string(segments) + "*" + control + "~";
        out += set;
    }
    out += "GE*" + std::to_string(sets) + "*1~IEA*1*000000001~";
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 2 && std::string(argv[1]) == "--write") {
        const std::string file = Interchange(argc > 3 ? std::atol(argv[3]) : 200000);
        std::FILE* out = std::fopen(argv[2], "wb");
        if (out == nullptr || std::fwrite(file.data(), 1, file.size(), out) != file.size()) {
            std::fprintf(stderr, "cannot write %s\n", argv[2]);
            return 1;
        }
        std::fclose(out);
        return 0;
    }
    const long members = argc > 1 ? std::atol(argv[1]) : 200000;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
    const std::string file = Interchange(members);
    double best_seconds = 1e9;
    long read_members = 0;
    for (int round = 0; round < rounds; ++round) {
        std::istringstream input(file);
        read_members = 0;
        const auto started = std::chrono::steady_clock::now();
        auto summary = p360::formats::x12::Read834(
            input, [&](p360::formats::x12::TransactionSetResult&& set) -> p360::Status {
                if (!set.enrollment) {
                    std::fprintf(
                        stderr, "set %s rejected: %s at segment %lld (%s)\n",
                        set.set_control_number.c_str(),
                        set.errors.empty() ? "" : set.errors[0].message.c_str(),
                        set.errors.empty()
                            ? 0LL
                            : static_cast<long long>(set.errors[0].position.set_segment),
                        set.errors.empty() ? "" : set.errors[0].position.segment_id.c_str());
                    std::exit(1);
                }
                read_members += static_cast<long>(set.enrollment->members.size());
                return p360::Ok();
            });
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (!summary.ok() || !summary->envelope_errors.empty()) {
            std::fprintf(stderr, "the generated interchange did not read cleanly\n");
            return 1;
        }
        best_seconds = std::min(best_seconds, seconds);
    }
    const double megabytes = static_cast<double>(file.size()) / 1e6;
    std::printf("834 parse: %.1f MB, %ld members, best of %d: %.3f s = %.0f MB/s, %.0f members/s\n",
                megabytes, read_members, rounds, best_seconds, megabytes / best_seconds,
                static_cast<double>(read_members) / best_seconds);
    return 0;
}
