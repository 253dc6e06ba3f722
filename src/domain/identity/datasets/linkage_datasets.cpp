#include "domain/identity/datasets/linkage_datasets.hpp"

#include <charconv>
#include <fstream>
#include <map>

#include "formats/csv/csv_table.hpp"

namespace p360::identity::datasets {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// FEBRL writes ", " between cells; the space belongs to the separator, not the value.
std::string Trimmed(const std::string& cell) {
    const std::size_t first = cell.find_first_not_of(' ');
    if (first == std::string::npos) {
        return {};
    }
    return cell.substr(first, cell.find_last_not_of(' ') - first + 1);
}

// All rows after the header, cells trimmed; each row must have `columns` cells.
Result<Rows> ReadRows(const std::filesystem::path& file, std::size_t columns) {
    std::ifstream input(file, std::ios::binary);
    if (!input) {
        return Error::NotFound("Dataset file not found: " + file.string());
    }
    Rows rows;
    bool header = true;
    P360_TRY(formats::csv::ReadCsv(input, [&](formats::csv::CsvRow&& row) -> Status {
        if (header) {
            header = false;
            return Ok();
        }
        if (row.cells.size() != columns) {
            return Error::InvalidArgument("Unexpected column count", std::to_string(row.line));
        }
        for (std::string& cell : row.cells) {
            cell = Trimmed(cell);
        }
        rows.push_back(std::move(row.cells));
        return Ok();
    }));
    return rows;
}

// Dense ids for truth labels, in order of first appearance.
class TruthIds {
public:
    std::uint32_t IdOf(const std::string& label) {
        return ids_.emplace(label, static_cast<std::uint32_t>(ids_.size())).first->second;
    }

private:
    std::map<std::string, std::uint32_t> ids_;
};

// "rec-12-dup-3" → "12".
std::string FebrlEntity(const std::string& rec_id) {
    const std::size_t start = rec_id.find('-') + 1;
    return rec_id.substr(start, rec_id.find('-', start) - start);
}

Result<std::uint32_t> ParseIndex(const std::string& text) {
    std::uint32_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        return Error::InvalidArgument("Not a row index: " + text);
    }
    return value;
}

}  // namespace

Result<LabelledDataset> LoadFebrl(const std::filesystem::path& file) {
    P360_ASSIGN_OR_RETURN(Rows rows, ReadRows(file, 11));
    LabelledDataset dataset;
    dataset.name = file.stem().string();
    TruthIds truth;
    for (std::vector<std::string>& cells : rows) {
        PersonRecord record;
        record.record_id = cells[0];
        record.given_name = cells[1];
        record.family_name = cells[2];
        record.street = cells[3].empty() ? cells[4] : cells[3] + " " + cells[4];
        record.address_line2 = cells[5];
        record.city = cells[6];
        record.postal_code = cells[7];
        record.state = cells[8];
        record.birth_date = cells[9];
        record.national_id = cells[10];
        dataset.truth.push_back(truth.IdOf(FebrlEntity(cells[0])));
        dataset.records.push_back(std::move(record));
    }
    return dataset;
}

Result<LabelledDataset> LoadSplinkFake(const std::filesystem::path& file) {
    P360_ASSIGN_OR_RETURN(Rows rows, ReadRows(file, 7));
    LabelledDataset dataset;
    dataset.name = file.stem().string();
    TruthIds truth;
    for (std::vector<std::string>& cells : rows) {
        PersonRecord record;
        record.record_id = cells[0];
        record.given_name = cells[1];
        record.family_name = cells[2];
        record.birth_date = cells[3];
        record.city = cells[4];
        record.email = cells[5];
        dataset.truth.push_back(truth.IdOf(cells[6]));
        dataset.records.push_back(std::move(record));
    }
    return dataset;
}

Result<LabelledPairs> LoadSplinkLabels(const std::filesystem::path& file) {
    P360_ASSIGN_OR_RETURN(Rows rows, ReadRows(file, 5));
    LabelledPairs pairs;
    for (const std::vector<std::string>& cells : rows) {
        P360_ASSIGN_OR_RETURN(const std::uint32_t left, ParseIndex(cells[0]));
        P360_ASSIGN_OR_RETURN(const std::uint32_t right, ParseIndex(cells[2]));
        (cells[4] == "1.0" || cells[4] == "1" ? pairs.matches : pairs.non_matches)
            .emplace_back(left, right);
    }
    return pairs;
}

}  // namespace p360::identity::datasets
