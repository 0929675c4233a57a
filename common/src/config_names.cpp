#include "config_names.h"

#include <charconv>

#include "hc/common/config.h"

namespace hc {
namespace {

// ASCII only, whatever the locale: these names go to Postgres and Kafka.
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool is_safe_identifier(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!is_letter(name[0]) && name[0] != '_') return false;
  for (char c : name) {
    if (!is_letter(c) && !is_digit(c) && c != '_') return false;
  }
  return true;
}

namespace config_detail {

bool is_kafka_topic_name(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name) {
    if (!is_letter(c) && !is_digit(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool is_host_port(std::string_view server) {
  std::size_t colon = server.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view host = server.substr(0, colon);
  std::string_view port = server.substr(colon + 1);
  if (host.front() == '[' && host.back() != ']') return false;
  for (char c : host) {
    if (c <= ' ' || c == '/' || c == '@' || c == 0x7f) return false;
  }
  int number = 0;
  auto [end, code] = std::from_chars(port.data(), port.data() + port.size(), number);
  return code == std::errc() && end == port.data() + port.size() && number >= 1 && number <= 65535;
}

}  // namespace config_detail
}  // namespace hc
