#include "formats/fhir/patient.hpp"

#include <array>
#include <string>
#include <tuple>
#include <utility>

#include "formats/fhir/record_fields.hpp"

namespace p360::formats::fhir {
namespace {

using detail::FieldText;

// Person fields that are identifiers, with their systems.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kIdentifiers = {{
    {"sourceId", kSourceIdSystem},
    {"ssn", kSsnSystem},
    {"medicareBeneficiaryId", kMbiSystem},
    {"medicaidId", kMedicaidSystem},
}};

json::array Identifiers(const json::object& person) {
    json::array identifiers = detail::KeptIdentifiers(person);
    for (json::value& identifier : identifiers) {
        if (const json::value* system = identifier.as_object().if_contains("system");
            system != nullptr && system->is_string() && system->get_string() == kSourceIdSystem) {
            identifier.as_object()["use"] = "secondary";
        }
    }
    for (const auto& [field, system] : kIdentifiers) {
        if (field == "sourceId") {
            continue;  // among the kept identifiers
        }
        if (const std::string value = FieldText(person, field); !value.empty()) {
            identifiers.push_back(json::object{{"system", system}, {"value", value}});
        }
    }
    return identifiers;
}

json::array Names(const json::object& person) {
    json::object name{{"use", "official"}};
    if (const std::string family = FieldText(person, "lastName"); !family.empty()) {
        name["family"] = family;
    }
    json::array given;
    for (const char* field : {"firstName", "middleName"}) {
        if (const std::string part = FieldText(person, field); !part.empty()) {
            given.emplace_back(part);
        }
    }
    if (!given.empty()) {
        name["given"] = std::move(given);
    }
    if (const std::string suffix = FieldText(person, "suffix"); !suffix.empty()) {
        name["suffix"] = json::array{json::value(suffix)};
    }
    json::array names;
    if (name.size() > 1) {
        names.push_back(std::move(name));
    }
    if (const std::string preferred = FieldText(person, "preferredName"); !preferred.empty()) {
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
        if (const std::string value = FieldText(person, field); !value.empty()) {
            telecom.push_back(json::object{{"system", system}, {"value", value}, {"use", use}});
        }
    }
    return telecom;
}

json::array Addresses(const json::object& person) {
    json::object address;
    json::array lines;
    for (const char* field : {"addressLine1", "addressLine2"}) {
        if (const std::string line = FieldText(person, field); !line.empty()) {
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
        if (const std::string value = FieldText(person, field); !value.empty()) {
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
    json::object patient = detail::ResourceShell("Patient", person);
    if (json::array extensions = detail::KeptExtensions(person); !extensions.empty()) {
        patient["extension"] = std::move(extensions);
    }
    auto put = [&patient](std::string_view key, json::array values) {
        if (!values.empty()) {
            patient[key] = std::move(values);
        }
    };
    put("identifier", Identifiers(person));
    patient["active"] = FieldText(person, "lifecycleStage") != "former";
    put("name", Names(person));
    put("telecom", Telecom(person));
    if (const std::string gender = FieldText(person, "gender"); !gender.empty()) {
        patient["gender"] = gender;
    }
    if (const std::string birth = FieldText(person, "birthDate"); !birth.empty()) {
        patient["birthDate"] = birth;
    }
    if (const std::string died = FieldText(person, "deceasedDate"); !died.empty()) {
        patient["deceasedDateTime"] = died;
    } else if (const json::value* deceased = person.if_contains("deceased");
               deceased != nullptr && deceased->is_bool()) {
        patient["deceasedBoolean"] = deceased->get_bool();
    }
    put("address", Addresses(person));
    if (const std::string language = FieldText(person, "preferredLanguage"); !language.empty()) {
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
