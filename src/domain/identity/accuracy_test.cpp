// Accuracy on labelled public datasets: the model is trained by EM without labels, every
// record is deduplicated, and the clusters are scored pairwise against the datasets' truth.
// Target (issue 6): F1 ≥ 0.95 on each set.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "domain/identity/datasets/linkage_datasets.hpp"
#include "domain/identity/member_index.hpp"

namespace p360::identity {
namespace {

const std::filesystem::path kLinkage = std::filesystem::path(P360_FIXTURES_DIR) / "linkage";

PairwiseAccuracy DedupeUnsupervised(const datasets::LabelledDataset& dataset) {
    MemberIndex index;
    for (const PersonRecord& record : dataset.records) {
        index.Add(record);
    }
    const TrainingReport training = index.Train();
    EXPECT_TRUE(training.em.converged) << dataset.name;
    const DedupeResult result = index.Dedupe();
    const PairwiseAccuracy accuracy = ComparePairwise(result.cluster_of, dataset.truth);
    std::printf("%s: precision %.4f recall %.4f F1 %.4f (true pairs %llu, predicted %llu)\n",
                dataset.name.c_str(), accuracy.precision, accuracy.recall, accuracy.f1,
                static_cast<unsigned long long>(accuracy.true_pairs),
                static_cast<unsigned long long>(accuracy.predicted_pairs));
    return accuracy;
}

datasets::LabelledDataset LoadFebrlOrFail(const char* file) {
    auto dataset = datasets::LoadFebrl(kLinkage / file);
    EXPECT_TRUE(dataset.ok());
    return dataset.ok() ? std::move(dataset).value() : datasets::LabelledDataset{};
}

TEST(IdentityAccuracyTest, FebrlDataset1) {
    const datasets::LabelledDataset dataset = LoadFebrlOrFail("dataset1.csv");
    ASSERT_EQ(dataset.records.size(), 1000u);
    const PairwiseAccuracy accuracy = DedupeUnsupervised(dataset);
    EXPECT_EQ(accuracy.true_pairs, 500u);
    EXPECT_GE(accuracy.f1, 0.95);
}

TEST(IdentityAccuracyTest, FebrlDataset2) {
    const datasets::LabelledDataset dataset = LoadFebrlOrFail("dataset2.csv");
    ASSERT_EQ(dataset.records.size(), 5000u);
    const PairwiseAccuracy accuracy = DedupeUnsupervised(dataset);
    EXPECT_EQ(accuracy.true_pairs, 1934u);
    EXPECT_GE(accuracy.f1, 0.95);
}

TEST(IdentityAccuracyTest, FebrlDataset3) {
    const datasets::LabelledDataset dataset = LoadFebrlOrFail("dataset3.csv");
    ASSERT_EQ(dataset.records.size(), 5000u);
    const PairwiseAccuracy accuracy = DedupeUnsupervised(dataset);
    EXPECT_EQ(accuracy.true_pairs, 6538u);
    EXPECT_GE(accuracy.f1, 0.95);
}

TEST(IdentityAccuracyTest, SplinkFake1000) {
    auto dataset = datasets::LoadSplinkFake(kLinkage / "fake_1000.csv");
    ASSERT_TRUE(dataset.ok());
    ASSERT_EQ(dataset->records.size(), 1000u);
    const PairwiseAccuracy accuracy = DedupeUnsupervised(*dataset);
    EXPECT_GE(accuracy.f1, 0.95);
}

// The optional supervised path: m and u from the clerical labels instead of EM. The labelled
// pairs are not a random sample, so the prior is the labelled matches' share of all pairs.
TEST(IdentityAccuracyTest, SplinkFake1000TrainedFromClericalLabels) {
    auto dataset = datasets::LoadSplinkFake(kLinkage / "fake_1000.csv");
    auto labels = datasets::LoadSplinkLabels(kLinkage / "fake_1000_labels.csv");
    ASSERT_TRUE(dataset.ok());
    ASSERT_TRUE(labels.ok());
    EXPECT_EQ(labels->matches.size(), 2031u);
    EXPECT_EQ(labels->non_matches.size(), 1145u);
    MemberIndex index;
    for (const PersonRecord& record : dataset->records) {
        index.Add(record);
    }
    index.Train();  // u from random pairs, term frequencies
    index.TrainFromLabels(labels->matches, labels->non_matches);
    MatchModel model = index.model();
    const double all_pairs = 1000.0 * 999 / 2;
    model.set_prior_match(static_cast<double>(labels->matches.size()) / all_pairs);
    index.set_model(model);
    const PairwiseAccuracy accuracy = ComparePairwise(index.Dedupe().cluster_of, dataset->truth);
    std::printf("fake_1000 from labels: precision %.4f recall %.4f F1 %.4f\n", accuracy.precision,
                accuracy.recall, accuracy.f1);
    EXPECT_GE(accuracy.f1, 0.90);
}

}  // namespace
}  // namespace p360::identity
