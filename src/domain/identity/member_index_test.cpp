#include "domain/identity/member_index.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace p360::identity {
namespace {

constexpr const char* kGiven[] = {"William", "Mary",  "James",  "Linda",   "Robert",
                                  "Susan",   "David", "Karen",  "Michael", "Nancy",
                                  "Thomas",  "Emma",  "Daniel", "Grace",   "Joseph"};
constexpr const char* kFamily[] = {"Ashford",  "Blackwood", "Caldwell", "Dunmore",  "Ellerby",
                                   "Fairley",  "Goldman",   "Hartwell", "Holbrook", "Kingsley",
                                   "Langford", "Marston",   "Midland",  "Norwood",  "Pemberton",
                                   "Redfield", "Ringwood",  "Stanley",  "Thornton", "Whitmore"};

// 300 distinct people; every fifth has a second record with the errors sources make.
struct Population {
    std::vector<PersonRecord> records;
    std::vector<std::uint32_t> truth;
};

// A deterministic value in [0, bound) for person `number` and attribute `salt`.
int Draw(int number, int salt, int bound) {
    std::uint64_t state = static_cast<std::uint64_t>(number) * 2654435761u +
                          static_cast<std::uint64_t>(salt) * 40503u + 7;
    state ^= state >> 13;
    state *= 0x9E3779B97F4A7C15ull;
    state ^= state >> 29;
    return static_cast<int>(state % static_cast<std::uint64_t>(bound));
}

std::string TwoDigits(int value) { return (value < 10 ? "0" : "") + std::to_string(value); }

PersonRecord PersonNumber(int number) {
    PersonRecord record;
    record.record_id = "p" + std::to_string(number);
    record.given_name = kGiven[Draw(number, 1, 15)];
    record.family_name = kFamily[Draw(number, 2, 20)];
    record.birth_date = std::to_string(1930 + Draw(number, 3, 75)) + "-" +
                        TwoDigits(1 + Draw(number, 4, 12)) + "-" +
                        TwoDigits(1 + Draw(number, 5, 28));
    record.street = std::to_string(1 + Draw(number, 6, 900)) + " Main Street";
    record.postal_code = std::to_string(60600 + Draw(number, 7, 40));
    record.city = "Springfield";
    record.phone = "312" + std::to_string(2000000 + Draw(number, 8, 7000000));
    record.email = "person" + std::to_string(number) + "@example.org";
    return record;
}

PersonRecord WithErrors(PersonRecord record, int number) {
    record.record_id += "-dup";
    switch (number % 4) {
        case 0:  // a nickname and a typo in the family name
            record.given_name = record.given_name == "William" ? "Bill" : record.given_name;
            std::swap(record.family_name[2], record.family_name[3]);
            break;
        case 1:  // day and month swapped, no email
            std::swap(record.birth_date[5], record.birth_date[8]);
            std::swap(record.birth_date[6], record.birth_date[9]);
            record.email.clear();
            break;
        case 2:  // moved: new address and phone
            record.street = "99 Oak Avenue";
            record.postal_code = "10001";
            record.phone = "2125550000";
            break;
        default:  // names in each other's fields, upper case
            std::swap(record.given_name, record.family_name);
            for (char& c : record.given_name) {
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            break;
    }
    return record;
}

Population MakePopulation() {
    Population population;
    for (int number = 0; number < 300; ++number) {
        population.records.push_back(PersonNumber(number));
        population.truth.push_back(static_cast<std::uint32_t>(number));
        if (number % 5 == 0) {
            population.records.push_back(WithErrors(PersonNumber(number), number / 5));
            population.truth.push_back(static_cast<std::uint32_t>(number));
        }
    }
    return population;
}

MemberIndex TrainedIndex(const Population& population) {
    MemberIndex index;
    for (const PersonRecord& record : population.records) {
        index.Add(record);
    }
    const TrainingReport report = index.Train();
    EXPECT_TRUE(report.em.converged);
    EXPECT_GT(report.candidate_pairs, 60u);
    return index;
}

TEST(MemberIndexTest, DedupeFindsTheDuplicatesWithoutLabels) {
    const Population population = MakePopulation();
    const MemberIndex index = TrainedIndex(population);
    const DedupeResult result = index.Dedupe();
    const PairwiseAccuracy accuracy = ComparePairwise(result.cluster_of, population.truth);
    EXPECT_EQ(accuracy.true_pairs, 60u);
    EXPECT_GE(accuracy.precision, 0.95);
    EXPECT_GE(accuracy.recall, 0.95);
}

TEST(MemberIndexTest, TrainingFromLabelsAlsoWorks) {
    const Population population = MakePopulation();
    MemberIndex index;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> matches;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> non_matches;
    for (const PersonRecord& record : population.records) {
        index.Add(record);
    }
    for (std::uint32_t left = 0; left + 1 < population.records.size(); ++left) {
        const std::uint32_t right = left + 1;
        (population.truth[left] == population.truth[right] ? matches : non_matches)
            .emplace_back(left, right);
    }
    index.TrainFromLabels(matches, non_matches);
    EXPECT_GT(index.model().FieldWeight(Field::kBirthDate, 3), 0);
    EXPECT_LT(index.model().FieldWeight(Field::kBirthDate, 0), 0);
    index.set_model([&] {
        MatchModel model = index.model();
        model.set_prior_match(1.0 / 300);  // a pair of neighbours is not a random pair
        return model;
    }());
    const PairwiseAccuracy accuracy = ComparePairwise(index.Dedupe().cluster_of, population.truth);
    EXPECT_GE(accuracy.f1, 0.9);
}

TEST(MemberIndexTest, MatchRanksTheSamePersonFirstAndExplainsTheScore) {
    const Population population = MakePopulation();
    const MemberIndex index = TrainedIndex(population);
    PersonRecord query = PersonNumber(42);
    query.record_id.clear();
    query.family_name += "e";  // a typo
    query.email.clear();

    const std::vector<MatchCandidate> candidates = index.Match(query, 5);
    ASSERT_FALSE(candidates.empty());
    EXPECT_EQ(candidates[0].record_id, "p42");
    EXPECT_EQ(candidates[0].decision, Decision::kLink);
    for (std::size_t rank = 1; rank < candidates.size(); ++rank) {
        EXPECT_LE(candidates[rank].match_weight, candidates[rank - 1].match_weight);
    }
    // The score is the prior plus the fields' weights, so it can be explained field by field.
    const double prior = index.model().prior_match();
    double sum = std::log2(prior / (1 - prior));
    ASSERT_EQ(candidates[0].fields.size(), kFieldCount);
    for (const FieldEvidence& evidence : candidates[0].fields) {
        sum += evidence.weight;
    }
    EXPECT_NEAR(sum, candidates[0].match_weight, 1e-9);
    const FieldEvidence& email = candidates[0].fields[static_cast<std::size_t>(Field::kEmail)];
    EXPECT_EQ(email.level, kMissing);
    EXPECT_EQ(email.weight, 0);
    const FieldEvidence& birth = candidates[0].fields[static_cast<std::size_t>(Field::kBirthDate)];
    EXPECT_EQ(birth.level, 3);
    EXPECT_GT(birth.weight, 0);
}

TEST(MemberIndexTest, AStrangerMatchesNobody) {
    const Population population = MakePopulation();
    const MemberIndex index = TrainedIndex(population);
    PersonRecord stranger;
    stranger.given_name = "Zbigniew";
    stranger.family_name = "Quarrington";
    stranger.birth_date = "2011-11-11";
    stranger.postal_code = "99501";
    for (const MatchCandidate& candidate : index.Match(stranger)) {
        EXPECT_EQ(candidate.decision, Decision::kNoLink) << candidate.record_id;
    }
}

// Households: two to five people at one address, on one phone line, mostly under one family
// name, each with their own given name, birth date and SSN; every seventh person also has a
// second record with a source's errors. Different people here share everything a home has.
Population MakeHouseholds() {
    constexpr const char* kStreets[] = {"Oak Avenue", "Main Street", "Elm Road",
                                        "Cedar Lane", "Park Drive",  "Lake Road"};
    constexpr const char* kCities[] = {"Springfield", "Riverton", "Fairview", "Maplewood"};
    Population population;
    int person = 0;
    for (int household = 0; household < 500; ++household) {
        const int city = Draw(household, 20, 4);
        const std::string family = kFamily[Draw(household, 21, 20)];
        const std::string street =
            std::to_string(1 + Draw(household, 22, 3000)) + " " + kStreets[Draw(household, 23, 6)];
        const std::string phone = "555" + std::to_string(1000000 + household * 37);
        const int eldest = 1945 + Draw(household, 24, 45);
        const int size = 2 + Draw(household, 25, 4);
        for (int member = 0; member < size; ++member, ++person) {
            PersonRecord record;
            record.record_id = "h" + std::to_string(household) + "m" + std::to_string(member);
            // Given names differ within a household: consecutive entries of the list.
            record.given_name = kGiven[(Draw(household, 26, 15) + member) % 15];
            record.family_name = member == 1 && Draw(household, 27, 4) == 0 ? "Marston" : family;
            const int year =
                member < 2 ? eldest + member * Draw(household, 28, 7) : eldest + 22 + member * 2;
            record.birth_date = std::to_string(year) + "-" + TwoDigits(1 + Draw(person, 29, 12)) +
                                "-" + TwoDigits(1 + Draw(person, 30, 28));
            record.street = street;
            record.city = kCities[city];
            record.postal_code = std::to_string(60600 + city * 10 + Draw(household, 31, 10));
            record.state = "IL";
            record.phone = phone;
            if (Draw(person, 32, 10) < 7) {
                record.national_id = std::to_string(200000000 + person * 7919);
            }
            population.records.push_back(record);
            population.truth.push_back(static_cast<std::uint32_t>(person));
            if (person % 7 == 0) {
                population.records.push_back(WithErrors(record, person / 7));
                population.truth.push_back(static_cast<std::uint32_t>(person));
            }
        }
    }
    return population;
}

TEST(MemberIndexTest, PeopleWhoShareAHomeStayApartAndTheirDuplicatesAreFound) {
    const Population population = MakeHouseholds();
    MemberIndex index;
    for (const PersonRecord& record : population.records) {
        index.Add(record);
    }
    index.Train();
    const PairwiseAccuracy accuracy = ComparePairwise(index.Dedupe().cluster_of, population.truth);
    EXPECT_GT(accuracy.true_pairs, 150u);
    EXPECT_GE(accuracy.precision, 0.99);  // 0.12 when households were taken for duplicates
    EXPECT_GE(accuracy.recall, 0.9);
}

TEST(MemberIndexTest, TwoPeopleByGivenNameAndBirthDateAreNeverLinked) {
    const Population population = MakePopulation();
    const MemberIndex index = TrainedIndex(population);
    // p7's spouse: same family name, address, phone and email domain; another given name
    // and birth date.
    PersonRecord spouse = PersonNumber(7);
    spouse.given_name = spouse.given_name == "Karen" ? "Thomas" : "Karen";
    spouse.birth_date = "1931-02-03";
    spouse.email.clear();
    for (const MatchCandidate& candidate : index.Match(spouse)) {
        if (candidate.record_id == "p7") {
            EXPECT_EQ(candidate.decision, Decision::kNoLink);
            EXPECT_EQ(candidate.probability, 0);
        }
    }
    // The same with the same email: a shared identifier says one person after all.
    spouse.email = PersonNumber(7).email;
    bool found = false;
    for (const MatchCandidate& candidate : index.Match(spouse)) {
        found = found || (candidate.record_id == "p7" && candidate.probability > 0);
    }
    EXPECT_TRUE(found);
}

// A record added again (a Person changed) supersedes its earlier entry; a forgotten one (a
// Person deleted) has no current entry until it is added once more.
TEST(MemberIndexTest, TheNewestEntryOfARecordIsItsCurrentOne) {
    MemberIndex index;
    const std::uint32_t first = index.Add(PersonNumber(1));
    index.Add(PersonNumber(2));
    EXPECT_EQ(index.NewestEntry("p1"), first);
    EXPECT_EQ(index.record_id(first), "p1");
    PersonRecord moved = PersonNumber(1);
    moved.city = "Chicago";
    const std::uint32_t second = index.Add(moved);
    EXPECT_NE(second, first);
    EXPECT_EQ(index.NewestEntry("p1"), second);
    EXPECT_EQ(index.record_id(first), "p1");  // the old entry still says whose it was
    EXPECT_FALSE(index.NewestEntry("p3").has_value());

    index.Forget("p1");
    EXPECT_FALSE(index.NewestEntry("p1").has_value());
    EXPECT_TRUE(index.NewestEntry("p2").has_value());
    index.Forget("p9");  // never added: nothing happens
    const std::uint32_t third = index.Add(moved);
    EXPECT_EQ(index.NewestEntry("p1"), third);
}

TEST(MemberIndexTest, EmptyAndGarbageRecordsAreHarmless) {
    MemberIndex index;
    index.Add(PersonRecord{});
    PersonRecord garbage;
    garbage.given_name = std::string(5000, '\xFF');
    garbage.family_name = "\x01\x02\x03";
    garbage.birth_date = "31/31/3131";
    garbage.email = "@@@";
    index.Add(garbage);
    EXPECT_EQ(index.size(), 2u);
    index.Train();
    EXPECT_EQ(index.Dedupe().cluster_of.size(), 2u);
    EXPECT_TRUE(index.Match(PersonRecord{}).empty());
}

}  // namespace
}  // namespace p360::identity
