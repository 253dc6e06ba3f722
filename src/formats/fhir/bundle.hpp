// FHIR R4 transaction and batch Bundles, read into entries ready to become record changes.
//
// Each entry is decoded (decode.hpp), given the key its record is found by and has its
// references resolved against the Bundle: a reference naming another entry's fullUrl
// (`urn:uuid:…`, or `Patient/123` against `http://…/Patient/123`) points at that entry; a
// relative `Type/<id>` naming no entry is a payer360 record id; anything else is broken.
//
// An entry's key, in order of preference: the identifier of its condition (`ifNoneExist:
// identifier=system|value`, or a conditional PUT `Type?identifier=system|value`); its
// resource's own identifiers (decode.hpp); its fullUrl as a URI identifier
// (`urn:ietf:rfc:3986|urn:uuid:…`), so re-sending the same Bundle finds the same records. An
// entry without any is created anew each time.
//
// Never throws. The Bundle fails as a whole only when it is not a transaction or batch Bundle;
// a bad entry carries its errors (JSON pointers from the Bundle's root, e.g.
// `/entry/3/resource/birthDate`) and the caller decides: a transaction fails, a batch answers
// that entry alone.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "formats/fhir/decode.hpp"

namespace p360::formats::fhir {

enum class BundleType { kTransaction, kBatch };

// A reference of an entry's record, resolved as far as the Bundle can: to another entry, to a
// record id, or to a key of the referenced object.
struct ResolvedReference {
    std::string field;
    std::string object;
    std::optional<std::size_t> entry;  // another entry of the Bundle
    std::string id;                    // a payer360 record id
    RecordKey key;                     // a unique field's value (a Coverage's plan code)
    std::string pointer;               // from the Bundle's root
};

struct BundleEntry {
    std::string pointer;  // `/entry/<n>`
    std::string method;   // POST or PUT
    std::string full_url;
    std::string resource_type;
    std::string target_id;     // PUT Type/<id>: the record to update
    bool conditional = false;  // ifNoneExist, or PUT Type?identifier=…
    std::optional<RecordKey> key;
    std::optional<DecodedResource> resource;
    std::vector<ResolvedReference> references;
    std::vector<FieldError> errors;  // empty when the entry can be applied
};

struct Bundle {
    BundleType type = BundleType::kTransaction;
    std::vector<BundleEntry> entries;
};

inline constexpr std::size_t kMaxBundleEntries = 10'000;

Result<Bundle> ReadBundle(const json::value& bundle);

}  // namespace p360::formats::fhir
