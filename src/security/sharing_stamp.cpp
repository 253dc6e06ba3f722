#include "security/sharing_stamp.hpp"

#include <string>

#include "core/ids.hpp"
#include "storage/schema.hpp"

namespace p360::security {

Status StampSharingChange(storage::Connection& connection, const Clock& clock) {
    return storage::SetMetaValue(connection, kSharingStampKey, NewId("shr", clock.NowMillis()));
}

}  // namespace p360::security
