// The synthetic payer generator: coherent demo and benchmark data, written through the records
// layer like any other import.
//
// From a seed it builds a health plan's world: the payer and employer groups (Account), plans
// with benefits, networks, providers with locations, households of subscribers and dependents
// (Person, Household, HouseholdMember), coverage (MemberPlan), claims with ICD-10/CPT lines,
// conditions, medications, cases and interactions. The same seed always gives the same data,
// and every record carries an external id, so running it twice updates rather than duplicates.
// No real person's data: names and addresses are drawn from small built-in lists.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "records/record_service.hpp"
#include "security/authorizer.hpp"

namespace p360::demo {

struct DemoOptions {
    int members = 1000;  // people with coverage (subscribers and dependents)
    std::uint64_t seed = 360;
    int batch_size = 5000;  // NDJSON lines per bulk upsert
    // Multiplies every member's yearly claim rate: 1 gives about three claims a member over
    // the two years of history, 3.4 about ten (the scale the member 360 benchmark asks for).
    double claim_rate = 1.0;
};

struct DemoSummary {
    std::map<std::string, std::int64_t> records_by_object;
    std::string ToText() const;  // "Person 1000, Household 412, …"
};

// Called after each batch with the object being generated and how many are done.
using Progress = std::function<void(std::string_view object, std::int64_t done)>;

Result<DemoSummary> GenerateDemo(records::RecordService& records, const security::Actor& actor,
                                 const DemoOptions& options, const Progress& progress = {});

// `count` synthetic Person records as NDJSON lines (fields only, no references), numbered from
// `first_index`, each with a unique `sourceId`. Realistic names, dates, phones and addresses;
// deterministic for a seed. Feeds the bulk benchmarks.
std::string PersonNdjson(std::uint64_t seed, std::int64_t first_index, std::int64_t count);

// The surnames the generator uses, most frequent in the United States first.
std::span<const std::string_view> Surnames();

}  // namespace p360::demo
