// load_config / parse_config: reads the file, parses YAML, dispatches the two sections and
// returns either a valid Config or every problem found, in file order. Never throws.
#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/exceptions.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <istream>
#include <sstream>
#include <string_view>

#include "config_sections.h"
#include "hc/common/config.h"
#include "yaml_document.h"
#include "yaml_reader.h"

namespace hc {
namespace {

using config_detail::kConsumerSection;
using config_detail::kNotifySection;
using config_detail::kProducerSection;
using config_detail::kServeSection;
using config_detail::Located;
using config_detail::YamlReader;

// A config of 50,000 sites is a few MB; anything far bigger is a mistake (or /dev/zero).
constexpr std::uintmax_t kMaxConfigBytes = std::uintmax_t{64} * 1024 * 1024;

constexpr std::string_view kTooLarge = "cannot read the config: larger than 64 MiB";

ConfigError file_error(const std::filesystem::path& file, std::string_view message) {
  return ConfigError{file.string(), 0, 0, "", std::string(message)};
}

void read_sections(YamlReader& reader, const config_detail::YamlNode& document, Config& config,
                   const IcmpAccessProbe& icmp_access) {
  static constexpr std::array<std::string_view, 4> kSections = {kProducerSection, kConsumerSection,
                                                                kNotifySection, kServeSection};
  Located root = YamlReader::root(document);
  auto sections = reader.map(root, kSections,
                             "a map with healthcheck-producer-config, healthcheck-consumer-config, "
                             "healthcheck-notify-config and/or healthcheck-serve-config");
  if (!sections) return;
  const Located* producer = sections->find(kProducerSection);
  const Located* consumer = sections->find(kConsumerSection);
  const Located* notify = sections->find(kNotifySection);
  if (producer == nullptr && consumer == nullptr && notify == nullptr) {
    if (reader.error_count() == 0) {
      reader.report(root.mark, "",
                    "expected a healthcheck-producer-config or healthcheck-consumer-config "
                    "section (or both), or healthcheck-notify-config");
    }
    return;
  }
  if (producer != nullptr)
    config.producer = config_detail::read_producer_section(reader, *producer, icmp_access);
  if (consumer != nullptr)
    config.consumer = config_detail::read_consumer_section(reader, *consumer);
  if (notify != nullptr) config.notify = config_detail::read_notify_section(reader, *notify);
  if (const Located* serve = sections->find(kServeSection)) {
    config.serve = config_detail::read_serve_section(reader, *serve);
  }
  config_detail::share_redact_query_params(config);
}

// yaml-cpp's messages are plain English, but a message about an unknown escape quotes the
// offending byte: keep messages printable.
std::string printable(std::string_view text) {
  std::string result;
  for (char c : text) result.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return result;
}

// yaml-cpp names the parser's state, not the mistake. Its block-structure errors come almost
// always from indentation (a key one column off, a tab), its flow errors from a bracket left
// open: say so, after yaml-cpp's own words.
std::string syntax_error_hint(std::string_view message) {
  constexpr std::array<std::string_view, 5> kIndentationErrors = {
      "end of map not found", "end of sequence not found", "illegal map value", "illegal map key",
      "illegal block entry"};
  constexpr std::array<std::string_view, 2> kFlowErrors = {"end of map flow not found",
                                                           "end of sequence flow not found"};
  for (std::string_view known : kIndentationErrors) {
    if (message == known) {
      return "; check the indentation at and above this line: the keys of one map and the "
             "'-' items of one list start in the same column, indented with spaces (no tabs)";
    }
  }
  for (std::string_view known : kFlowErrors) {
    if (message == known) return "; is a '[' or '{' above not closed?";
  }
  return "";
}

// Reads the document from `in` as it parses and validates it; never throws. REQUIRES: `in`
// can seek back to its start (YamlDocument::parse).
ConfigLoadResult parse_stream(std::istream& in, std::string_view file_name, const EnvLookup& env,
                              const IcmpAccessProbe& icmp_access) {
  YamlReader reader{std::string(file_name), env};
  Config config;
  config.path = std::filesystem::path(file_name);
  try {
    // The sites are read one at a time from the input, never all in the tree at once.
    static constexpr std::array<std::string_view, 2> kWebsites = {kProducerSection, "websites"};
    const config_detail::YamlDocument document = config_detail::YamlDocument::parse(in, kWebsites);
    if (document.root().is_null()) {
      ConfigLoadResult result;
      result.errors.push_back(
          ConfigError{std::string(file_name), 0, 0, "",
                      "the file is empty: expected a healthcheck-producer-config or "
                      "healthcheck-consumer-config section"});
      return result;
    }
    read_sections(reader, document.root(), config, icmp_access);
  } catch (const YAML::DeepRecursion& error) {
    // yaml-cpp 0.7 gives this one the message "bad file".
    reader.report(
        error.mark, "",
        "YAML syntax error: nested more than " + std::to_string(error.depth()) + " levels deep");
  } catch (const YAML::Exception& error) {
    reader.report(error.mark, "",
                  "YAML syntax error: " + printable(error.msg) + syntax_error_hint(error.msg));
  } catch (const std::exception& error) {
    // Not expected from bad input (the readers check types first); kept so that a bug
    // still surfaces as an error instead of escaping a function that promises not to throw.
    reader.report(YAML::Mark::null_mark(), "", std::string("internal error: ") + error.what());
  }
  ConfigLoadResult result;
  result.errors = reader.take_errors_in_file_order();
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

}  // namespace

std::string_view to_string(CheckType type) {
  switch (type) {
    case CheckType::kHttp:
      return "http";
    case CheckType::kTcp:
      return "tcp";
    case CheckType::kTls:
      return "tls";
    case CheckType::kDns:
      return "dns";
    case CheckType::kIcmp:
      return "icmp";
  }
  return "http";
}

std::string ConfigError::to_string() const {
  std::string text = file;
  if (line > 0) text += fmt::format(":{}:{}", line, column);
  text += ": ";
  if (!key_path.empty()) text += key_path + ": ";
  return text + message;
}

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

ConfigLoadResult parse_config(std::string_view yaml_text, std::string_view file_name,
                              const EnvLookup& env, const IcmpAccessProbe& icmp_access) {
  std::istringstream stream{std::string(yaml_text)};
  return parse_stream(stream, file_name, env, icmp_access);
}

ConfigLoadResult load_config(const std::filesystem::path& file, const EnvLookup& env,
                             const IcmpAccessProbe& icmp_access) {
  ConfigLoadResult result;
  std::error_code code;
  auto status = std::filesystem::status(file, code);
  if (!std::filesystem::exists(status)) {
    result.errors.push_back(file_error(file, "cannot read the config: no such file"));
    return result;
  }
  if (std::filesystem::is_directory(status)) {
    result.errors.push_back(file_error(file, "cannot read the config: it is a directory"));
    return result;
  }
  std::ifstream stream(file, std::ios::binary);
  if (!stream) {
    result.errors.push_back(
        file_error(file, std::string("cannot read the config: ") + std::strerror(errno)));
    return result;
  }
  if (std::filesystem::is_regular_file(status)) {
    // A regular file is parsed as it is read: its text is never held whole.
    const std::uintmax_t size = std::filesystem::file_size(file, code);
    if (!code && size > kMaxConfigBytes) {
      result.errors.push_back(file_error(file, kTooLarge));
      return result;
    }
    result = parse_stream(stream, file.string(), env, icmp_access);
    if (stream.bad()) {
      result.config.reset();
      result.errors.assign(1, file_error(file, "cannot read the config: read error"));
    }
  } else {
    // A pipe or device has no size to check first: read it up to the bound.
    std::string text;
    char buffer[65536];
    while (stream.read(buffer, sizeof buffer) || stream.gcount() > 0) {
      text.append(buffer, static_cast<std::size_t>(stream.gcount()));
      if (text.size() > kMaxConfigBytes) {
        result.errors.push_back(file_error(file, kTooLarge));
        return result;
      }
    }
    if (stream.bad()) {
      result.errors.push_back(file_error(file, "cannot read the config: read error"));
      return result;
    }
    result = parse_config(text, file.string(), env, icmp_access);
  }
  if (result.config) result.config->path = file;
  return result;
}

}  // namespace hc
