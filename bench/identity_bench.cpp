// Identity resolution benchmark (issue 6):
//   (a) accuracy on the labelled fixture sets (FEBRL 1–3, Splink fake_1000), EM without labels;
//   (b) batch dedupe of N synthetic persons (default 1,000,000) with known truth: wall time of
//       each phase, peak RSS, pairwise precision / recall / F1;
//   (c) single-record Match against that index: p50 / p99 latency and how often the true
//       person ranks first.
// Usage: identity_bench [records] [queries]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "domain/identity/datasets/linkage_datasets.hpp"
#include "domain/identity/member_index.hpp"
#include "identity_generator.hpp"

namespace {

using p360::identity::ComparePairwise;
using p360::identity::MemberIndex;
using p360::identity::PairwiseAccuracy;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double PeakRssMegabytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

// Resident memory now (not the peak), from /proc/self/statm.
double CurrentRssMegabytes() {
    long total_pages = 0;
    long resident_pages = 0;
    if (std::FILE* statm = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(statm, "%ld %ld", &total_pages, &resident_pages) != 2) {
            resident_pages = 0;
        }
        std::fclose(statm);
    }
    return static_cast<double>(resident_pages) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
           (1024.0 * 1024.0);
}

void PrintAccuracy(const char* name, const PairwiseAccuracy& accuracy) {
    std::printf("%-22s precision %.4f  recall %.4f  F1 %.4f  (true pairs %llu, predicted %llu)\n",
                name, accuracy.precision, accuracy.recall, accuracy.f1,
                static_cast<unsigned long long>(accuracy.true_pairs),
                static_cast<unsigned long long>(accuracy.predicted_pairs));
}

void FixtureAccuracy() {
    namespace datasets = p360::identity::datasets;
    const std::filesystem::path linkage = std::filesystem::path(P360_FIXTURES_DIR) / "linkage";
    std::printf("== (a) accuracy on labelled sets, EM without labels\n");
    const auto run = [](const char* name, const p360::Result<datasets::LabelledDataset>& dataset) {
        if (!dataset.ok()) {
            std::printf("%-22s cannot load: %s\n", name, dataset.error().public_message.c_str());
            return;
        }
        MemberIndex index;
        for (const auto& record : dataset->records) {
            index.Add(record);
        }
        index.Train();
        PrintAccuracy(name, ComparePairwise(index.Dedupe().cluster_of, dataset->truth));
    };
    run("FEBRL dataset1", datasets::LoadFebrl(linkage / "dataset1.csv"));
    run("FEBRL dataset2", datasets::LoadFebrl(linkage / "dataset2.csv"));
    run("FEBRL dataset3", datasets::LoadFebrl(linkage / "dataset3.csv"));
    run("Splink fake_1000", datasets::LoadSplinkFake(linkage / "fake_1000.csv"));
}

// Adds entities' records until `records` are in; returns the true entity of each record.
std::vector<std::uint32_t> BuildIndex(MemberIndex& index, std::size_t records,
                                      std::uint64_t& entities) {
    std::vector<std::uint32_t> truth;
    truth.reserve(records);
    p360::bench::Random random(2024);
    for (entities = 0; truth.size() < records; ++entities) {
        const p360::identity::PersonRecord person = p360::bench::EntityPerson(entities);
        const int copies = p360::bench::RecordCount(entities);
        for (int copy = 0; copy < copies && truth.size() < records; ++copy) {
            index.Add(copy == 0 ? person : p360::bench::WithSourceErrors(person, random));
            truth.push_back(static_cast<std::uint32_t>(entities));
        }
    }
    return truth;
}

void MatchLatency(const MemberIndex& index, const std::vector<std::uint32_t>& truth,
                  std::uint64_t entities, int queries) {
    std::printf("== (c) single-record match against %zu records, %d queries\n", index.size(),
                queries);
    p360::bench::Random random(77);
    std::vector<double> latencies_ms;
    int first_is_true = 0;
    for (int query = 0; query < queries; ++query) {
        const std::uint64_t entity = random.Next() % entities;
        const p360::identity::PersonRecord probe =
            p360::bench::WithSourceErrors(p360::bench::EntityPerson(entity), random);
        const Clock::time_point start = Clock::now();
        const auto candidates = index.Match(probe, 10);
        latencies_ms.push_back(SecondsSince(start) * 1000.0);
        if (!candidates.empty() && truth[candidates[0].record] == entity) {
            ++first_is_true;
        }
    }
    std::sort(latencies_ms.begin(), latencies_ms.end());
    const auto percentile = [&](double share) {
        return latencies_ms[static_cast<std::size_t>(share *
                                                     static_cast<double>(latencies_ms.size() - 1))];
    };
    std::printf("latency p50 %.3f ms  p99 %.3f ms  max %.3f ms; true person ranked first %.2f%%\n",
                percentile(0.5), percentile(0.99), latencies_ms.back(),
                100.0 * first_is_true / std::max(queries, 1));
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t records = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
    const int queries = argc > 2 ? std::atoi(argv[2]) : 10'000;
    FixtureAccuracy();

    std::printf("== (b) batch dedupe of %zu synthetic records, 2 threads\n", records);
    const double rss_before = CurrentRssMegabytes();
    MemberIndex index;
    const Clock::time_point start = Clock::now();
    std::uint64_t entities = 0;
    const std::vector<std::uint32_t> truth = BuildIndex(index, records, entities);
    const double build_seconds = SecondsSince(start);
    const double index_megabytes = CurrentRssMegabytes() - rss_before;
    std::printf("index resident memory %.0f MB (%.0f bytes a record)\n", index_megabytes,
                index_megabytes * 1024 * 1024 / static_cast<double>(records));
    const Clock::time_point training_start = Clock::now();
    const p360::identity::TrainingReport training = index.Train();
    const double training_seconds = SecondsSince(training_start);
    const Clock::time_point dedupe_start = Clock::now();
    const p360::identity::DedupeResult result = index.Dedupe();
    const double dedupe_seconds = SecondsSince(dedupe_start);
    std::printf(
        "entities %llu; generate+standardise+index %.1f s, train %.1f s (%llu candidate pairs, "
        "EM converged %s), dedupe %.1f s (%llu pairs compared, %llu oversized block visits); "
        "total %.1f s\n",
        static_cast<unsigned long long>(entities), build_seconds, training_seconds,
        static_cast<unsigned long long>(training.candidate_pairs),
        training.em.converged ? "yes" : "no", dedupe_seconds,
        static_cast<unsigned long long>(result.compared_pairs),
        static_cast<unsigned long long>(result.skipped_blocks), SecondsSince(start));
    PrintAccuracy("synthetic", ComparePairwise(result.cluster_of, truth));
    std::printf("review queue %zu pairs; peak RSS %.0f MB\n", result.review.size(),
                PeakRssMegabytes());

    MatchLatency(index, truth, entities, queries);
    return 0;
}
