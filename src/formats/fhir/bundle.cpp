#include "formats/fhir/bundle.hpp"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/pct_string_view.hpp>
#include <set>
#include <unordered_map>

namespace p360::formats::fhir {
namespace {

// Percent-decoding of a query string value ('+' is a space); nullopt when an escape is
// malformed.
std::optional<std::string> PercentDecode(std::string_view text) {
    const auto encoded = boost::urls::make_pct_string_view(text);
    if (!encoded) {
        return std::nullopt;
    }
    boost::urls::encoding_opts options;
    options.space_as_plus = true;
    return encoded->decode(options);
}

// `identifier=system|value` (the only search parameter conditions may use) as the key it names.
std::optional<RecordKey> ConditionKey(std::string_view resource_type, std::string_view query,
                                      std::string* problem) {
    constexpr std::string_view kParameter = "identifier=";
    if (!query.starts_with(kParameter) || query.find('&') != std::string_view::npos) {
        *problem = "Conditions may use one search parameter: identifier=system|value.";
        return std::nullopt;
    }
    std::optional<std::string> token = PercentDecode(query.substr(kParameter.size()));
    const auto bar = token ? token->find('|') : std::string::npos;
    if (!token || bar == std::string::npos || bar == 0 || bar + 1 == token->size()) {
        *problem = "The identifier of a condition needs its system and value: system|value.";
        return std::nullopt;
    }
    return KeyOfIdentifier(resource_type, std::string_view(*token).substr(0, bar),
                           std::string_view(*token).substr(bar + 1));
}

const json::object* ObjectAt(const json::object& parent, std::string_view key) {
    const json::value* value = parent.if_contains(key);
    return value != nullptr && value->is_object() ? &value->get_object() : nullptr;
}

std::string TextAt(const json::object& parent, std::string_view key) {
    const json::value* value = parent.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->get_string())
                                                  : std::string();
}

// `Type/id` at the end of an absolute URL (`http://host/fhir/Patient/123` → `Patient/123`).
std::string RelativePart(std::string_view url) {
    const auto last = url.rfind('/');
    if (last == std::string_view::npos || last == 0) {
        return {};
    }
    const auto before = url.rfind('/', last - 1);
    return before == std::string_view::npos ? std::string() : std::string(url.substr(before + 1));
}

bool IsRelative(std::string_view reference) {
    const auto slash = reference.find('/');
    return slash != std::string_view::npos && slash > 0 && slash + 1 < reference.size() &&
           reference.find('/', slash + 1) == std::string_view::npos &&
           reference.find(':') == std::string_view::npos;
}

// Reads entry `entry_idx`'s envelope: request, fullUrl, resource type and condition.
void ReadRequest(const json::object& entry, BundleEntry& out) {
    out.full_url = TextAt(entry, "fullUrl");
    const json::object* resource = ObjectAt(entry, "resource");
    if (resource == nullptr) {
        out.errors.push_back({out.pointer + "/resource", "The entry needs a resource.", {}});
        return;
    }
    out.resource_type = TextAt(*resource, "resourceType");
    const json::object* request = ObjectAt(entry, "request");
    if (request == nullptr) {
        out.errors.push_back({out.pointer + "/request", "The entry needs a request.", {}});
        return;
    }
    out.method = TextAt(*request, "method");
    const std::string url = TextAt(*request, "url");
    const std::string at = out.pointer + "/request";
    std::string problem;
    if (out.method == "POST") {
        if (url != out.resource_type) {
            out.errors.push_back(
                {at + "/url", "A POST names the resource type of its resource, e.g. Patient.", {}});
        }
        if (const std::string condition = TextAt(*request, "ifNoneExist"); !condition.empty()) {
            out.key = ConditionKey(out.resource_type, condition, &problem);
            out.conditional = true;
            if (!out.key) {
                out.errors.push_back({at + "/ifNoneExist", problem, {}});
            }
        }
    } else if (out.method == "PUT") {
        const std::string prefix = out.resource_type + "/";
        const std::string search = out.resource_type + "?";
        if (!out.resource_type.empty() && url.starts_with(search)) {
            out.key = ConditionKey(out.resource_type, url.substr(search.size()), &problem);
            out.conditional = true;
            if (!out.key) {
                out.errors.push_back({at + "/url", problem, {}});
            }
        } else if (!out.resource_type.empty() && url.starts_with(prefix) &&
                   url.size() > prefix.size() &&
                   url.find_first_of("/?", prefix.size()) == std::string::npos) {
            out.target_id = url.substr(prefix.size());
        } else {
            out.errors.push_back({at + "/url",
                                  "A PUT names Type/<id> of the resource, or "
                                  "Type?identifier=system|value.",
                                  {}});
        }
    } else {
        out.errors.push_back(
            {at + "/method", "Entries may create (POST) or update (PUT) resources.", {}});
    }
}

}  // namespace

Result<Bundle> ReadBundle(const json::value& value) {
    if (!value.is_object() || TextAt(value.get_object(), "resourceType") != "Bundle") {
        return Error::InvalidArgument("Expected a Bundle.", "/resourceType");
    }
    const json::object& bundle = value.get_object();
    Bundle out;
    const std::string type = TextAt(bundle, "type");
    if (type == "transaction") {
        out.type = BundleType::kTransaction;
    } else if (type == "batch") {
        out.type = BundleType::kBatch;
    } else {
        return Error::InvalidArgument("Only transaction and batch Bundles can be posted.", "/type");
    }
    const json::value* entries = bundle.if_contains("entry");
    if (entries == nullptr) {
        return out;
    }
    if (!entries->is_array()) {
        return Error::InvalidArgument("Expected an array of entries.", "/entry");
    }
    if (entries->get_array().size() > kMaxBundleEntries) {
        return Error::InvalidArgument(
            "A Bundle may hold up to " + std::to_string(kMaxBundleEntries) + " entries.", "/entry");
    }
    // First the envelopes, so that references can find any entry, before or after them.
    std::unordered_map<std::string, std::size_t> by_url;
    std::unordered_map<std::string, std::size_t> by_relative;
    for (std::size_t entry_idx = 0; entry_idx < entries->get_array().size(); ++entry_idx) {
        BundleEntry& entry = out.entries.emplace_back();
        entry.pointer = "/entry/" + std::to_string(entry_idx);
        const json::value& item = entries->get_array()[entry_idx];
        if (!item.is_object()) {
            entry.errors.push_back({entry.pointer, "Expected an entry (a JSON object).", {}});
            continue;
        }
        ReadRequest(item.get_object(), entry);
        if (!entry.full_url.empty()) {
            if (!by_url.emplace(entry.full_url, entry_idx).second) {
                entry.errors.push_back(
                    {entry.pointer + "/fullUrl", "Another entry has the same fullUrl.", {}});
            }
            if (const std::string relative = RelativePart(entry.full_url);
                !relative.empty() && !entry.full_url.starts_with("urn:")) {
                by_relative.emplace(relative, entry_idx);
            }
        }
    }
    for (std::size_t entry_idx = 0; entry_idx < out.entries.size(); ++entry_idx) {
        BundleEntry& entry = out.entries[entry_idx];
        const json::value& item = entries->get_array()[entry_idx];
        if (!item.is_object() || ObjectAt(item.get_object(), "resource") == nullptr) {
            continue;
        }
        const std::string at = entry.pointer + "/resource";
        auto decoded = DecodeResource(item.get_object().at("resource"));
        if (!decoded.ok()) {
            for (const FieldError& error : decoded.error().field_errors) {
                entry.errors.push_back(
                    {at + (error.field == "/" ? "" : error.field), error.message, {}});
            }
            continue;
        }
        entry.resource = std::move(decoded).value();
        if (!entry.key && !entry.resource->keys.empty()) {
            entry.key = entry.resource->keys.front();
        }
        if (!entry.key && entry.full_url.find(':') != std::string::npos) {
            entry.key = RecordKey{"sourceId", IdentifierToken(kUriSystem, entry.full_url)};
        }
        std::set<std::string> resolved_fields;
        for (const RecordReference& reference : entry.resource->references) {
            if (reference.candidate && resolved_fields.contains(reference.field)) {
                continue;  // an earlier candidate was kept
            }
            ResolvedReference resolved{
                reference.field, reference.object, std::nullopt, {}, {}, at + reference.pointer};
            if (!reference.key_field.empty()) {
                resolved.key = {reference.key_field, reference.key};
                entry.references.push_back(std::move(resolved));
                continue;
            }
            std::optional<std::size_t> target;
            if (auto found = by_url.find(reference.reference); found != by_url.end()) {
                target = found->second;
            } else if (IsRelative(reference.reference)) {
                if (auto relative = by_relative.find(reference.reference);
                    relative != by_relative.end()) {
                    target = relative->second;
                }
            }
            std::string_view target_type;
            if (target) {
                target_type = out.entries[*target].resource_type;
                resolved.entry = target;
            } else if (IsRelative(reference.reference)) {
                const auto slash = reference.reference.find('/');
                target_type = std::string_view(reference.reference).substr(0, slash);
                resolved.id = reference.reference.substr(slash + 1);
            } else {
                entry.errors.push_back({resolved.pointer,
                                        "This reference names no entry of the Bundle and no "
                                        "resource payer360 holds.",
                                        {}});
                continue;
            }
            if (reference.candidate && ObjectOfResourceType(target_type) != reference.object) {
                continue;  // another kind of participant or requester: not kept
            }
            if (ObjectOfResourceType(target_type) != reference.object) {
                entry.errors.push_back({resolved.pointer,
                                        "This reference must name a resource held as " +
                                            reference.object + ", not " +
                                            (target_type.empty() ? std::string("an unknown type")
                                                                 : std::string(target_type)) +
                                            ".",
                                        {}});
                continue;
            }
            resolved_fields.insert(reference.field);
            entry.resource->pointers[reference.field] = reference.pointer;  // the one kept
            entry.references.push_back(std::move(resolved));
        }
    }
    return out;
}

}  // namespace p360::formats::fhir
