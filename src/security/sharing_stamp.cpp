#include "security/sharing_stamp.hpp"

#include <string>

#include "core/ids.hpp"

namespace p360::security {

Status StampSharingChange(storage::Connection& connection, const Clock& clock) {
    const storage::Value params[] = {std::string(kSharingStampKey),
                                     NewId("shr", clock.NowMillis())};
    return connection.Execute(
        "INSERT INTO sys_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
        "excluded.value",
        params);
}

}  // namespace p360::security
