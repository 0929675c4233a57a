// A JSON object written straight into one string, shared by the encoders of message v1
// and of state-change events. Faster than a nlohmann::json DOM (a std::map per object, a
// node per field), which cost the producer a third of its CPU per check.
//
// Private to hc_common. Field names are the caller's constants (plain ASCII, never escaped);
// values are escaped per RFC 8259, invalid UTF-8 replaced with U+FFFD.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hc::json_detail {

// True when `text` can be written between quotes as is: printable ASCII without '"' or
// '\\'. URLs, digests, timestamps, error classes and host names nearly always are.
inline bool needs_no_escaping(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x80 || c == '"' || c == '\\') return false;
  }
  return true;
}

class JsonWriter {
 public:
  explicit JsonWriter(std::size_t expected_bytes) {
    out_.reserve(expected_bytes);
    out_.push_back('{');
  }

  void field(std::string_view name, std::string_view text) {
    key(name);
    append_string(text);
  }
  void field(std::string_view name, const std::vector<std::string>& texts) {
    key(name);
    out_.push_back('[');
    for (std::size_t i = 0; i < texts.size(); ++i) {
      if (i > 0) out_.push_back(',');
      append_string(texts[i]);
    }
    out_.push_back(']');
  }
  void append_string(std::string_view text) {
    if (needs_no_escaping(text)) {
      out_.push_back('"');
      out_.append(text);
      out_.push_back('"');
    } else {
      // Control characters, quotes and non-ASCII go through nlohmann's serializer, which
      // escapes per RFC 8259 and replaces invalid UTF-8 (e.g. an error detail copied from
      // a server) with U+FFFD instead of throwing.
      out_.append(
          nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
  }
  void field(std::string_view name, std::int64_t number) {
    key(name);
    fmt::format_int digits(number);
    out_.append(digits.data(), digits.size());
  }
  // A string literal would otherwise pick the bool overload.
  void field(std::string_view name, const char* text) = delete;
  void field(std::string_view name, bool value) {
    key(name);
    out_.append(value ? "true" : "false");
  }
  template <typename T>
  void field(std::string_view name, const std::optional<T>& value) {
    if (value) {
      field(name, *value);
    } else {
      key(name);
      out_.append("null");
    }
  }
  void field(std::string_view name, const std::optional<int>& value) {
    field(name, value ? std::optional<std::int64_t>(*value) : std::nullopt);
  }

  void open_object(std::string_view name) {
    key(name);
    out_.push_back('{');
    first_ = true;
  }
  void close_object() {
    out_.push_back('}');
    first_ = false;
  }

  std::string finish() && {
    out_.push_back('}');
    return std::move(out_);
  }

 private:
  // Names are our own constants: plain ASCII, never escaped.
  void key(std::string_view name) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(name);
    out_.append("\":");
  }

  std::string out_;
  bool first_ = true;
};

}  // namespace hc::json_detail
