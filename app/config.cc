#include "app/config.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "core/instance.h"
#include "core/status.h"
#include "net/url_credentials.h"

namespace logbook::app {
namespace {

// How each key reads its value and which values are allowed. One table, below,
// drives ApplySetting, Validate and DescribeSettings, so a key's bounds are
// written once and a config built in code is checked like one that was parsed.

// Whole-number setting within [min, max].
template <typename T>
struct IntegerField {
  T Config::*member;
  T min;
  T max;
};

// Milliseconds, written as plain ms or with a unit (ms, s, m, h, d); >= min.
struct DurationField {
  std::int64_t Config::*member;
  std::int64_t min;
};

struct BoolField {
  bool Config::*member;
};

// A fraction in (0, 1].
struct FractionField {
  double Config::*member;
};

struct StringField {
  std::string Config::*member;
  enum class Allowed { kNonEmpty, kEmptyOrName, kAny } allowed;
};

// "" or user:password; shown as user:*** (a secret, like a password in a URL).
struct CredentialsField {
  std::string Config::*member;
};
struct PeersField {       // comma-separated http:// base URLs
  std::vector<std::string> Config::*member;
};
struct SyncField {};      // always|none -> sync_always
struct LogLevelField {};  // debug|info|warn|error

// Config::port is declared int and the renewal interval std::int32_t; one
// alternative serves both.
static_assert(std::is_same_v<int, std::int32_t>);

using Field =
    std::variant<IntegerField<std::int32_t>, IntegerField<std::int64_t>, DurationField, BoolField,
                 FractionField, StringField, CredentialsField, PeersField, SyncField,
                 LogLevelField>;

struct Setting {
  absl::string_view key;
  Field field;
  // An alternative spelling of another key: accepted and listed, but the
  // field is validated under its main key.
  bool alias = false;
};

constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();
constexpr std::int32_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();
using Allowed = StringField::Allowed;

constexpr std::array kSettings = {
    Setting{"logbook.server.host", StringField{&Config::host, Allowed::kNonEmpty}},
    Setting{"logbook.server.port", IntegerField<std::int32_t>{&Config::port, 0, 65535}},
    Setting{"logbook.data-dir", StringField{&Config::data_dir, Allowed::kNonEmpty}},
    Setting{"logbook.node-id", StringField{&Config::node_id, Allowed::kEmptyOrName}},
    Setting{"logbook.peers", PeersField{&Config::peers}},
    Setting{"logbook.eureka-peers", PeersField{&Config::eureka_peers}},
    Setting{"logbook.eureka-peers.max-queue-items",
            IntegerField<std::int64_t>{&Config::eureka_push_max_queue_items, 1, 10000000}},
    Setting{"logbook.log.sync", SyncField{}},
    Setting{"eureka.server.enable-self-preservation", BoolField{&Config::enable_self_preservation}},
    Setting{"eureka.server.renewal-percent-threshold",
            FractionField{&Config::renewal_percent_threshold}},
    Setting{"eureka.server.eviction-interval-timer-in-ms",
            IntegerField<std::int64_t>{&Config::eviction_interval_timer_in_ms, 1, kMaxInt64}},
    Setting{"eureka.server.retention-time-in-ms-in-delta-queue",
            IntegerField<std::int64_t>{&Config::retention_time_in_ms_in_delta_queue, 1, kMaxInt64}},
    // Spring's relaxed binding of Netflix's retentionTimeInMSInDeltaQueue (eureka-protocol.md
    // §8.1).
    Setting{"eureka.server.retention-time-in-m-s-in-delta-queue",
            IntegerField<std::int64_t>{&Config::retention_time_in_ms_in_delta_queue, 1, kMaxInt64},
            /*alias=*/true},
    // Eureka silently turns <= 0 into 30 (§8.1); we refuse it instead of guessing.
    Setting{"eureka.server.expected-client-renewal-interval-seconds",
            IntegerField<std::int32_t>{&Config::expected_client_renewal_interval_seconds, 1,
                                       kMaxInt32}},
    Setting{
        "eureka.server.renewal-threshold-update-interval-ms",
        IntegerField<std::int64_t>{&Config::renewal_threshold_update_interval_ms, 1, kMaxInt64}},
    Setting{"eureka.server.disable-delta", BoolField{&Config::disable_delta}},
    Setting{"eureka.server.use-read-only-response-cache",
            BoolField{&Config::use_read_only_response_cache}},
    Setting{"eureka.server.sync-when-timestamp-differs",
            BoolField{&Config::sync_when_timestamp_differs}},
    Setting{"eureka.instance.registry.expected-number-of-clients-sending-renews",
            IntegerField<std::int64_t>{&Config::expected_number_of_clients_sending_renews, 0,
                                       kMaxInt64}},
    // -1 means "one lease duration per instance"; any other value is a fixed grace.
    Setting{"logbook.evictor.restart-grace-ms",
            IntegerField<std::int64_t>{&Config::restart_grace_ms, -1, kMaxInt64}},
    // 0 turns long-polling off: every wait_ms is cut to an immediate answer.
    Setting{"logbook.events.max-wait-ms",
            IntegerField<std::int64_t>{&Config::events_max_wait_ms, 0, kMaxInt64}},
    Setting{"logbook.log.renew-retention", DurationField{&Config::renew_retention_ms, 1}},
    Setting{"logbook.log.audit-retention", DurationField{&Config::audit_retention_ms, 1}},
    Setting{"logbook.log.retention-interval-ms",
            DurationField{&Config::retention_interval_ms, 1}},
    Setting{"logbook.log.test-only-retention-without-snapshot",
            BoolField{&Config::test_only_retention_without_snapshot}},
    Setting{"logbook.snapshot.every-events",
            IntegerField<std::int64_t>{&Config::snapshot_every_events, 1, kMaxInt64}},
    Setting{"logbook.snapshot.every-ms", DurationField{&Config::snapshot_every_ms, 1}},
    Setting{"logbook.replication.bootstrap", BoolField{&Config::replication_bootstrap}},
    Setting{"logbook.replication.test-only-bootstrap-delay-ms",
            IntegerField<std::int64_t>{&Config::test_only_bootstrap_delay_ms, 0, kMaxInt64}},
    Setting{"logbook.replication.test-only-waiting-retry-ms",
            IntegerField<std::int64_t>{&Config::test_only_waiting_retry_ms, 1, kMaxInt64}},
    Setting{"logbook.snapshot.test-only-slice-items",
            IntegerField<std::int64_t>{&Config::test_only_snapshot_slice_items, 0, kMaxInt64}},
    Setting{"logbook.replication.test-only-merge-task-instances",
            IntegerField<std::int64_t>{&Config::test_only_merge_task_instances, 0, kMaxInt64}},
    Setting{"logbook.replication.test-only-merge-pause-ms",
            IntegerField<std::int64_t>{&Config::test_only_merge_pause_ms, 0, kMaxInt64}},
    // Below 1 KiB ordinary Eureka requests would be refused with 431.
    Setting{"logbook.http.max-header-bytes",
            IntegerField<std::int64_t>{&Config::http_max_header_bytes, 1024, kMaxInt64}},
    Setting{"logbook.http.max-body-bytes",
            IntegerField<std::int64_t>{&Config::http_max_body_bytes, 1, kMaxInt64}},
    Setting{"logbook.http.header-timeout-ms",
            IntegerField<std::int64_t>{&Config::http_header_timeout_ms, 1, kMaxInt64}},
    Setting{"logbook.http.idle-timeout-ms",
            IntegerField<std::int64_t>{&Config::http_idle_timeout_ms, 1, kMaxInt64}},
    Setting{"logbook.http.max-connections",
            IntegerField<std::int64_t>{&Config::http_max_connections, 1, kMaxInt64}},
    Setting{"logbook.log-level", LogLevelField{}},
    // The first spelling; kept so that existing files keep working.
    Setting{"logbook.log.level", LogLevelField{}, /*alias=*/true},
    Setting{"logbook.access-log", BoolField{&Config::access_log}},
    Setting{"logbook.auth.enabled", BoolField{&Config::auth_enabled}},
    Setting{"logbook.auth.users-file",
            StringField{&Config::auth_users_file, Allowed::kAny}},
    Setting{"logbook.auth.anonymous-read", BoolField{&Config::auth_anonymous_read}},
    Setting{"logbook.auth.peer-credentials",
            CredentialsField{&Config::auth_peer_credentials}},
};

// A URL as messages and --help show it: a password in it masked.
std::string Masked(absl::string_view url) {
  return net::MaskUrlPassword(std::string_view(url.data(), url.size()));
}
std::string MaskedList(absl::string_view urls) {
  std::vector<std::string> shown;
  for (absl::string_view url : absl::StrSplit(urls, ',')) shown.push_back(Masked(url));
  return absl::StrJoin(shown, ",");
}

// Values in messages are quoted and escaped: they may come from a file with
// stray control characters.
std::string Quote(absl::string_view text) {
  return absl::StrCat("\"", absl::CHexEscape(text), "\"");
}

absl::Status KeyError(absl::string_view key, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(key, ": ", problem));
}

// The whole text must be one base-10 integer that fits in int64.
absl::StatusOr<std::int64_t> ParseInt64(absl::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc::result_out_of_range) {
    return absl::InvalidArgumentError(absl::StrCat("integer out of range: ", Quote(text)));
  }
  if (ec != std::errc() || ptr != end) {
    return absl::InvalidArgumentError(absl::StrCat("expected an integer, got ", Quote(text)));
  }
  return value;
}

struct DurationUnit {
  absl::string_view suffix;
  std::int64_t ms;
};
// "ms" is tried before "s", since "5ms" also ends in "s".
constexpr std::array<DurationUnit, 5> kDurationUnits = {{
    {"ms", 1},
    {"s", 1000},
    {"m", 60 * 1000},
    {"h", 60 * 60 * 1000},
    {"d", 24 * 60 * 60 * 1000},
}};

absl::StatusOr<std::int64_t> ParseDurationMs(absl::string_view text) {
  absl::string_view number = text;
  std::int64_t unit_ms = 1;
  for (const DurationUnit& unit : kDurationUnits) {
    if (absl::EndsWith(text, unit.suffix)) {
      number = text.substr(0, text.size() - unit.suffix.size());
      unit_ms = unit.ms;
      break;
    }
  }
  const absl::StatusOr<std::int64_t> count = ParseInt64(number);
  if (!count.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected a duration (integer ms, or an integer with unit ms, s, m, h or d), got ",
        Quote(text)));
  }
  if (*count > kMaxInt64 / unit_ms || *count < -kMaxInt64 / unit_ms) {
    return absl::InvalidArgumentError(absl::StrCat("duration out of range: ", Quote(text)));
  }
  return *count * unit_ms;
}

// Shortest exact spelling: 900000 -> "15m", 1500 -> "1500ms", 0 -> "0".
std::string FormatDurationMs(std::int64_t ms) {
  if (ms == 0) return "0";
  for (auto it = kDurationUnits.rbegin(); it != kDurationUnits.rend(); ++it) {
    if (ms % it->ms == 0) return absl::StrCat(ms / it->ms, it->suffix);
  }
  return absl::StrCat(ms, "ms");  // unreachable: every value is a whole number of ms
}

absl::StatusOr<bool> ParseBool(absl::string_view text) {
  if (absl::EqualsIgnoreCase(text, "true")) return true;
  if (absl::EqualsIgnoreCase(text, "false")) return false;
  return absl::InvalidArgumentError(absl::StrCat("expected true or false, got ", Quote(text)));
}

absl::StatusOr<double> ParseDouble(absl::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    return absl::InvalidArgumentError(absl::StrCat("expected a number, got ", Quote(text)));
  }
  return value;
}

std::string FormatDouble(double value) {
  std::array<char, 64> buffer;
  const auto [ptr, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  LOGBOOK_CHECK(ec == std::errc());
  return std::string(buffer.data(), ptr);
}

constexpr std::array<std::pair<absl::string_view, LogLevel>, 4> kLogLevelNames = {{
    {"debug", LogLevel::kDebug},
    {"info", LogLevel::kInfo},
    {"warn", LogLevel::kWarn},
    {"error", LogLevel::kError},
}};

absl::string_view LogLevelName(LogLevel level) {
  for (const auto& [name, value] : kLogLevelNames) {
    if (value == level) return name;
  }
  return "";
}

// Bounds checks shared by ApplySetting (on the parsed value) and Validate (on
// the struct). The problem text does not name the key; the caller adds it.
template <typename T>
absl::Status CheckInteger(const IntegerField<T>& field, T value) {
  if (value < field.min || value > field.max) {
    if (field.max == std::numeric_limits<T>::max()) {
      return absl::InvalidArgumentError(
          absl::StrCat("must be at least ", field.min, ", got ", value));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("must be between ", field.min, " and ", field.max, ", got ", value));
  }
  return absl::OkStatus();
}

absl::Status CheckDuration(const DurationField& field, std::int64_t value_ms) {
  if (value_ms < field.min) {
    return absl::InvalidArgumentError(absl::StrCat("must be at least ", FormatDurationMs(field.min),
                                                   ", got ", FormatDurationMs(value_ms)));
  }
  return absl::OkStatus();
}

absl::Status CheckFraction(double value) {
  // Written so that NaN fails too.
  if (!(value > 0.0 && value <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("must be in (0, 1], got ", FormatDouble(value)));
  }
  return absl::OkStatus();
}

absl::Status CheckString(const StringField& field, absl::string_view value) {
  switch (field.allowed) {
    case Allowed::kNonEmpty:
      if (value.empty()) return absl::InvalidArgumentError("must not be empty");
      break;
    case Allowed::kEmptyOrName:
      // Node ids end up in logs, replication and the audit history.
      if (!value.empty() && !core::IsValidName(std::string_view(value.data(), value.size()))) {
        return absl::InvalidArgumentError(
            absl::StrCat("must be valid UTF-8 without control characters, got ", Quote(value)));
      }
      break;
    case Allowed::kAny:
      break;
  }
  return absl::OkStatus();
}

// Never quotes the value: it holds a password.
absl::Status CheckCredentials(absl::string_view value) {
  if (value.empty()) return absl::OkStatus();
  const std::size_t colon = value.find(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError("expected user:password (a non-empty user, then ':')");
  }
  return absl::OkStatus();
}

absl::Status CheckPeer(absl::string_view url) {
  // Peers are pulled over plain HTTP (no TLS in net/); refuse anything else
  // at startup rather than at the first pull.
  constexpr absl::string_view kScheme = "http://";
  if (!absl::StartsWith(url, kScheme) || url.size() == kScheme.size() ||
      url[kScheme.size()] == '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("expected http://[USER:PASSWORD@]HOST[:PORT][/PATH] base URLs, got ",
                     Quote(Masked(url))));
  }
  for (const char c : url) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) ||
        absl::ascii_iscntrl(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(
          absl::StrCat("peer URL contains a space or control "
                       "character: ",
                       Quote(Masked(url))));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPeers(const std::vector<std::string>& peers) {
  for (const std::string& peer : peers) RETURN_IF_ERROR(CheckPeer(peer));
  return absl::OkStatus();
}

// "" is no peers; otherwise every comma-separated entry must be a URL.
absl::StatusOr<std::vector<std::string>> ParsePeers(absl::string_view text) {
  std::vector<std::string> peers;
  if (text.empty()) return peers;
  for (absl::string_view entry : absl::StrSplit(text, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    if (entry.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("empty entry in comma-separated URL list ", Quote(MaskedList(text))));
    }
    RETURN_IF_ERROR(CheckPeer(entry));
    peers.emplace_back(entry);
  }
  return peers;
}

// Parses `value` for `field` and stores it in `config`; errors name no key.
struct Applier {
  Config& config;
  absl::string_view value;

  template <typename T>
  absl::Status operator()(const IntegerField<T>& field) const {
    ASSIGN_OR_RETURN(const std::int64_t parsed, ParseInt64(value));
    if (parsed < std::numeric_limits<T>::min() || parsed > std::numeric_limits<T>::max()) {
      return absl::InvalidArgumentError(absl::StrCat("integer out of range: ", Quote(value)));
    }
    RETURN_IF_ERROR(CheckInteger(field, static_cast<T>(parsed)));
    config.*field.member = static_cast<T>(parsed);
    return absl::OkStatus();
  }
  absl::Status operator()(const DurationField& field) const {
    ASSIGN_OR_RETURN(const std::int64_t parsed, ParseDurationMs(value));
    RETURN_IF_ERROR(CheckDuration(field, parsed));
    config.*field.member = parsed;
    return absl::OkStatus();
  }
  absl::Status operator()(const BoolField& field) const {
    ASSIGN_OR_RETURN(config.*field.member, ParseBool(value));
    return absl::OkStatus();
  }
  absl::Status operator()(const FractionField& field) const {
    ASSIGN_OR_RETURN(const double parsed, ParseDouble(value));
    RETURN_IF_ERROR(CheckFraction(parsed));
    config.*field.member = parsed;
    return absl::OkStatus();
  }
  absl::Status operator()(const StringField& field) const {
    RETURN_IF_ERROR(CheckString(field, value));
    config.*field.member = std::string(value);
    return absl::OkStatus();
  }
  absl::Status operator()(const CredentialsField& field) const {
    RETURN_IF_ERROR(CheckCredentials(value));
    config.*field.member = std::string(value);
    return absl::OkStatus();
  }
  absl::Status operator()(const PeersField& field) const {
    ASSIGN_OR_RETURN(config.*field.member, ParsePeers(value));
    return absl::OkStatus();
  }
  absl::Status operator()(const SyncField&) const {
    if (absl::EqualsIgnoreCase(value, "always")) {
      config.sync_always = true;
    } else if (absl::EqualsIgnoreCase(value, "none")) {
      config.sync_always = false;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("expected always or none, got ", Quote(value)));
    }
    return absl::OkStatus();
  }
  absl::Status operator()(const LogLevelField&) const {
    for (const auto& [name, level] : kLogLevelNames) {
      if (absl::EqualsIgnoreCase(value, name)) {
        config.log_level = level;
        return absl::OkStatus();
      }
    }
    return absl::InvalidArgumentError(
        absl::StrCat("expected debug, info, warn or error, got ", Quote(value)));
  }
};

// Checks the value already in `config` for `field`; errors name no key.
struct Checker {
  const Config& config;

  template <typename T>
  absl::Status operator()(const IntegerField<T>& field) const {
    return CheckInteger(field, config.*field.member);
  }
  absl::Status operator()(const DurationField& field) const {
    return CheckDuration(field, config.*field.member);
  }
  absl::Status operator()(const BoolField&) const { return absl::OkStatus(); }
  absl::Status operator()(const FractionField& field) const {
    return CheckFraction(config.*field.member);
  }
  absl::Status operator()(const StringField& field) const {
    return CheckString(field, config.*field.member);
  }
  absl::Status operator()(const CredentialsField& field) const {
    return CheckCredentials(config.*field.member);
  }
  absl::Status operator()(const PeersField& field) const {
    return CheckPeers(config.*field.member);
  }
  absl::Status operator()(const SyncField&) const { return absl::OkStatus(); }
  absl::Status operator()(const LogLevelField&) const {
    if (LogLevelName(config.log_level).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("not a log level: ", static_cast<int>(config.log_level)));
    }
    return absl::OkStatus();
  }
};

// The value of `field` in `config`, spelled so that ApplySetting accepts it.
struct Formatter {
  const Config& config;

  template <typename T>
  std::string operator()(const IntegerField<T>& field) const {
    return absl::StrCat(config.*field.member);
  }
  std::string operator()(const DurationField& field) const {
    return FormatDurationMs(config.*field.member);
  }
  std::string operator()(const BoolField& field) const {
    return config.*field.member ? "true" : "false";
  }
  std::string operator()(const FractionField& field) const {
    return FormatDouble(config.*field.member);
  }
  std::string operator()(const StringField& field) const { return config.*field.member; }
  std::string operator()(const CredentialsField& field) const {
    const std::string& value = config.*field.member;
    const std::size_t colon = value.find(':');
    if (colon == std::string::npos) return value;
    return value.substr(0, colon) + ":***";
  }
  // Passwords in peer URLs are masked the same way.
  std::string operator()(const PeersField& field) const {
    std::vector<std::string> shown;
    for (const std::string& peer : config.*field.member) shown.push_back(Masked(peer));
    return absl::StrJoin(shown, ",");
  }
  std::string operator()(const SyncField&) const { return config.sync_always ? "always" : "none"; }
  std::string operator()(const LogLevelField&) const {
    return std::string(LogLevelName(config.log_level));
  }
};

const Setting* FindSetting(absl::string_view key) {
  for (const Setting& setting : kSettings) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

// Start of a '#' comment: at the start of the line or after whitespace, so a
// value such as a path may still contain '#'.
absl::string_view StripComment(absl::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' &&
        (i == 0 || absl::ascii_isspace(static_cast<unsigned char>(line[i - 1])))) {
      return line.substr(0, i);
    }
  }
  return line;
}

}  // namespace

absl::Status ApplySetting(Config& config, const std::string& key, const std::string& value) {
  const Setting* setting = FindSetting(key);
  if (setting == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown configuration key ", Quote(key),
                                                   " (`logbook serve --help` lists every key)"));
  }
  const absl::Status status =
      std::visit(Applier{config, absl::StripAsciiWhitespace(value)}, setting->field);
  if (!status.ok()) return KeyError(key, status.message());
  return absl::OkStatus();
}

absl::Status ApplyConfigFile(Config& config, const std::string& path) {
  std::ifstream file(path);
  if (!file.is_open()) {
    const std::error_code error(errno, std::generic_category());
    return absl::InvalidArgumentError(
        absl::StrCat("config file ", path, ": cannot open: ", error.message()));
  }
  std::string line;
  int line_number = 0;
  while (std::getline(file, line)) {
    ++line_number;
    const absl::string_view content = absl::StripAsciiWhitespace(StripComment(line));
    if (content.empty()) continue;
    const std::size_t equals = content.find('=');
    const absl::string_view key =
        absl::StripAsciiWhitespace(content.substr(0, std::min(equals, content.size())));
    if (equals == absl::string_view::npos || key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_number, ": expected `key = value`, got ", Quote(content)));
    }
    const absl::Status status =
        ApplySetting(config, std::string(key), std::string(content.substr(equals + 1)));
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_number, ": ", status.message()));
    }
  }
  // getline stops at the end of the file or on a read error (e.g. a directory).
  if (!file.eof()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config file ", path, ": read error at line ", line_number + 1));
  }
  return absl::OkStatus();
}

absl::Status Validate(const Config& config) {
  for (const Setting& setting : kSettings) {
    if (setting.alias) continue;
    const absl::Status status = std::visit(Checker{config}, setting.field);
    if (!status.ok()) return KeyError(setting.key, status.message());
  }
  return absl::OkStatus();
}

std::vector<std::pair<std::string, std::string>> DescribeSettings(const Config& config) {
  std::vector<std::pair<std::string, std::string>> described;
  described.reserve(kSettings.size());
  for (const Setting& setting : kSettings) {
    described.emplace_back(std::string(setting.key), std::visit(Formatter{config}, setting.field));
  }
  return described;
}

}  // namespace logbook::app
