#include "domain/member/member_360_cache.hpp"

#include <gtest/gtest.h>

#include <random>

namespace p360::member {
namespace {

using records::ChangedRecord;

// An outbox the cache reads its changes from, as RecordReader::ChangesAfter would answer.
class FakeOutbox {
public:
    std::int64_t Add(std::string object, std::string id, std::vector<std::string> references = {}) {
        changes_.push_back({++last_, std::move(object), std::move(id), std::move(references)});
        return last_;
    }
    std::int64_t last() const { return last_; }
    int reads() const { return reads_; }

    Member360Cache::ReadChanges Reader() {
        return [this](std::int64_t after, std::size_t limit) {
            ++reads_;
            std::vector<ChangedRecord> found;
            for (const ChangedRecord& change : changes_) {
                if (change.position > after && found.size() < limit) {
                    found.push_back(change);
                }
            }
            return Result<std::vector<ChangedRecord>>(std::move(found));
        };
    }

private:
    std::vector<ChangedRecord> changes_;
    std::int64_t last_ = 0;
    int reads_ = 0;
};

std::shared_ptr<const KeptAnswer> Answer(std::string body) {
    return std::make_shared<KeptAnswer>(body, std::vector<security::Disclosure>{});
}

// Text that compression cannot shrink, so an answer's size in memory is about its length.
std::string Incompressible(std::size_t length) {
    std::mt19937 random(7);
    std::string text(length, ' ');
    for (char& c : text) {
        c = static_cast<char>('!' + random() % 90);
    }
    return text;
}

class Member360CacheTest : public ::testing::Test {
protected:
    // Catches up, then keeps `body` under `key` as built from the newest snapshot.
    void KeepNow(const std::string& key, const std::string& body,
                 const std::vector<std::string>& dependencies) {
        ASSERT_TRUE(cache_.CatchUp(outbox_.last(), outbox_.Reader()).ok());
        cache_.Keep(key, Answer(body), dependencies, outbox_.last());
    }
    bool Holds(const std::string& key) {
        EXPECT_TRUE(cache_.CatchUp(outbox_.last(), outbox_.Reader()).ok());
        return cache_.Find(key) != nullptr;
    }

    FakeOutbox outbox_;
    Member360Cache cache_;
};

TEST_F(Member360CacheTest, AKeptAnswerIsFoundUnderItsKeyOnly) {
    KeepNow("agent|per_1", "{\"a\":1}", {"per_1", "clm_1"});
    ASSERT_TRUE(Holds("agent|per_1"));
    EXPECT_EQ(*cache_.Find("agent|per_1")->Body(), "{\"a\":1}");
    EXPECT_FALSE(Holds("nurse|per_1"));
    EXPECT_FALSE(Holds("agent|per_2"));
}

TEST_F(Member360CacheTest, AChangeToARecordItWasBuiltFromDropsIt) {
    KeepNow("per_1", "one", {"per_1", "clm_1"});
    KeepNow("per_2", "two", {"per_2", "clm_2"});
    outbox_.Add("Claim", "clm_1", {"per_1"});
    EXPECT_FALSE(Holds("per_1"));
    EXPECT_TRUE(Holds("per_2"));
}

TEST_F(Member360CacheTest, ANewRecordReferringToOneItWasBuiltFromDropsIt) {
    KeepNow("per_1", "one", {"per_1", "hh_1", "pln_1"});
    KeepNow("per_2", "two", {"per_2", "pln_2"});
    outbox_.Add("Benefit", "ben_9", {"pln_1"});  // a new benefit of the member's plan
    EXPECT_FALSE(Holds("per_1"));
    EXPECT_TRUE(Holds("per_2"));
    KeepNow("per_1", "one again", {"per_1", "hh_1"});
    outbox_.Add("Task", "tsk_1", {"usr_1"});  // refers to nothing either was built from
    EXPECT_TRUE(Holds("per_1"));
    EXPECT_TRUE(Holds("per_2"));
}

TEST_F(Member360CacheTest, ALongRunOfChangesDropsEverythingWithoutWalkingIt) {
    Member360Cache small_tail(Member360CacheOptions{.max_tail = 10});
    ASSERT_TRUE(small_tail.CatchUp(outbox_.last(), outbox_.Reader()).ok());
    small_tail.Keep("per_1", Answer("one"), {"per_1"}, outbox_.last());
    for (int change = 0; change < 11; ++change) {
        outbox_.Add("Person", "per_" + std::to_string(100 + change));
    }
    ASSERT_TRUE(small_tail.CatchUp(outbox_.last(), outbox_.Reader()).ok());
    EXPECT_EQ(small_tail.Find("per_1"), nullptr) << "eleven changes are past the tail of ten";
}

TEST_F(Member360CacheTest, AnAnswerBuiltBeforeAChangeAppliedMeanwhileIsNotKeptIfItTouchedIt) {
    ASSERT_TRUE(cache_.CatchUp(outbox_.last(), outbox_.Reader()).ok());
    const std::int64_t snapshot = outbox_.last();
    // Another request applies two changes while this answer is being built.
    outbox_.Add("Claim", "clm_1", {"per_1"});
    outbox_.Add("Claim", "clm_2", {"per_2"});
    ASSERT_TRUE(cache_.CatchUp(outbox_.last(), outbox_.Reader()).ok());
    cache_.Keep("per_1", Answer("stale"), {"per_1"}, snapshot);
    cache_.Keep("per_3", Answer("fresh"), {"per_3"}, snapshot);
    EXPECT_EQ(cache_.Find("per_1"), nullptr);
    EXPECT_NE(cache_.Find("per_3"), nullptr);
}

TEST_F(Member360CacheTest, AnAnswerOlderThanTheChangesItRemembersIsNotKept) {
    Member360Cache short_memory(Member360CacheOptions{.recent_events = 2});
    ASSERT_TRUE(short_memory.CatchUp(outbox_.last(), outbox_.Reader()).ok());
    const std::int64_t snapshot = outbox_.last();
    for (int change = 0; change < 3; ++change) {
        outbox_.Add("Task", "tsk_" + std::to_string(change));
    }
    ASSERT_TRUE(short_memory.CatchUp(outbox_.last(), outbox_.Reader()).ok());
    short_memory.Keep("per_1", Answer("unknown"), {"per_1"}, snapshot);
    EXPECT_EQ(short_memory.Find("per_1"), nullptr) << "a change it missed is forgotten";
}

TEST_F(Member360CacheTest, ChangesAreReadOnceHoweverManyRequestsCatchUp) {
    KeepNow("per_1", "one", {"per_1"});
    outbox_.Add("Claim", "clm_1", {"per_2"});
    const int before = outbox_.reads();
    for (int request = 0; request < 5; ++request) {
        EXPECT_TRUE(Holds("per_1"));
    }
    EXPECT_EQ(outbox_.reads(), before + 1);
}

TEST_F(Member360CacheTest, TheLeastRecentlyUsedAnswerMakesRoomFirst) {
    Member360Cache bounded(Member360CacheOptions{.max_bytes = 64 * 1024});
    ASSERT_TRUE(bounded.CatchUp(0, outbox_.Reader()).ok());
    const std::string body = Incompressible(6000);
    for (int member = 0; member < 8; ++member) {
        bounded.Keep("per_" + std::to_string(member), Answer(body),
                     {"per_" + std::to_string(member)}, 0);
        ASSERT_NE(bounded.Find("per_0"), nullptr) << "used after each keep, so kept";
    }
    for (int member = 8; member < 20; ++member) {
        bounded.Keep("per_" + std::to_string(member), Answer(body), {}, 0);
        bounded.Find("per_0");
    }
    EXPECT_NE(bounded.Find("per_0"), nullptr);
    EXPECT_EQ(bounded.Find("per_1"), nullptr);
    EXPECT_NE(bounded.Find("per_19"), nullptr);
    const Member360CacheStats stats = bounded.Stats();
    EXPECT_LE(stats.bytes, 64u * 1024u);
    EXPECT_GE(stats.answers, 8u);
    EXPECT_LT(stats.answers, 20u);
}

TEST_F(Member360CacheTest, AnswersAreKeptCompressedSoManyMoreFit) {
    Member360Cache bounded(Member360CacheOptions{.max_bytes = 64 * 1024});
    ASSERT_TRUE(bounded.CatchUp(0, outbox_.Reader()).ok());
    std::string body = "{\"claims\":[";
    while (body.size() < 30'000) {
        body += "{\"id\":\"clm_" + std::to_string(body.size()) +
                "\",\"status\":\"paid\",\"diagnosis\":\"E11.9\"},";
    }
    body += "{}]}";
    for (int member = 0; member < 10; ++member) {
        bounded.Keep("per_" + std::to_string(member), Answer(body),
                     {"per_" + std::to_string(member)}, 0);
    }
    // Ten answers of 30 KB in 64 KB: each is served whole, none was pushed out.
    EXPECT_EQ(bounded.Stats().answers, 10u);
    for (int member = 0; member < 10; ++member) {
        auto kept = bounded.Find("per_" + std::to_string(member));
        ASSERT_NE(kept, nullptr);
        EXPECT_EQ(*kept->Body(), body);
    }
}

TEST_F(Member360CacheTest, AKeptAnswersDisclosuresComeBackAsTheyWereMade) {
    std::vector<security::Disclosure> made(2);
    made[0] = {"read", "Person", "firstName,lastName,birthDate", {}};
    made[0].subjects.Add("per_1", "per_1");
    made[1] = {"list", "Claim", "diagnosisCodes", {}};
    made[1].subjects.Add("clm_1", "per_1");
    made[1].subjects.Add("clm_2:with^odd@chars 9", "per_1");
    made[1].subjects.Add("clm_3", "per_2");
    cache_.Keep("per_1", std::make_shared<KeptAnswer>("{}", made), {"per_1"}, 0);

    auto kept = cache_.Find("per_1");
    ASSERT_NE(kept, nullptr);
    auto disclosures = kept->Disclosures();
    ASSERT_TRUE(disclosures.ok());
    ASSERT_EQ(disclosures->size(), made.size());
    for (std::size_t index = 0; index < made.size(); ++index) {
        const security::Disclosure& again = (*disclosures)[index];
        EXPECT_EQ(again.action, made[index].action);
        EXPECT_EQ(again.object_name, made[index].object_name);
        EXPECT_EQ(again.phi_fields, made[index].phi_fields);
        EXPECT_EQ(again.subjects.size(), made[index].subjects.size());
        EXPECT_EQ(again.subjects.packed(), made[index].subjects.packed());
    }
    EXPECT_TRUE(std::make_shared<KeptAnswer>("{}", std::vector<security::Disclosure>{})
                    ->Disclosures()
                    ->empty());
}

TEST_F(Member360CacheTest, ARebuiltAnswerReplacesTheOldOne) {
    KeepNow("per_1", "old", {"per_1", "clm_1"});
    KeepNow("per_1", "new", {"per_1"});
    ASSERT_TRUE(Holds("per_1"));
    EXPECT_EQ(*cache_.Find("per_1")->Body(), "new");
    outbox_.Add("Claim", "clm_1");  // the old answer's dependency, no longer the new one's
    EXPECT_TRUE(Holds("per_1"));
    EXPECT_EQ(cache_.Stats().answers, 1u);
}

}  // namespace
}  // namespace p360::member
