// Reading FHIR resources element by element, for the decoders: every element at fault becomes a
// FieldError with its JSON pointer, and the values read go into the record's fields with the
// pointer each came from. Internal to formats/fhir.
#pragma once

#include <boost/json.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/fhir/claim.hpp"
#include "formats/fhir/decode.hpp"
#include "formats/fhir/patient.hpp"

namespace p360::formats::fhir::detail {

inline constexpr std::string_view kNpiSystem = "http://hl7.org/fhir/sid/us-npi";
inline constexpr std::string_view kEinSystem = "urn:oid:2.16.840.1.113883.4.4";
inline constexpr std::string_view kIdentifierTypeSystem =
    "http://terminology.hl7.org/CodeSystem/v2-0203";
inline constexpr std::string_view kIcd10CmSystem = "http://hl7.org/fhir/sid/icd-10-cm";
inline constexpr std::string_view kIcd9CmSystem = "http://hl7.org/fhir/sid/icd-9-cm";
inline constexpr std::string_view kSnomedSystem = "http://snomed.info/sct";
inline constexpr std::string_view kRxNormSystem = "http://www.nlm.nih.gov/research/umls/rxnorm";
inline constexpr std::string_view kNdcSystem = "http://hl7.org/fhir/sid/ndc";

inline std::string Escape(std::string_view key) {
    std::string escaped;
    for (char c : key) {
        if (c == '~') {
            escaped += "~0";
        } else if (c == '/') {
            escaped += "~1";
        } else {
            escaped.push_back(c);
        }
    }
    return escaped;
}

// Reads one resource, collecting every element at fault with its JSON pointer.
class Reader {
public:
    explicit Reader(DecodedResource& out) : out_(out) {}

    void Fail(std::string pointer, std::string message) {
        errors_.push_back({pointer.empty() ? "/" : std::move(pointer), std::move(message), {}});
    }
    std::vector<FieldError>& errors() { return errors_; }

    // The element `key` of `object` as a string; absent → nullopt, another type → an error.
    std::optional<std::string> Text(const json::object& object, std::string_view key,
                                    const std::string& at) {
        const json::value* value = object.if_contains(key);
        if (value == nullptr || value->is_null()) {
            return std::nullopt;
        }
        if (!value->is_string()) {
            Fail(at + "/" + Escape(key), "Expected a string.");
            return std::nullopt;
        }
        return std::string(value->get_string());
    }
    const json::object* Object(const json::object& object, std::string_view key,
                               const std::string& at) {
        const json::value* value = object.if_contains(key);
        if (value == nullptr || value->is_null()) {
            return nullptr;
        }
        if (!value->is_object()) {
            Fail(at + "/" + Escape(key), "Expected an object.");
            return nullptr;
        }
        return &value->get_object();
    }
    const json::array* Array(const json::object& object, std::string_view key,
                             const std::string& at) {
        const json::value* value = object.if_contains(key);
        if (value == nullptr || value->is_null()) {
            return nullptr;
        }
        if (!value->is_array()) {
            Fail(at + "/" + Escape(key), "Expected an array.");
            return nullptr;
        }
        return &value->get_array();
    }
    std::optional<bool> Bool(const json::object& object, std::string_view key,
                             const std::string& at) {
        const json::value* value = object.if_contains(key);
        if (value == nullptr || value->is_null()) {
            return std::nullopt;
        }
        if (!value->is_bool()) {
            Fail(at + "/" + Escape(key), "Expected true or false.");
            return std::nullopt;
        }
        return value->get_bool();
    }
    const json::value* Number(const json::object& object, std::string_view key,
                              const std::string& at) {
        const json::value* value = object.if_contains(key);
        if (value == nullptr || value->is_null()) {
            return nullptr;
        }
        if (!value->is_number()) {
            Fail(at + "/" + Escape(key), "Expected a number.");
            return nullptr;
        }
        return value;
    }

    // Sets a record field from a string element, remembering where it came from.
    void Put(std::string_view field, std::optional<std::string> value, std::string pointer) {
        if (value && !value->empty()) {
            out_.fields[field] = std::move(*value);
            out_.pointers[std::string(field)] = std::move(pointer);
        }
    }
    void PutValue(std::string_view field, json::value value, std::string pointer) {
        out_.fields[field] = std::move(value);
        out_.pointers[std::string(field)] = std::move(pointer);
    }
    void PutText(const json::object& object, std::string_view key, std::string_view field,
                 const std::string& at) {
        Put(field, Text(object, key, at), at + "/" + Escape(key));
    }
    // A date field from a date or dateTime element: the date part.
    void PutDate(const json::object& object, std::string_view key, std::string_view field,
                 const std::string& at) {
        std::optional<std::string> value = Text(object, key, at);
        if (value && value->size() > 10 && (*value)[10] == 'T') {
            value->resize(10);
        }
        Put(field, std::move(value), at + "/" + Escape(key));
    }

    // A reference element: {"reference": "…"} at `at/key`.
    void PutReference(const json::object& object, std::string_view key, std::string_view field,
                      std::string_view target_object, const std::string& at,
                      bool candidate = false) {
        const std::string pointer = at + "/" + Escape(key);
        const json::object* reference = Object(object, key, at);
        if (reference == nullptr) {
            return;
        }
        std::optional<std::string> text = Text(*reference, "reference", pointer);
        if (!text || text->empty()) {
            return;  // a display-only reference: nothing to link
        }
        out_.references.push_back({std::string(field),
                                   std::string(target_object),
                                   std::move(*text),
                                   {},
                                   {},
                                   pointer + "/reference",
                                   candidate});
        out_.pointers.emplace(std::string(field), pointer + "/reference");
    }

    // The code of the first coding of a CodeableConcept in `system` (any system when empty).
    std::optional<std::string> Code(const json::object* concept_object, std::string_view system,
                                    const std::string& at) {
        if (concept_object == nullptr) {
            return std::nullopt;
        }
        const json::array* codings = Array(*concept_object, "coding", at);
        if (codings == nullptr) {
            return std::nullopt;
        }
        for (std::size_t coding_idx = 0; coding_idx < codings->size(); ++coding_idx) {
            const std::string pointer = at + "/coding/" + std::to_string(coding_idx);
            if (!(*codings)[coding_idx].is_object()) {
                Fail(pointer, "Expected a Coding.");
                continue;
            }
            const json::object& coding = (*codings)[coding_idx].get_object();
            if (!system.empty() && Text(coding, "system", pointer).value_or("") != system) {
                continue;
            }
            if (auto code = Text(coding, "code", pointer)) {
                return code;
            }
        }
        return std::nullopt;
    }

    // Identifiers: those with a field of their own go there (`fields` maps systems to fields),
    // the rest are kept whole, each a candidate key.
    void Identifiers(const json::object& resource,
                     std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
        const json::array* identifiers = Array(resource, "identifier", "");
        if (identifiers == nullptr) {
            return;
        }
        json::array kept;
        for (std::size_t identifier_idx = 0; identifier_idx < identifiers->size();
             ++identifier_idx) {
            const std::string pointer = "/identifier/" + std::to_string(identifier_idx);
            if (!(*identifiers)[identifier_idx].is_object()) {
                Fail(pointer, "Expected an Identifier.");
                continue;
            }
            const json::object& identifier = (*identifiers)[identifier_idx].get_object();
            const std::string system = Text(identifier, "system", pointer).value_or("");
            const std::string value = Text(identifier, "value", pointer).value_or("");
            // The payer's own claim number is a field as well as a kept identifier, since its
            // system is the payer's and only the identifier says which.
            if (out_.object == "Claim" && !value.empty() &&
                Code(Object(identifier, "type", pointer), kCarinIdentifierTypeSystem,
                     pointer + "/type") == "uc") {
                Put("claimNumber", value, pointer + "/value");
            }
            if (out_.object == "MemberPlan" && !value.empty() &&
                Code(Object(identifier, "type", pointer), kIdentifierTypeSystem,
                     pointer + "/type") == "MB") {
                Put("memberId", value, pointer + "/value");
                out_.keys.insert(out_.keys.begin(), RecordKey{"memberId", value});
                continue;
            }
            bool placed = false;
            for (const auto& [known_system, field] : fields) {
                if (!value.empty() && system == known_system) {
                    Put(field, value, pointer + "/value");
                    placed = true;
                }
            }
            if (placed) {
                // A unique field of its own (an NPI, a claim number) is the best key there is.
                if (RecordKey key = KeyOfIdentifier(out_.resource_type, system, value);
                    key.field != "sourceId") {
                    out_.keys.insert(out_.keys.begin(), std::move(key));
                }
                continue;
            }
            if (system == kSourceIdSystem && !value.empty()) {
                out_.keys.push_back({"sourceId", value});
                continue;
            }
            if (!system.empty() && !value.empty()) {
                out_.keys.push_back({"sourceId", IdentifierToken(system, value)});
            }
            kept.push_back(identifier);
        }
        if (!kept.empty()) {
            PutValue("fhirIdentifiers", json::value(json::serialize(kept)), "/identifier");
        }
    }

    // Extensions: the ones in `understood` are the caller's; the others are kept whole.
    std::vector<const json::object*> Extensions(const json::object& resource,
                                                std::string_view understood = {}) {
        std::vector<const json::object*> mine;
        const json::array* extensions = Array(resource, "extension", "");
        if (extensions == nullptr) {
            return mine;
        }
        json::array kept;
        for (std::size_t extension_idx = 0; extension_idx < extensions->size(); ++extension_idx) {
            const std::string pointer = "/extension/" + std::to_string(extension_idx);
            const json::value& extension = (*extensions)[extension_idx];
            if (!extension.is_object() || !extension.get_object().contains("url") ||
                !extension.get_object().at("url").is_string()) {
                Fail(pointer, "Expected an Extension with a url.");
                continue;
            }
            if (!understood.empty() &&
                extension.get_object().at("url").get_string() == understood) {
                mine.push_back(&extension.get_object());
                continue;
            }
            kept.push_back(extension);
        }
        if (!kept.empty()) {
            PutValue("fhirExtensions", json::value(json::serialize(kept)), "/extension");
        }
        return mine;
    }

    // The first address (a home one for choice) into addressLine1/2, city, county, state, …
    void PutAddress(const json::object& address, const std::string& at) {
        if (const json::array* lines = Array(address, "line", at)) {
            for (std::size_t line_idx = 0; line_idx < lines->size() && line_idx < 2; ++line_idx) {
                const std::string pointer = at + "/line/" + std::to_string(line_idx);
                if (!(*lines)[line_idx].is_string()) {
                    Fail(pointer, "Expected a string.");
                    continue;
                }
                Put(line_idx == 0 ? "addressLine1" : "addressLine2",
                    std::string((*lines)[line_idx].get_string()), pointer);
            }
        }
        for (const auto& [element, field] :
             {std::pair<std::string_view, std::string_view>{"city", "city"},
              {"district", "county"},
              {"state", "state"},
              {"postalCode", "postalCode"},
              {"country", "country"}}) {
            PutText(address, element, field, at);
        }
    }
    void PutAddresses(const json::object& resource, bool has_county) {
        const json::array* addresses = Array(resource, "address", "");
        if (addresses == nullptr || addresses->empty()) {
            return;
        }
        std::size_t chosen = 0;
        for (std::size_t address_idx = 0; address_idx < addresses->size(); ++address_idx) {
            const json::value& address = (*addresses)[address_idx];
            if (address.is_object() && address.get_object().contains("use") &&
                address.get_object().at("use") == "home") {
                chosen = address_idx;
                break;
            }
        }
        if (!(*addresses)[chosen].is_object()) {
            Fail("/address/" + std::to_string(chosen), "Expected an Address.");
            return;
        }
        PutAddress((*addresses)[chosen].get_object(), "/address/" + std::to_string(chosen));
        if (!has_county) {
            out_.fields.erase("county");
        }
    }

    // Telecom: phone (or mobile phone), fax, email and url into the record's contact fields.
    void PutTelecom(const json::object& resource, bool person) {
        const json::array* telecom = Array(resource, "telecom", "");
        if (telecom == nullptr) {
            return;
        }
        for (std::size_t point_idx = 0; point_idx < telecom->size(); ++point_idx) {
            const std::string pointer = "/telecom/" + std::to_string(point_idx);
            if (!(*telecom)[point_idx].is_object()) {
                Fail(pointer, "Expected a ContactPoint.");
                continue;
            }
            const json::object& point = (*telecom)[point_idx].get_object();
            const std::string system = Text(point, "system", pointer).value_or("");
            const std::string use = Text(point, "use", pointer).value_or("");
            if (use == "old") {
                continue;  // no longer in use
            }
            std::string_view field;
            if (system == "phone") {
                field = person && use == "mobile" ? "mobilePhone" : "phone";
            } else if (system == "fax" && !person) {
                field = "fax";
            } else if (system == "email") {
                field = "email";
            } else if (system == "url" && !person) {
                field = "website";
            }
            if (!field.empty() && !out_.fields.contains(field)) {
                PutText(point, "value", field, pointer);
            }
        }
    }

    // A Person-like name: family, given (first, then middle), suffix.
    void PutHumanName(const json::object& name, const std::string& at, std::string_view suffix) {
        PutText(name, "family", "lastName", at);
        if (const json::array* given = Array(name, "given", at)) {
            std::string middle;
            for (std::size_t given_idx = 0; given_idx < given->size(); ++given_idx) {
                const std::string pointer = at + "/given/" + std::to_string(given_idx);
                if (!(*given)[given_idx].is_string()) {
                    Fail(pointer, "Expected a string.");
                    continue;
                }
                const std::string part((*given)[given_idx].get_string());
                if (given_idx == 0) {
                    Put("firstName", part, pointer);
                } else {
                    middle += (middle.empty() ? "" : " ") + part;
                }
            }
            Put("middleName", middle, at + "/given/1");
        }
        if (const json::array* suffixes = Array(name, "suffix", at)) {
            std::string joined;
            for (const json::value& part : *suffixes) {
                if (part.is_string()) {
                    joined += (joined.empty() ? "" : ", ") + std::string(part.get_string());
                }
            }
            Put(suffix, joined, at + "/suffix");
        }
    }

    // The name to keep: the official one, else the first that is not old.
    const json::object* ChooseName(const json::object& resource, std::string* at) {
        const json::array* names = Array(resource, "name", "");
        if (names == nullptr) {
            return nullptr;
        }
        const json::object* chosen = nullptr;
        for (std::size_t name_idx = 0; name_idx < names->size(); ++name_idx) {
            if (!(*names)[name_idx].is_object()) {
                Fail("/name/" + std::to_string(name_idx), "Expected a HumanName.");
                continue;
            }
            const json::object& name = (*names)[name_idx].get_object();
            const json::value* use = name.if_contains("use");
            const bool official = use != nullptr && *use == "official";
            const bool old = use != nullptr && (*use == "old" || *use == "nickname");
            if (official || (chosen == nullptr && !old)) {
                chosen = &name;
                *at = "/name/" + std::to_string(name_idx);
                if (official) {
                    break;
                }
            }
        }
        return chosen;
    }

private:
    DecodedResource& out_;
    std::vector<FieldError> errors_;
};

// The decoders that live in files of their own (decode_claim.cpp, decode_care.cpp).
void DecodeClaim(const json::object& resource, Reader& in, DecodedResource& out);
void DecodeExplanationOfBenefit(const json::object& resource, Reader& in, DecodedResource& out);
void DecodeCarePlan(const json::object& resource, Reader& in, DecodedResource& out);
void DecodeConsent(const json::object& resource, Reader& in, DecodedResource& out);

}  // namespace p360::formats::fhir::detail
