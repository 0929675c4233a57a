// A YAML document as a compact, read-only tree: what the config readers (yaml_reader.h) walk.
//
// Built from parser events rather than yaml-cpp's node tree: a yaml-cpp node costs a few
// hundred bytes and several allocations, so a 50,000-site config took hundreds of MB before a
// single key was read. Here a node is 24 bytes in one vector, every scalar's text lives in
// one buffer, and the file is read through a stream, never held whole. The events come from
// libyaml (libyaml_events.h, about ten times faster) or, whenever it declines, from yaml-cpp's
// event parser (YAML::Parser + EventHandler), which also gives every syntax error. Either way
// the tree is yaml-cpp's NodeBuilder's: the same node kinds, tags and marks, map entries in
// document order with duplicates kept, an alias is the anchored node itself (so its mark is
// the anchor's), and only the first document of a stream is read. Nulls may differ in their
// own mark, which no reader uses (yaml_reader.h reports a null at its key).
//
// A document may leave the items of one list out (parse's `deferred_path`: the config's
// `websites`): it then holds their count, and for_each_item() reads them again from the
// input, one at a time, each as a small document of its own. So a 50,000-site config is never
// a tree of 50,000 sites beside the list of sites read from it.
//
// Thread: a document is immutable once built; YamlNode handles may be read from any thread
// while the document lives. for_each_item() of a deferred list reads the input: one thread.
#pragma once

#include <yaml-cpp/mark.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hc::config_detail {

class YamlDocument;

enum class YamlKind : std::uint8_t { kUndefined, kNull, kScalar, kSequence, kMap };

// A handle on one node of a YamlDocument (or an undefined node: a key not found).
// REQUIRES: the document outlives the handle.
class YamlNode {
 public:
  YamlNode() = default;

  YamlKind kind() const;
  bool is_defined() const { return kind() != YamlKind::kUndefined; }
  bool is_null() const { return kind() == YamlKind::kNull || kind() == YamlKind::kUndefined; }
  bool is_scalar() const { return kind() == YamlKind::kScalar; }
  bool is_sequence() const { return kind() == YamlKind::kSequence; }
  bool is_map() const { return kind() == YamlKind::kMap; }

  // The node's tag as yaml-cpp reports it: "?" for a plain scalar, "!" for a quoted one,
  // "!ENV" as written, "tag:yaml.org,2002:str" for "!!str"; "" for null and built nodes.
  const std::string& tag() const;
  // The text of a scalar; "" for any other node.
  std::string_view scalar() const;
  // Where the node starts (line and column 0-based); null_mark() for built nodes.
  YAML::Mark mark() const;

  // Items of a sequence, or entries of a map (key and value); 0 for other nodes.
  std::size_t size() const;
  // REQUIRES: is_sequence(), index < size(), !is_deferred().
  YamlNode item(std::size_t index) const;
  YamlNode key(std::size_t index) const;    // REQUIRES: is_map(), index < size()
  YamlNode value(std::size_t index) const;  // REQUIRES: is_map(), index < size()
  // The value of the first entry whose key is the scalar `name`; undefined if none.
  YamlNode find(std::string_view name) const;

  // A sequence whose items the document left out (YamlDocument::parse's deferred_path).
  bool is_deferred() const;
  // Calls visit(index, item) for each item of a sequence, in order; nothing for other nodes.
  // A deferred sequence's items are read again from the input, one at a time: an item (and
  // every handle into it) is valid only during its call. Throws what parse() throws, and
  // std::runtime_error when the input no longer holds the items parse() counted.
  void for_each_item(const std::function<void(std::size_t, const YamlNode&)>& visit) const;

 private:
  friend class YamlDocument;
  YamlNode(const YamlDocument* document, std::uint32_t index)
      : document_(document), index_(index) {}
  const YamlDocument* document_ = nullptr;
  std::uint32_t index_ = 0;
};

// What a parser reports, in document order: both parsers (libyaml's and yaml-cpp's) feed
// their events to one of these, and YamlDocument::Builder makes the tree of them.
class YamlEvents {
 public:
  virtual ~YamlEvents() = default;
  virtual void null(const YAML::Mark& mark) = 0;
  virtual void scalar(const YAML::Mark& mark, std::string_view tag, std::string_view text) = 0;
  virtual void begin_sequence(const YAML::Mark& mark, std::string_view tag) = 0;
  virtual void begin_map(const YAML::Mark& mark, std::string_view tag) = 0;
  virtual void end() = 0;  // of the innermost open sequence or map
  // An alias: `anchor` (1-based, in the order anchored nodes were added) appears again here.
  virtual void alias(std::size_t anchor) = 0;
  // Marks the node reported last as the next anchor (the parser numbers anchors from 1).
  virtual void anchor_last() = 0;
};

class YamlDocument {
 public:
  YamlDocument();
  ~YamlDocument();
  YamlDocument(const YamlDocument&) = delete;
  YamlDocument& operator=(const YamlDocument&) = delete;
  YamlDocument(YamlDocument&&) noexcept;
  YamlDocument& operator=(YamlDocument&&) noexcept;

  // Parses the first document of `in`. Throws YAML::Exception (YAML::ParserException,
  // YAML::DeepRecursion) as yaml-cpp's parser does; the stream is read as needed.
  // REQUIRES: `in` can seek back to where it is now (a file or string stream): when libyaml
  // declines, yaml-cpp reads the input again.
  //
  // deferred_path: map keys from the root to a list whose items are left out (see above):
  // the list that a reader finds there (the first entry of each key, in maps all the way).
  // They are kept when the document has an alias anywhere (an item could be named from
  // elsewhere, or name something). REQUIRES then: `in` outlives the document and nothing
  // else reads it meanwhile.
  static YamlDocument parse(std::istream& in, std::span<const std::string_view> deferred_path = {});

  // Bytes of the tree (nodes, child lists, text) as built: what the document costs.
  std::size_t tree_bytes() const;

  // The root; undefined when the stream held no document (an empty file).
  YamlNode root() const;

  // Building a document by hand (decode_site_json turns JSON into one). Nodes are given in
  // document order, as the parser gives them: a map's entries as key, value, key, value.
  class Builder;

 private:
  friend class YamlNode;
  friend class Builder;
  struct Deferral;  // yaml_deferred_list.h
  struct Node {
    std::uint32_t tag = 0;  // index into tags_
    // Scalar: offset and length in text_. Sequence and map: first index in children_ and
    // the number of children (map: 2 per entry).
    std::uint32_t first = 0;
    std::uint32_t count = 0;
    std::int32_t line = -1;
    std::int32_t column = -1;
    YamlKind kind = YamlKind::kUndefined;
    bool deferred = false;  // a sequence whose `count` items were left out
  };
  const Node& node(std::uint32_t index) const { return nodes_[index]; }
  void read_deferred_items(const std::function<void(std::size_t, const YamlNode&)>& visit) const;

  std::vector<Node> nodes_;
  std::vector<std::uint32_t> children_;
  std::string text_;
  std::vector<std::string> tags_;  // distinct tags; tags_[0] is ""
  std::int64_t root_ = -1;
  std::unique_ptr<Deferral> deferral_;  // where the deferred list's items are read again
};

class YamlDocument::Builder final : public YamlEvents {
 public:
  // share_scalars: one copy of each short scalar in the text (a large document's keys and
  // repeated values); off for small documents built one after another.
  explicit Builder(bool share_scalars = true);
  void null(const YAML::Mark& mark) override;
  void scalar(const YAML::Mark& mark, std::string_view tag, std::string_view text) override;
  void begin_sequence(const YAML::Mark& mark, std::string_view tag) override;
  void begin_map(const YAML::Mark& mark, std::string_view tag) override;
  void end() override;
  void alias(std::size_t anchor) override;
  void anchor_last() override;
  // A sequence of `count` items left out (YamlNode::is_deferred), in place of its events.
  void deferred_sequence(const YAML::Mark& mark, std::string_view tag, std::size_t count);
  // REQUIRES: every sequence and map ended.
  YamlDocument finish() &&;
  // The document built so far, and then a new one from the same buffers (one small document
  // after another without allocating each anew). REQUIRES: every sequence and map ended.
  const YamlDocument& document() const { return document_; }
  void restart();

 private:
  std::uint32_t add(YamlKind kind, const YAML::Mark& mark, std::string_view tag);
  void attach(std::uint32_t index);
  std::uint32_t tag_index(std::string_view tag);
  // Where `text` is in the document's text: appended, or an earlier copy of a short scalar.
  std::uint32_t text_offset(std::string_view text);

  struct Open {
    std::uint32_t node;
    std::size_t pending_begin;  // where its children start in pending_
  };
  YamlDocument document_;
  std::vector<Open> open_;
  std::vector<std::uint32_t> pending_;  // children of the open containers, innermost last
  std::vector<std::uint32_t> anchors_;  // node of anchor i + 1
  // Short scalars seen so far and their offset in the text, up to kSharedScalarsMax of them.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  static constexpr std::size_t kSharedScalarBytes = 32;
  static constexpr std::size_t kSharedScalarsMax = 4096;
  std::unordered_map<std::string, std::uint32_t, TextHash, std::equal_to<>> shared_scalars_;
  bool share_scalars_ = true;
  std::uint32_t last_ = 0;
};

}  // namespace hc::config_detail
