#pragma once
// Request bytes the benchmarks send, spelled as Eureka clients send them.
#include <string>
#include <string_view>

namespace logbook::bench {

// POST apps/{APP} with bench instance k's registration (E1).
std::string RegisterRequestBytes(long k, long apps);
// PUT apps/{APP}/{ID} for bench instance k (E2), as bench/load/renew.lua sends it.
std::string RenewRequestBytes(long k, long apps);
// GET `path` with `accept`, asking for gzip when `gzip` and for the compact
// flavour (X-Eureka-Accept) when `compact`.
std::string GetRequestBytes(std::string_view path, std::string_view accept, bool gzip,
                            bool compact = false);
// PUT apps/{APP}/{ID}/status?value=`status` for bench instance k (E4).
std::string StatusRequestBytes(long k, long apps, std::string_view status);
// DELETE apps/{APP}/{ID} for bench instance k (E3).
std::string CancelRequestBytes(long k, long apps);

}  // namespace logbook::bench
