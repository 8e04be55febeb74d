#pragma once
// The dashboard's files (net/dashboard/), compiled into the binary by
// cmake/embed_files.cmake so that a node serves its page with nothing on disk.
#include <span>
#include <string_view>

namespace logbook::net {

struct EmbeddedFile {
  std::string_view path;  // as requested: "/index.html", "/dashboard.js", ...
  std::string_view body;
};

// Static storage; defined in the generated dashboard_files.cc.
std::span<const EmbeddedFile> EmbeddedDashboardFiles();

}  // namespace logbook::net
