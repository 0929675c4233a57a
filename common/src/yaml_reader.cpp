#include "yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "did_you_mean.h"
#include "env_interpolation.h"

namespace hc::config_detail {
namespace {

constexpr std::string_view kEnvTag = "!ENV";

std::string lowercase(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

std::string join(std::span<const std::string_view> items, std::string_view separator) {
  std::string result;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) result.append(separator);
    result.append(items[i]);
  }
  return result;
}

// The YAML core schema's tags ("!!str", "!!int", ...) and the non-specific ones ("?" for
// plain, "!" for quoted scalars) carry no meaning for us; anything else is a typo.
bool is_neutral_tag(const std::string& tag) {
  return tag.empty() || tag == "?" || tag == "!" || tag.starts_with("tag:yaml.org,2002:");
}

// A null value's own mark points past it (to the next line); report its key instead.
YAML::Mark position_of(const YamlNode& value, const YAML::Mark& fallback) {
  if (value.is_null()) return fallback;
  YAML::Mark mark = value.mark();
  return mark.line < 0 ? fallback : mark;
}

}  // namespace

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string path(parent);
  path.append(".").append(key);
  return path;
}

std::string quote_for_message(std::string_view text) {
  constexpr std::size_t kMaxShown = 100;
  std::string result = "'";
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f) {
      result.push_back(static_cast<char>(byte));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      result.append("\\x").push_back(kHex[byte >> 4]);
      result.push_back(kHex[byte & 0xf]);
    }
  }
  if (text.size() > kMaxShown) result.append("...");
  result.push_back('\'');
  return result;
}

const Located* MapFields::find(std::string_view key) const {
  for (const auto& [name, value] : entries_) {
    if (name == key) return &value;
  }
  return nullptr;
}

YamlReader::YamlReader(std::string file_name, const EnvLookup& env)
    : file_name_(std::move(file_name)), env_(env) {}

void YamlReader::report(const YAML::Mark& mark, std::string key_path, std::string message) {
  ConfigError error;
  error.file = file_name_;
  error.line = mark.line >= 0 ? mark.line + 1 : 0;
  error.column = mark.line >= 0 ? mark.column + 1 : 0;
  error.key_path = std::move(key_path);
  error.message = std::move(message);
  errors_.push_back(std::move(error));
}

std::vector<ConfigError> YamlReader::take_errors_in_file_order() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  return std::move(errors_);
}

Located YamlReader::root(const YamlNode& node) {
  YAML::Mark start;
  start.line = 0;
  start.column = 0;
  return Located{node, "", position_of(node, start)};
}

std::string YamlReader::describe(const YamlNode& node, std::string_view scalar_text) {
  switch (node.kind()) {
    case YamlKind::kScalar:
      return "got " + quote_for_message(scalar_text);
    case YamlKind::kSequence:
      return "got a list";
    case YamlKind::kMap:
      return "got a map";
    default:
      return "got an empty value";
  }
}

bool YamlReader::check_tag(const Located& value, bool scalar_expected) {
  const std::string& tag = value.node.tag();
  if (is_neutral_tag(tag)) return true;
  if (tag == kEnvTag) {
    if (value.node.is_scalar()) return true;
    report(value.mark, value.path, "!ENV applies to a single string value, not to a list or map");
    return false;
  }
  report(value.mark, value.path,
         "unsupported tag '" + tag + "' (only !ENV is supported" +
             (scalar_expected ? ", on string values)" : ")"));
  return false;
}

std::optional<MapFields> YamlReader::map(const Located& value,
                                         std::span<const std::string_view> allowed,
                                         std::string_view what) {
  return read_map(value, allowed, what);
}

std::optional<MapFields> YamlReader::free_map(const Located& value, std::string_view what) {
  return read_map(value, std::nullopt, what);
}

std::optional<MapFields> YamlReader::read_map(
    const Located& value, std::optional<std::span<const std::string_view>> allowed,
    std::string_view what) {
  if (!check_tag(value, false)) return std::nullopt;
  if (!value.node.is_map()) {
    report(value.mark, value.path,
           "expected " + std::string(what) + ", " + describe(value.node, value.node.scalar()));
    return std::nullopt;
  }
  MapFields fields;
  fields.map_ = value;
  const std::size_t count = value.node.size();
  fields.entries_.reserve(count);
  // Maps of a config have a handful of keys: a linear search finds duplicates without the
  // allocations of a hash map per map (a 50,000-site file has 50,000 of them).
  std::vector<std::pair<std::string_view, int>> first_line;
  first_line.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const YamlNode key = value.node.key(i);
    YAML::Mark key_mark = position_of(key, value.mark);
    if (!key.is_scalar()) {
      report(key_mark, value.path, "expected a key name, got a list or map as a key");
      continue;
    }
    const std::string_view name = key.scalar();
    std::string path = child_path(value.path, name);
    if (allowed && std::find(allowed->begin(), allowed->end(), name) == allowed->end()) {
      std::string message = "unknown key " + quote_for_message(name);
      if (auto hint = closest_key(name, *allowed)) {
        message += "; did you mean '" + *hint + "'?";
      } else {
        message += " (expected one of: " + join(*allowed, ", ") + ")";
      }
      report(key_mark, path, std::move(message));
      continue;
    }
    auto seen = std::find_if(first_line.begin(), first_line.end(),
                             [&](const auto& known) { return known.first == name; });
    if (seen != first_line.end()) {
      report(key_mark, path,
             "duplicate key (first given at line " + std::to_string(seen->second) + ")");
      continue;
    }
    first_line.emplace_back(name, key_mark.line + 1);
    const YamlNode entry_value = value.node.value(i);
    fields.entries_.emplace_back(std::string(name), Located{entry_value, std::move(path),
                                                            position_of(entry_value, key_mark)});
  }
  return fields;
}

std::optional<std::vector<Located>> YamlReader::list(const Located& value, std::string_view what) {
  if (!check_tag(value, false)) return std::nullopt;
  if (!value.node.is_sequence()) {
    report(value.mark, value.path,
           "expected " + std::string(what) + ", " + describe(value.node, value.node.scalar()));
    return std::nullopt;
  }
  std::vector<Located> items;
  items.reserve(value.node.size());
  for (std::size_t index = 0; index < value.node.size(); ++index) {
    const YamlNode item = value.node.item(index);
    items.push_back(Located{item, value.path + "[" + std::to_string(index) + "]",
                            position_of(item, value.mark)});
  }
  return items;
}

bool YamlReader::for_each_item(const Located& value, std::string_view what,
                               const std::function<void(std::size_t, const Located&)>& read) {
  if (!check_tag(value, false)) return false;
  if (!value.node.is_sequence()) {
    report(value.mark, value.path,
           "expected " + std::string(what) + ", " + describe(value.node, value.node.scalar()));
    return false;
  }
  value.node.for_each_item([&](std::size_t index, const YamlNode& item) {
    read(index, Located{item, value.path + "[" + std::to_string(index) + "]",
                        position_of(item, value.mark)});
  });
  return true;
}

const Located* YamlReader::require(const MapFields& fields, std::string_view key,
                                   std::string_view what) {
  if (const Located* found = fields.find(key)) return found;
  report(fields.map().mark, child_path(fields.map().path, key),
         "missing required key '" + std::string(key) + "' (" + std::string(what) + ")");
  return nullptr;
}

std::optional<std::string> YamlReader::scalar_text(const Located& value,
                                                   std::string_view expected) {
  if (!check_tag(value, true)) return std::nullopt;
  if (!value.node.is_scalar()) {
    report(value.mark, value.path,
           "expected " + std::string(expected) + ", " + describe(value.node, ""));
    return std::nullopt;
  }
  if (value.node.tag() != kEnvTag) return std::string(value.node.scalar());
  auto interpolated = interpolate_env(value.node.scalar(), env_);
  if (auto* text = std::get_if<std::string>(&interpolated)) return std::move(*text);
  const auto& failure = std::get<InterpolationFailure>(interpolated);
  for (const std::string& variable : failure.unset_variables) {
    std::string message = "environment variable " + variable;
    message.append(" is not set (and ${").append(variable).append("} has no :-default)");
    report(value.mark, value.path, std::move(message));
  }
  if (!failure.syntax_error.empty()) {
    report(value.mark, value.path, "bad !ENV value: " + failure.syntax_error);
  }
  return std::nullopt;
}

std::optional<std::string> YamlReader::string(const Located& value) {
  return scalar_text(value, "a string");
}

std::optional<std::int64_t> YamlReader::integer(const Located& value, std::int64_t min,
                                                std::int64_t max, std::string_view unit) {
  auto text = scalar_text(value, "an integer");
  if (!text) return std::nullopt;
  std::int64_t number = 0;
  const char* end = text->data() + text->size();
  auto [stop, code] = std::from_chars(text->data(), end, number);
  if (text->empty() || code != std::errc() || stop != end) {
    std::string message = "expected an integer";
    if (code == std::errc::result_out_of_range)
      message += " in " + std::to_string(min) + ".." + std::to_string(max);
    report(value.mark, value.path, message + ", got " + quote_for_message(*text));
    return std::nullopt;
  }
  if (number < min || number > max) {
    std::string range = std::to_string(min) + ".." + std::to_string(max);
    std::string expected = unit.empty() ? "an integer in " + range
                                        : "a number of " + std::string(unit) + " in " + range;
    report(value.mark, value.path, "expected " + expected + ", got " + std::to_string(number));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> YamlReader::boolean(const Located& value) {
  auto text = scalar_text(value, "true or false");
  if (!text) return std::nullopt;
  std::string word = lowercase(*text);
  if (word == "true" || word == "yes" || word == "on") return true;
  if (word == "false" || word == "no" || word == "off") return false;
  report(value.mark, value.path, "expected true or false, got " + quote_for_message(*text));
  return std::nullopt;
}

std::optional<std::string> YamlReader::choice(const Located& value,
                                              std::span<const std::string_view> choices) {
  std::string expected = "one of " + join(choices, ", ");
  auto text = scalar_text(value, expected);
  if (!text) return std::nullopt;
  std::string word = lowercase(*text);
  for (std::string_view candidate : choices) {
    if (lowercase(candidate) == word) return std::string(candidate);
  }
  report(value.mark, value.path, "expected " + expected + ", got " + quote_for_message(*text));
  return std::nullopt;
}

}  // namespace hc::config_detail
