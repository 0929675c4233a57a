#include "libyaml_events.h"

#include <yaml.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hc::config_detail {
namespace {

struct ParserDeleter {
  void operator()(yaml_parser_t* parser) const {
    yaml_parser_delete(parser);
    delete parser;  // NOLINT(cppcoreguidelines-owning-memory): paired with the new below
  }
};
using ParserHandle = std::unique_ptr<yaml_parser_t, ParserDeleter>;

// One event, deleted when it goes out of scope.
class Event {
 public:
  Event() = default;
  ~Event() {
    if (parsed_) yaml_event_delete(&event_);
  }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  bool parse(yaml_parser_t* parser) { return parsed_ = yaml_parser_parse(parser, &event_) != 0; }
  const yaml_event_t& get() const { return event_; }

 private:
  yaml_event_t event_{};
  bool parsed_ = false;
};

// libyaml's input: the stream, with a note of any byte outside ASCII.
struct Input {
  std::istream* in;
  bool non_ascii = false;
};

int read_input(void* data, unsigned char* buffer, std::size_t size, std::size_t* size_read) {
  auto* input = static_cast<Input*>(data);
  input->in->read(reinterpret_cast<char*>(buffer), static_cast<std::streamsize>(size));
  *size_read = static_cast<std::size_t>(input->in->gcount());
  if (std::any_of(buffer, buffer + *size_read, [](unsigned char byte) { return byte >= 0x80; })) {
    input->non_ascii = true;
    return 0;  // ends the parse with an error: the caller declines
  }
  return input->in->bad() ? 0 : 1;
}

YAML::Mark mark_of(const yaml_mark_t& mark) {
  YAML::Mark result;
  result.line = static_cast<int>(mark.line);
  result.column = static_cast<int>(mark.column);
  return result;
}

// yaml-cpp's IsNullString: what a plain, untagged scalar means as null.
bool is_null_string(std::string_view text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

std::string_view text_of(const yaml_char_t* text) {
  return text == nullptr ? std::string_view() : reinterpret_cast<const char*>(text);
}

// Anchors by name, numbered from 1 as the builder counts them; a name defined again refers
// to its latest node from then on (as yaml-cpp's parser does).
class Anchors {
 public:
  void add(const yaml_char_t* name, YamlEvents& builder) {
    if (name == nullptr) return;
    builder.anchor_last();
    numbers_[std::string(text_of(name))] = ++count_;
  }
  std::size_t find(const yaml_char_t* name) const {
    auto found = numbers_.find(std::string(text_of(name)));
    return found == numbers_.end() ? 0 : found->second;
  }

 private:
  std::unordered_map<std::string, std::size_t> numbers_;
  std::size_t count_ = 0;
};

}  // namespace

bool build_with_libyaml(std::istream& in, YamlEvents& builder) {
  // NOLINTNEXTLINE(cppcoreguidelines-owning-memory): owned by the handle at once
  ParserHandle parser(new yaml_parser_t{});
  if (yaml_parser_initialize(parser.get()) == 0) return false;
  Input input{&in};
  yaml_parser_set_input(parser.get(), read_input, &input);
  Anchors anchors;
  std::size_t depth = 0;
  for (;;) {
    Event event;
    if (!event.parse(parser.get())) return false;
    const yaml_event_t& e = event.get();
    switch (e.type) {
      case YAML_STREAM_START_EVENT:
      case YAML_DOCUMENT_START_EVENT:
      case YAML_NO_EVENT:
        break;
      case YAML_DOCUMENT_END_EVENT:
      case YAML_STREAM_END_EVENT:
        // Only the first document is read, as yaml-cpp's Load does; the rest is never parsed.
        return !input.non_ascii;
      case YAML_ALIAS_EVENT: {
        const std::size_t anchor = anchors.find(e.data.alias.anchor);
        if (anchor == 0) return false;  // yaml-cpp refuses it, with its own message
        builder.alias(anchor);
        break;
      }
      case YAML_SCALAR_EVENT: {
        const auto& scalar = e.data.scalar;
        const bool plain = scalar.style == YAML_PLAIN_SCALAR_STYLE;
        std::string_view tag = text_of(scalar.tag);
        if (tag.empty()) tag = plain ? "?" : "!";
        const std::string_view value(reinterpret_cast<const char*>(scalar.value), scalar.length);
        if (plain && tag == "?" && is_null_string(value)) {
          builder.null(mark_of(e.start_mark));
        } else {
          builder.scalar(mark_of(e.start_mark), tag, value);
        }
        anchors.add(scalar.anchor, builder);
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (++depth > kMaxFastDepth) return false;
        const bool map = e.type == YAML_MAPPING_START_EVENT;
        std::string_view tag = text_of(map ? e.data.mapping_start.tag : e.data.sequence_start.tag);
        if (tag.empty()) tag = "?";
        if (map) {
          builder.begin_map(mark_of(e.start_mark), tag);
        } else {
          builder.begin_sequence(mark_of(e.start_mark), tag);
        }
        anchors.add(map ? e.data.mapping_start.anchor : e.data.sequence_start.anchor, builder);
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        --depth;
        builder.end();
        break;
    }
  }
}

}  // namespace hc::config_detail
