// StaticFiles: serves one directory — the built web console — at the root of the site.
//
// Only regular files inside the directory are ever served. A request path is taken apart
// segment by segment: empty, `.` and `..` segments, segments starting with a dot (`.env`,
// `.git`), backslashes and NUL bytes end the request with a 404, and the resolved file must
// still lie inside the root after symbolic links are followed. A path with no file extension
// that names no file is a route of the single-page app and gets `index.html`. Responses carry
// a content type by extension, `nosniff`, a same-origin content security policy, and cache
// headers: forever for content-hashed files under `assets/`, revalidate for the rest.
// Thread-safe; files are read per request (the operating system caches them).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string_view>

#include "core/result.hpp"
#include "http/message.hpp"

namespace p360::http {

class StaticFiles {
public:
    // `root` must be an existing directory.
    static Result<StaticFiles> Open(const std::filesystem::path& root);

    // The file for a GET or HEAD of `request.path`, or a 404 problem.
    HttpResponse Serve(const HttpRequest& request) const;

private:
    explicit StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}

    // The file a request path names, if it is a regular file inside the root.
    std::optional<std::filesystem::path> Resolve(std::string_view request_path) const;

    std::filesystem::path root_;  // canonical
};

// Files larger than this are not served (the console's bundles are far smaller).
inline constexpr std::size_t kMaxStaticFileBytes = 32u << 20;

}  // namespace p360::http
