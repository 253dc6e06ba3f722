// Writes synthetic Person records as NDJSON to stdout, for the bulk benchmarks:
//   generate_people --seed 7 --first 0 --count 1000000
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "demo/demo_generator.hpp"

int main(int argc, char** argv) {
    std::uint64_t seed = 360;
    std::int64_t first = 0;
    std::int64_t count = 1000;
    for (int arg_idx = 1; arg_idx + 1 < argc; arg_idx += 2) {
        const std::string_view name = argv[arg_idx];
        const char* value = argv[arg_idx + 1];
        if (name == "--seed") {
            seed = std::strtoull(value, nullptr, 10);
        } else if (name == "--first") {
            first = std::strtoll(value, nullptr, 10);
        } else if (name == "--count") {
            count = std::strtoll(value, nullptr, 10);
        } else {
            std::fprintf(stderr, "usage: generate_people [--seed N] [--first N] [--count N]\n");
            return 2;
        }
    }
    constexpr std::int64_t kChunk = 100'000;
    for (std::int64_t start = first; start < first + count; start += kChunk) {
        const std::string lines =
            p360::demo::PersonNdjson(seed, start, std::min(kChunk, first + count - start));
        std::fwrite(lines.data(), 1, lines.size(), stdout);
    }
    return 0;
}
