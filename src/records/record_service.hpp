// RecordService: the one path by which records are read and written.
//
// Every create, update, delete and bulk upsert runs the same steps in one database transaction:
// authorize (object, then each field) → validate (types, required, picklists, references) →
// write → field history for tracked fields → an outbox event. If any step fails, nothing of the
// operation remains. Reads apply the same authorization and return only readable fields.
//
// Records travel as JSON objects keyed by field name; system fields (id, version, ownerId,
// createdAt/By, modifiedAt/By) are set here and can never be assigned by callers. `version`
// starts at 1 and grows by one with every change; updates and deletes may name the version they
// expect (If-Match) and fail with kFailedPrecondition when the record has moved on.
// Thread-safe.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "query/compiler.hpp"
#include "records/metadata_service.hpp"
#include "records/record_codec.hpp"
#include "security/access_audit.hpp"
#include "security/authorizer.hpp"
#include "storage/database.hpp"

namespace p360::records {

namespace json = boost::json;

// kDryRun: every line is tried and reported as it would be, then nothing is kept.
enum class BulkMode { kAtomic, kPartial, kDryRun };

struct BulkOutcome {
    bool applied = false;  // false when an atomic batch was rolled back
    std::int64_t failed = 0;
    json::object body;  // summary and per-line results
};

// A reference field of a change that names its target by key rather than id: the target may be
// created earlier in the same change set.
struct KeyReference {
    std::string field;
    std::string object;
    std::string key_field;
    std::string key;
};

// One record of a change set: created or updated by its key (an external-id or unique field,
// or `id`), with plain field values and references by key.
struct RecordChange {
    std::string object;
    std::string key_field;
    std::string key;
    json::object fields;
    json::object create_fields;  // set only when the change creates the record
    std::vector<KeyReference> references;
    bool create = true;  // false: only update a record that exists
    // false: a record that exists already is left as it is ("unchanged"), as a conditional
    // create (FHIR ifNoneExist) wants; it must still be readable by the caller.
    bool update = true;
};

struct ChangeOutcome {
    std::string object;
    std::string id;
    std::string status;        // created, updated, unchanged
    std::int64_t version = 0;  // the record's version after the change
};

struct ChangeSetOutcome {
    bool already_applied = false;  // the idempotency key was seen before; nothing was written
    std::vector<ChangeOutcome> changes;
};

// Bounds that keep one request from monopolising the writer.
struct RecordLimits {
    std::size_t max_bulk_lines = 100'000;
    int max_cascade_depth = 8;
    std::size_t max_history_items = 1000;
};

class RecordService;

// A record as JSON text, as the records API answers it, with the values of a few of its fields
// for the reader's own use.
struct RecordText {
    std::string json;  // {"id":…,…}: the fields read, as far as the caller may read them
    // The fields the read named in `values_of`, in that order: nullopt when the record has no
    // such field for the caller (hidden, or not read), "" when null, else the text of a text
    // value or the JSON of any other.
    std::vector<std::optional<std::string>> values;
};

struct RecordPage {
    std::vector<RecordText> records;
    std::string next_cursor;  // empty on the last page
};

// Where the deployment stood when a read began. Equal marks saw the same records with the same
// fields under the same sharing; a later outbox event or a new stamp means something changed.
struct ChangeMark {
    std::int64_t last_change = 0;  // the id of the newest outbox event
    std::string catalog_stamp;     // moves with every custom object or field
    std::string sharing_stamp;     // moves with team memberships and users' roles
};

// A committed change as a keeper of derived answers needs it: what changed, and what the
// record refers to now, so that answers about those records can be dropped.
struct ChangedRecord {
    std::int64_t position = 0;  // the outbox event's id
    std::string object;
    std::string id;
    std::vector<std::string> references;  // its reference fields' values; none once deleted
};

// Reads as one caller on one read connection: a view assembled from many reads sees one
// snapshot of the database and takes one connection for all of them. Records come back as the
// JSON text the records API would answer, to be put into a larger answer as they are, never
// parsed back. Object, field and record access and the PHI access audit are those of
// RecordService::Get and List: each page of records that discloses PHI is one audit event.
// Valid only inside the RecordService::ReadTogether callback that hands it out.
class RecordReader {
public:
    // As RecordService::Get.
    Result<RecordText> Get(std::string_view object_name, std::string_view id,
                           std::span<const std::string_view> values_of = {});
    // As RecordService::List.
    Result<RecordPage> List(std::string_view object_name, const query::ListRequest& request,
                            std::span<const std::string_view> values_of = {});
    // Whether any read so far reached records through a scope of the caller's own (records
    // they or their teams own, their care team's members, their own member) rather than
    // through their grants alone. When not, everyone with the same role and permission sets
    // would have read the same.
    bool ScopedToTheCaller() const { return scoped_to_caller_; }

    // Where this reader's snapshot stands.
    Result<ChangeMark> Mark();
    // The changes after outbox event `after`, oldest first, at most `limit`. What each record
    // refers to is read as the snapshot has it, whatever the caller may see: the ids are for
    // the server's own bookkeeping and are never answered.
    Result<std::vector<ChangedRecord>> ChangesAfter(std::int64_t after, std::size_t limit);
    // From now on, every audit event this reader's reads queue is also copied into `into`:
    // what an answer kept for reuse discloses again each time it is served.
    void CaptureDisclosures(std::vector<security::Disclosure>* into) { captured_ = into; }

private:
    friend class RecordService;
    RecordReader(RecordService& service, const security::Actor& actor,
                 storage::Connection& connection)
        : service_(service), actor_(actor), connection_(connection) {}

    RecordService& service_;
    const security::Actor& actor_;
    storage::Connection& connection_;
    std::vector<security::Disclosure>* captured_ = nullptr;
    bool scoped_to_caller_ = false;
};

class RecordService {
public:
    // `audit` may be null (no access audit, e.g. in unit tests of other behaviour).
    RecordService(storage::Database& database, MetadataService& metadata,
                  const security::Authorizer& authorizer, const Clock& clock,
                  security::AccessAudit* audit = nullptr, RecordLimits limits = {});

    // 201-style: the stored record with id and version.
    Result<json::object> Create(const security::Actor& actor, std::string_view object_name,
                                const json::value& body);

    // `fields` empty = every readable field.
    Result<json::object> Get(const security::Actor& actor, std::string_view object_name,
                             std::string_view id, const std::vector<std::string>& fields = {});
    // The same record as serialized JSON: the fast path for HTTP answers.
    Result<std::string> GetJson(const security::Actor& actor, std::string_view object_name,
                                std::string_view id, const std::vector<std::string>& fields = {});

    Result<json::object> Update(const security::Actor& actor, std::string_view object_name,
                                std::string_view id, const json::value& patch,
                                std::optional<std::int64_t> if_match);

    // Hands the record to another user, team or queue (routing a case to a queue, reassigning
    // a task). The caller must be able to change the record; the new owner must be an active
    // user or an existing team or queue. The caller may lose sight of the record by it.
    Result<json::object> ChangeOwner(const security::Actor& actor, std::string_view object_name,
                                     std::string_view id, std::string_view owner_id,
                                     std::optional<std::int64_t> if_match);

    // Refused with kConflict while restricting references exist; cascades as declared.
    Status Delete(const security::Actor& actor, std::string_view object_name, std::string_view id,
                  std::optional<std::int64_t> if_match);

    // Whether `actor` may read `field_name` of `object_name` (false for unknown ones): for
    // callers that build filters over fields the caller did not name.
    bool CanReadField(const security::Actor& actor, std::string_view object_name,
                      std::string_view field_name) const;

    // {"items": [...], "nextCursor": "…" | null}
    Result<json::object> List(const security::Actor& actor, std::string_view object_name,
                              const query::ListRequest& request);
    // The same page as serialized JSON: the fast path for HTTP answers.
    Result<std::string> ListJson(const security::Actor& actor, std::string_view object_name,
                                 const query::ListRequest& request);

    // Runs `work` with a RecordReader for `actor` on one read connection (see RecordReader).
    Status ReadTogether(const security::Actor& actor,
                        const std::function<Status(RecordReader&)>& work);
    // Queues the audit of disclosures `actor` receives again, from an answer kept for reuse.
    void Disclose(const security::Actor& actor,
                  const std::vector<security::Disclosure>& disclosures) const;

    // Applies every change in order in one transaction: all of them or none. Errors name the
    // change at fault ("changes[3].birthDate"). A non-empty `idempotency_key` is stored with the
    // changes, and a set whose key was stored before is not applied again. Importers (X12,
    // FHIR transactions) build on this.
    Result<ChangeSetOutcome> ApplyChanges(const security::Actor& actor,
                                          const std::vector<RecordChange>& changes,
                                          std::string_view idempotency_key = {});

    // {"items": [{field, oldValue, newValue, changedBy, changedAt}, …]}, newest first.
    Result<json::object> History(const security::Actor& actor, std::string_view object_name,
                                 std::string_view id);

    // Upserts NDJSON lines keyed by `external_id_field`. Fails as a whole only for problems
    // with the request itself (unknown object or key field, too many lines); line problems are
    // reported per line in the outcome.
    Result<BulkOutcome> BulkUpsert(const security::Actor& actor, std::string_view object_name,
                                   std::string_view ndjson, std::string_view external_id_field,
                                   BulkMode mode);

private:
    friend class RecordReader;

    // The object a request addresses, with the catalog snapshot it was resolved in.
    struct Target {
        metadata::CatalogSnapshot catalog;
        const metadata::ObjectDef* object = nullptr;
    };
    // A read of one record, decided before it runs: what it returns depends on the caller,
    // not on the record.
    struct GetPlan {
        Target target;
        std::vector<bool> returned;  // per field of the object
        std::string phi_fields;      // the returned PHI fields, comma-separated
        std::optional<std::size_t> person_column;
        storage::SqlCondition readable;
        bool scoped_to_caller = false;  // see RecordReader::ScopedToTheCaller
    };
    // A compiled page of a list and what its audit needs.
    struct ListPlan {
        Target target;
        query::CompiledList list;
        int limit = 0;
        std::string phi_fields;  // the listed PHI fields, comma-separated
        std::optional<std::size_t> person_column;
        bool scoped_to_caller = false;  // see RecordReader::ScopedToTheCaller
    };
    Result<GetPlan> PlanGet(const security::Actor& actor, std::string_view object_name,
                            const std::vector<std::string>& fields) const;
    // Hands the record's row to `on_row` and queues the audit of its disclosure; false when
    // the record does not exist or is out of the caller's reach.
    Result<bool> RunGet(storage::Connection& connection, const security::Actor& actor,
                        GetPlan& plan, std::string_view id,
                        const std::function<void(const storage::RowView&)>& on_row,
                        std::vector<security::Disclosure>* captured = nullptr) const;
    Result<ListPlan> PlanList(const security::Actor& actor, std::string_view object_name,
                              const query::ListRequest& request) const;
    // Hands each row of the page to `on_row` (the plan's columns first) and queues the page's
    // audit event; returns the cursor of the next page, empty on the last one.
    Result<std::string> RunList(storage::Connection& connection, const security::Actor& actor,
                                ListPlan& plan,
                                const std::function<void(const storage::RowView&)>& on_row,
                                std::vector<security::Disclosure>* captured = nullptr) const;
    // Queues one call's disclosure, and copies it into `captured` when there is one.
    void QueueDisclosure(const security::Actor& actor, security::Disclosure disclosure,
                         std::vector<security::Disclosure>* captured) const;
    Result<Target> Resolve(const security::Actor& actor, std::string_view object_name,
                           security::Operation operation) const;
    // The records of the target's objects the actor may reach for `operation`. Sets
    // `*scoped_to_caller` when a scope it gives is the caller's own (has parameters).
    query::RecordScope ScopeOf(const security::Actor& actor, const Target& target,
                               security::Operation operation,
                               bool* scoped_to_caller = nullptr) const;
    // Loads the record `id` the actor is about to change, locked to other writers until the
    // transaction ends: kNotFound when they may not see it, kPermissionDenied when they may
    // see but not change it.
    Result<storage::Row> LoadForChange(storage::Connection& connection,
                                       const security::Actor& actor, const Target& target,
                                       std::string_view id, security::Operation operation) const;
    // Refuses a write that would leave the record `id` outside what the actor may read.
    Status CheckStillReadable(storage::Connection& connection, const query::RecordScope& readable,
                              const Target& target, std::string_view id) const;
    // One change of ApplyChanges, inside its transaction.
    Status ApplyChange(storage::Connection& connection, const security::Actor& actor,
                       const Target& target, const RecordChange& change, std::int64_t now,
                       std::unordered_set<std::string>& known_references, storage::Row& row,
                       std::vector<FieldAssignment>& assignments, ChangeSetOutcome& outcome) const;
    // Decodes a body into the fields the caller may set.
    Result<std::vector<FieldAssignment>> Decode(const security::Actor& actor, const Target& target,
                                                const json::value& body) const;

    // Queues an audit entry for a read of `row` when it disclosed PHI fields.
    void AuditRead(const security::Actor& actor, std::string_view action,
                   const metadata::ObjectDef& object, const storage::Row& row,
                   std::vector<std::string> phi_fields) const;
    // Queues the audit entry of a committed change to a PHI-bearing object.
    void AuditWrite(const security::Actor& actor, std::string_view action,
                    const metadata::ObjectDef& object, const storage::Row& row,
                    const std::function<bool(const metadata::FieldDef&)>& touched) const;

    storage::Database& database_;
    MetadataService& metadata_;
    const security::Authorizer& authorizer_;
    const Clock& clock_;
    security::AccessAudit* audit_;
    const RecordLimits limits_;
};

}  // namespace p360::records
