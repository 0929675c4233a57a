#include "yaml_deferred_list.h"

#include <stdexcept>

namespace hc::config_detail {

bool ListFinder::begin(YamlKind kind, std::string_view text) {
  const bool container = kind == YamlKind::kSequence || kind == YamlKind::kMap;
  bool target = false;
  bool child_on_path = false;
  std::size_t child_level = 0;
  if (open_.empty()) {
    child_on_path = kind == YamlKind::kMap && !path_.empty();
  } else {
    Open& parent = open_.back();
    if (parent.map && parent.on_path) {
      if (parent.children % 2 == 0) {  // a key
        if (!parent.key_taken && kind == YamlKind::kScalar && text == path_[parent.level]) {
          parent.key_taken = true;
          parent.value_on_path = true;
        }
      } else if (parent.value_on_path) {  // the value of the path's key
        parent.value_on_path = false;
        if (parent.level + 1 == path_.size()) {
          target = kind == YamlKind::kSequence && !found_;
        } else {
          child_on_path = kind == YamlKind::kMap;
          child_level = parent.level + 1;
        }
      }
    }
    ++parent.children;
  }
  if (container) {
    open_.push_back(Open{kind == YamlKind::kMap, child_on_path, child_level, 0, false, false});
  }
  found_ = found_ || target;
  return target;
}

void ListFinder::end() {
  if (!open_.empty()) open_.pop_back();
}

void DeferringEvents::inside(bool begins_container) {
  if (depth_ == 1) ++count_;
  if (begins_container) ++depth_;
}

void DeferringEvents::null(const YAML::Mark& mark) {
  if (depth_ > 0) return inside(false);
  finder_.begin(YamlKind::kNull);
  builder_.null(mark);
}

void DeferringEvents::scalar(const YAML::Mark& mark, std::string_view tag, std::string_view text) {
  if (depth_ > 0) return inside(false);
  finder_.begin(YamlKind::kScalar, text);
  builder_.scalar(mark, tag, text);
}

void DeferringEvents::begin_sequence(const YAML::Mark& mark, std::string_view tag) {
  if (depth_ > 0) return inside(true);
  if (finder_.begin(YamlKind::kSequence)) {
    depth_ = 1;
    mark_ = mark;
    tag_ = tag;
    return;
  }
  builder_.begin_sequence(mark, tag);
}

void DeferringEvents::begin_map(const YAML::Mark& mark, std::string_view tag) {
  if (depth_ > 0) return inside(true);
  finder_.begin(YamlKind::kMap);
  builder_.begin_map(mark, tag);
}

void DeferringEvents::end() {
  if (depth_ > 1) {
    --depth_;
    return;
  }
  finder_.end();
  if (depth_ == 1) {
    depth_ = 0;
    deferred_ = true;
    builder_.deferred_sequence(mark_, tag_, count_);
    return;
  }
  builder_.end();
}

void DeferringEvents::alias(std::size_t anchor) {
  saw_alias_ = true;
  if (depth_ > 0) return inside(false);
  finder_.begin(YamlKind::kUndefined);
  // Once items were left out, their anchors are missing from the builder's count: the tree is
  // thrown away then (parse), and until then a null keeps it well-formed.
  if (deferred_) {
    builder_.null(YAML::Mark::null_mark());
  } else {
    builder_.alias(anchor);
  }
}

void DeferringEvents::anchor_last() {
  // Anchors inside the list are never named (an alias anywhere discards this tree).
  if (depth_ == 0) builder_.anchor_last();
}

void ListItemEvents::item_done() {
  visit_(count_, item_.document().root());
  ++count_;
  item_.restart();
}

void ListItemEvents::null(const YAML::Mark& mark) {
  if (depth_ == 0) {
    finder_.begin(YamlKind::kNull);
    return;
  }
  item_.null(mark);
  if (depth_ == 1) item_done();
}

void ListItemEvents::scalar(const YAML::Mark& mark, std::string_view tag, std::string_view text) {
  if (depth_ == 0) {
    finder_.begin(YamlKind::kScalar, text);
    return;
  }
  item_.scalar(mark, tag, text);
  if (depth_ == 1) item_done();
}

void ListItemEvents::begin_sequence(const YAML::Mark& mark, std::string_view tag) {
  if (depth_ == 0) {
    if (finder_.begin(YamlKind::kSequence)) depth_ = 1;
    return;
  }
  ++depth_;
  item_.begin_sequence(mark, tag);
}

void ListItemEvents::begin_map(const YAML::Mark& mark, std::string_view tag) {
  if (depth_ == 0) {
    finder_.begin(YamlKind::kMap);
    return;
  }
  ++depth_;
  item_.begin_map(mark, tag);
}

void ListItemEvents::end() {
  if (depth_ == 0) {
    finder_.end();
    return;
  }
  if (depth_ == 1) {  // the list's own end
    depth_ = 0;
    finder_.end();
    return;
  }
  --depth_;
  item_.end();
  if (depth_ == 1) item_done();
}

void ListItemEvents::alias(std::size_t /*anchor*/) {
  // parse() keeps the whole tree of a document with an alias: the input changed since.
  throw std::runtime_error("the YAML input changed while it was read (an alias appeared)");
}

}  // namespace hc::config_detail
