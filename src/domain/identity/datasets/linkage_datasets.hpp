// Labelled record-linkage datasets (FEBRL, Splink fake_1000) read into PersonRecords with their
// true clustering, for the accuracy tests and the benchmark. Kept apart from the engine, which
// does no I/O.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "domain/identity/person.hpp"

namespace p360::identity::datasets {

struct LabelledDataset {
    std::string name;
    std::vector<PersonRecord> records;
    std::vector<std::uint32_t> truth;  // per record: a dense id of the true person
};

// A FEBRL CSV (rec_id, given_name, surname, street_number, address_1, address_2, suburb,
// postcode, state, date_of_birth, soc_sec_id); records sharing N in rec-N-… are one person.
Result<LabelledDataset> LoadFebrl(const std::filesystem::path& file);

// Splink's fake_1000 (unique_id, first_name, surname, dob, city, email, cluster).
Result<LabelledDataset> LoadSplinkFake(const std::filesystem::path& file);

// Clerical labels of fake_1000 pairs: (row, row) pairs labelled match and non-match, as row
// indexes into the dataset (its unique_id equals the row index).
struct LabelledPairs {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> matches;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> non_matches;
};
Result<LabelledPairs> LoadSplinkLabels(const std::filesystem::path& file);

}  // namespace p360::identity::datasets
