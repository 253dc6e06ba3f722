#include "http/static_files.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>

#include "http/problem.hpp"

namespace p360::http {
namespace {

namespace fs = std::filesystem;

std::string_view ContentType(const fs::path& file) {
    static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".txt", "text/plain; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
    };
    const std::string extension = file.extension().string();
    for (const auto& [suffix, type] : kTypes) {
        if (extension == suffix) {
            return type;
        }
    }
    return "application/octet-stream";
}

// Whether `path` lies inside `root`, component by component (both canonical).
bool IsInside(const fs::path& path, const fs::path& root) {
    auto [root_end, path_at] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
    return root_end == root.end();
}

// The request path's segments, or nothing when any of them may not name a served file.
std::optional<fs::path> SafeRelativePath(std::string_view request_path) {
    if (request_path.empty() || request_path.front() != '/' ||
        request_path.find('\0') != std::string_view::npos ||
        request_path.find('\\') != std::string_view::npos) {
        return std::nullopt;
    }
    fs::path relative;
    std::size_t start = 1;
    while (start <= request_path.size()) {
        const std::size_t end = std::min(request_path.find('/', start), request_path.size());
        const std::string_view segment = request_path.substr(start, end - start);
        if (segment.empty() && end == request_path.size()) {
            break;  // a trailing slash: the directory itself
        }
        if (segment.empty() || segment.front() == '.') {
            return std::nullopt;  // "//", ".", "..", dotfiles
        }
        relative /= fs::path(std::string(segment));
        start = end + 1;
    }
    return relative;
}

Result<std::string> ReadFile(const fs::path& file) {
    std::error_code error;
    const auto size = fs::file_size(file, error);
    if (error || size > kMaxStaticFileBytes) {
        return Error::NotFound("No such page.");
    }
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
        return Error::Internal("a static file could not be read");
    }
    return bytes;
}

}  // namespace

Result<StaticFiles> StaticFiles::Open(const fs::path& root) {
    std::error_code error;
    fs::path canonical = fs::canonical(root, error);
    if (error || !fs::is_directory(canonical)) {
        return Error::InvalidArgument("The web directory " + root.string() + " does not exist.",
                                      "web");
    }
    return StaticFiles(std::move(canonical));
}

std::optional<fs::path> StaticFiles::Resolve(std::string_view request_path) const {
    const std::optional<fs::path> relative = SafeRelativePath(request_path);
    if (!relative) {
        return std::nullopt;
    }
    fs::path candidate = root_ / *relative;
    std::error_code error;
    if (fs::is_directory(candidate, error)) {
        candidate /= "index.html";
    } else if (!fs::exists(candidate, error) && !relative->has_extension()) {
        candidate = root_ / "index.html";  // a client-side route of the single-page app
    }
    const fs::path resolved = fs::canonical(candidate, error);  // follows symbolic links
    if (error || !IsInside(resolved, root_) || !fs::is_regular_file(resolved, error)) {
        return std::nullopt;
    }
    return resolved;
}

HttpResponse StaticFiles::Serve(const HttpRequest& request) const {
    const Error not_found = Error::NotFound("No such page.");
    if (request.path.rfind("/api/", 0) == 0) {
        return ProblemResponse(not_found, request.request_id);  // API paths stay API errors
    }
    const std::optional<fs::path> file = Resolve(request.path);
    if (!file) {
        return ProblemResponse(not_found, request.request_id);
    }
    Result<std::string> bytes = ReadFile(*file);
    if (!bytes.ok()) {
        return ProblemResponse(bytes.error(), request.request_id);
    }
    HttpResponse response{200, std::string(ContentType(*file)), std::move(bytes).value(), {}};
    const bool hashed = request.path.rfind("/assets/", 0) == 0;
    response.headers.emplace_back("Cache-Control",
                                  hashed ? "public, max-age=31536000, immutable" : "no-cache");
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
    response.headers.emplace_back(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    return response;
}

}  // namespace p360::http
