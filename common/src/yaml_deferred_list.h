// The items of one list of a YAML document left out of its tree and read again from the input
// one at a time (YamlDocument::parse's deferred_path, YamlNode::for_each_item): the two event
// filters between a parser and a Builder that do it, and what the document keeps to read the
// items again.
//
// Thread: one parse at a time per object.
#pragma once

#include <yaml-cpp/mark.h>

#include <cstddef>
#include <functional>
#include <istream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "yaml_document.h"

namespace hc::config_detail {

// What a document with a deferred list keeps to read the items again.
struct YamlDocument::Deferral {
  std::istream* in = nullptr;  // the input parse() read; it outlives the document
  std::istream::pos_type start;
  bool yaml_cpp = false;  // read by yaml-cpp's parser (libyaml declined), again by the same
  std::vector<std::string> path;
  std::size_t count = 0;  // items counted by parse()
};

// Follows a parse to the list a reader finds at `path`: from the root map, the value of the
// first entry whose key is the scalar path[0], in it the first path[1] entry, and so on; the
// last value must be a sequence. Told of every node as it begins and of every end.
class ListFinder {
 public:
  explicit ListFinder(std::span<const std::string> path) : path_(path) {}
  // A node begins (a scalar's text in `text`); true when it is the list's sequence.
  bool begin(YamlKind kind, std::string_view text = {});
  void end();  // of a sequence or map

 private:
  struct Open {
    bool map = false;
    bool on_path = false;   // a map that a reader reaches by the first path_.size() keys
    std::size_t level = 0;  // keys of path_ matched to reach it (on_path only)
    std::size_t children = 0;
    bool key_taken = false;      // its entry for path_[level] was seen
    bool value_on_path = false;  // the next child is that entry's value
  };
  std::span<const std::string> path_;
  std::vector<Open> open_;
  bool found_ = false;
};

// Parse: forwards every event to the builder, except the items of the list at `path`, which
// it counts and hands over as Builder::deferred_sequence. An alias anywhere makes the result
// unusable (saw_alias): the caller builds the whole tree instead.
class DeferringEvents final : public YamlEvents {
 public:
  DeferringEvents(YamlDocument::Builder& builder, std::span<const std::string> path)
      : builder_(builder), finder_(path) {}
  bool deferred() const { return deferred_; }
  std::size_t count() const { return count_; }
  bool saw_alias() const { return saw_alias_; }

  void null(const YAML::Mark& mark) override;
  void scalar(const YAML::Mark& mark, std::string_view tag, std::string_view text) override;
  void begin_sequence(const YAML::Mark& mark, std::string_view tag) override;
  void begin_map(const YAML::Mark& mark, std::string_view tag) override;
  void end() override;
  void alias(std::size_t anchor) override;
  void anchor_last() override;

 private:
  // An item's event inside the list: counts the item when it begins one.
  void inside(bool begins_container);

  YamlDocument::Builder& builder_;
  ListFinder finder_;
  std::size_t depth_ = 0;  // > 0: inside the list (1: its items' level)
  YAML::Mark mark_;
  std::string tag_;
  std::size_t count_ = 0;
  bool deferred_ = false;
  bool saw_alias_ = false;
};

// for_each_item of a deferred list: builds each item of the list at `path` as a document of
// its own and calls visit(index, root) with it; ignores everything else.
class ListItemEvents final : public YamlEvents {
 public:
  using Visit = std::function<void(std::size_t, const YamlNode&)>;
  ListItemEvents(std::span<const std::string> path, const Visit& visit)
      : finder_(path), visit_(visit) {}
  std::size_t count() const { return count_; }

  void null(const YAML::Mark& mark) override;
  void scalar(const YAML::Mark& mark, std::string_view tag, std::string_view text) override;
  void begin_sequence(const YAML::Mark& mark, std::string_view tag) override;
  void begin_map(const YAML::Mark& mark, std::string_view tag) override;
  void end() override;
  void alias(std::size_t anchor) override;
  void anchor_last() override {}  // no alias in a deferred document: anchors name nothing

 private:
  // After an item's last event: hands the item over and starts the next.
  void item_done();

  ListFinder finder_;
  const Visit& visit_;
  YamlDocument::Builder item_{/*share_scalars=*/false};
  std::size_t depth_ = 0;  // > 0: inside the list (1: its items' level)
  std::size_t count_ = 0;
};

}  // namespace hc::config_detail
