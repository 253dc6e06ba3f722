// Fuzz target: record JSON decoding. Any bytes as a request body for Person (the widest
// standard object) must give a decoded record or an Error naming a field — never a crash, an
// exception or unbounded work. Decoded values must encode back to JSON of the field's type.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalog_files.hpp"
#include "metadata/catalog.hpp"
#include "records/record_codec.hpp"

namespace {

const p360::metadata::Catalog& StandardCatalog() {
    static const p360::metadata::Catalog* catalog = [] {
        std::vector<p360::metadata::ObjectDef> objects;
        for (const auto& file : p360::catalog::EmbeddedFiles()) {
            auto parsed = p360::metadata::ParseCatalogYaml(file.text, file.name);
            if (!parsed.ok()) {
                std::abort();
            }
            for (auto& object : parsed.value()) {
                objects.push_back(std::move(object));
            }
        }
        return new p360::metadata::Catalog(std::move(objects));
    }();
    return *catalog;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& catalog = StandardCatalog();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = p360::records::ParseJson(text, "body");
    if (!parsed.ok()) {
        return 0;
    }
    for (const char* object_name : {"Person", "Claim", "MemberPlan"}) {
        const auto& object = *catalog.FindObject(object_name);
        auto decoded = p360::records::DecodeFields(catalog, object, parsed.value(), {});
        if (!decoded.ok()) {
            if (decoded.error().field_errors.empty() && decoded.error().location.empty()) {
                std::abort();  // every decoding error must say where
            }
            continue;
        }
        for (const auto& assignment : decoded.value()) {
            const auto& field = object.fields[assignment.field_index];
            auto again = p360::records::DecodeValue(
                catalog, field, p360::records::EncodeValue(field, assignment.value));
            if (!again.ok() || again.value() != assignment.value) {
                std::abort();  // decode → encode → decode must be stable
            }
        }
    }
    return 0;
}
