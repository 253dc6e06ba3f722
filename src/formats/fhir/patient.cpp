#include "formats/fhir/patient.hpp"

#include <array>
#include <string>
#include <tuple>
#include <utility>

namespace p360::formats::fhir {
namespace {

// Person fields that are identifiers, with their systems.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kIdentifiers = {{
    {"sourceId", kSourceIdSystem},
    {"ssn", kSsnSystem},
    {"medicareBeneficiaryId", kMbiSystem},
    {"medicaidId", kMedicaidSystem},
}};

std::string Text(const json::object& record, std::string_view field) {
    const json::value* value = record.if_contains(field);
    return value != nullptr && value->is_string() ? std::string(value->get_string())
                                                  : std::string();
}

json::array Identifiers(const json::object& person) {
    json::array identifiers;
    for (const auto& [field, system] : kIdentifiers) {
        if (const std::string value = Text(person, field); !value.empty()) {
            json::object identifier{{"system", system}, {"value", value}};
            if (field == "sourceId") {
                identifier["use"] = "secondary";
            }
            identifiers.push_back(std::move(identifier));
        }
    }
    return identifiers;
}

json::array Names(const json::object& person) {
    json::object name{{"use", "official"}};
    if (const std::string family = Text(person, "lastName"); !family.empty()) {
        name["family"] = family;
    }
    json::array given;
    for (const char* field : {"firstName", "middleName"}) {
        if (const std::string part = Text(person, field); !part.empty()) {
            given.emplace_back(part);
        }
    }
    if (!given.empty()) {
        name["given"] = std::move(given);
    }
    if (const std::string suffix = Text(person, "suffix"); !suffix.empty()) {
        name["suffix"] = json::array{json::value(suffix)};
    }
    json::array names;
    if (name.size() > 1) {
        names.push_back(std::move(name));
    }
    if (const std::string preferred = Text(person, "preferredName"); !preferred.empty()) {
        names.push_back(
            json::object{{"use", "usual"}, {"given", json::array{json::value(preferred)}}});
    }
    return names;
}

json::array Telecom(const json::object& person) {
    json::array telecom;
    const std::array<std::tuple<std::string_view, std::string_view, std::string_view>, 3> kPoints =
        {{{"phone", "phone", "home"},
          {"mobilePhone", "phone", "mobile"},
          {"email", "email", "home"}}};
    for (const auto& [field, system, use] : kPoints) {
        if (const std::string value = Text(person, field); !value.empty()) {
            telecom.push_back(json::object{{"system", system}, {"value", value}, {"use", use}});
        }
    }
    return telecom;
}

json::array Addresses(const json::object& person) {
    json::object address;
    json::array lines;
    for (const char* field : {"addressLine1", "addressLine2"}) {
        if (const std::string line = Text(person, field); !line.empty()) {
            lines.emplace_back(line);
        }
    }
    if (!lines.empty()) {
        address["line"] = std::move(lines);
    }
    const std::array<std::pair<std::string_view, std::string_view>, 5> kParts = {
        {{"city", "city"},
         {"county", "district"},
         {"state", "state"},
         {"postalCode", "postalCode"},
         {"country", "country"}}};
    for (const auto& [field, element] : kParts) {
        if (const std::string value = Text(person, field); !value.empty()) {
            address[element] = value;
        }
    }
    json::array addresses;
    if (!address.empty()) {
        address["use"] = "home";
        addresses.push_back(std::move(address));
    }
    return addresses;
}

}  // namespace

json::object PatientFromPerson(const json::object& person) {
    json::object patient{{"resourceType", "Patient"}, {"id", Text(person, "id")}};
    json::object meta;
    if (const json::value* version = person.if_contains("version");
        version && version->is_int64()) {
        meta["versionId"] = std::to_string(version->get_int64());
    }
    if (const std::string modified = Text(person, "modifiedAt"); !modified.empty()) {
        meta["lastUpdated"] = modified;
    }
    if (!meta.empty()) {
        patient["meta"] = std::move(meta);
    }
    auto put = [&patient](std::string_view key, json::array values) {
        if (!values.empty()) {
            patient[key] = std::move(values);
        }
    };
    put("identifier", Identifiers(person));
    patient["active"] = Text(person, "lifecycleStage") != "former";
    put("name", Names(person));
    put("telecom", Telecom(person));
    if (const std::string gender = Text(person, "gender"); !gender.empty()) {
        patient["gender"] = gender;
    }
    if (const std::string birth = Text(person, "birthDate"); !birth.empty()) {
        patient["birthDate"] = birth;
    }
    if (const std::string died = Text(person, "deceasedDate"); !died.empty()) {
        patient["deceasedDateTime"] = died;
    } else if (const json::value* deceased = person.if_contains("deceased");
               deceased != nullptr && deceased->is_bool()) {
        patient["deceasedBoolean"] = deceased->get_bool();
    }
    put("address", Addresses(person));
    if (const std::string language = Text(person, "preferredLanguage"); !language.empty()) {
        patient["communication"] = json::array{json::object{
            {"language",
             json::object{{"coding", json::array{json::object{{"system", "urn:ietf:bcp:47"},
                                                              {"code", language}}}}}},
            {"preferred", true}}};
    }
    return patient;
}

std::string_view PersonFieldForIdentifierSystem(std::string_view system) {
    for (const auto& [field, known] : kIdentifiers) {
        if (known == system) {
            return field;
        }
    }
    return {};
}

}  // namespace p360::formats::fhir
