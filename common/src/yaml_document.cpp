#include "yaml_document.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <istream>
#include <limits>
#include <optional>
#include <stdexcept>

#include "libyaml_events.h"
#include "yaml_deferred_list.h"

namespace hc::config_detail {
namespace {

const std::string kNoTag;

// Feeds the parser's events to a Builder, as yaml-cpp's NodeBuilder feeds its node tree.
class BuildingHandler final : public YAML::EventHandler {
 public:
  explicit BuildingHandler(YamlEvents& builder) : builder_(builder) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    builder_.null(mark);
    anchor_if(anchor);
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override { builder_.alias(anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    builder_.scalar(mark, tag, value);
    anchor_if(anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    builder_.begin_sequence(mark, tag);
    anchor_if(anchor);
  }
  void OnSequenceEnd() override { builder_.end(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    builder_.begin_map(mark, tag);
    anchor_if(anchor);
  }
  void OnMapEnd() override { builder_.end(); }

 private:
  void anchor_if(YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) builder_.anchor_last();
  }
  YamlEvents& builder_;
};

void rewind(std::istream& in, std::istream::pos_type start) {
  in.clear();
  in.seekg(start);
  if (!in) throw std::runtime_error("cannot read the YAML input again");
}

// Feeds the first document of `in` to `events` with yaml-cpp's parser (its errors thrown).
void feed_yaml_cpp(std::istream& in, YamlEvents& events) {
  YAML::Parser parser(in);
  BuildingHandler handler(events);
  parser.HandleNextDocument(handler);
}

// The whole tree: libyaml's events, or yaml-cpp's when libyaml declines.
YamlDocument parse_whole(std::istream& in, std::istream::pos_type start) {
  {
    YamlDocument::Builder fast;
    if (build_with_libyaml(in, fast)) return std::move(fast).finish();
  }
  rewind(in, start);
  YamlDocument::Builder builder;
  feed_yaml_cpp(in, builder);
  return std::move(builder).finish();
}

}  // namespace

YamlKind YamlNode::kind() const {
  return document_ == nullptr ? YamlKind::kUndefined : document_->node(index_).kind;
}

const std::string& YamlNode::tag() const {
  return document_ == nullptr ? kNoTag : document_->tags_[document_->node(index_).tag];
}

std::string_view YamlNode::scalar() const {
  if (!is_scalar()) return {};
  const auto& node = document_->node(index_);
  return std::string_view(document_->text_).substr(node.first, node.count);
}

YAML::Mark YamlNode::mark() const {
  if (document_ == nullptr) return YAML::Mark::null_mark();
  const auto& node = document_->node(index_);
  if (node.line < 0) return YAML::Mark::null_mark();
  YAML::Mark mark;
  mark.line = node.line;
  mark.column = node.column;
  return mark;
}

std::size_t YamlNode::size() const {
  if (is_sequence()) return document_->node(index_).count;
  if (is_map()) return document_->node(index_).count / 2;
  return 0;
}

YamlNode YamlNode::item(std::size_t index) const {
  return YamlNode(document_, document_->children_[document_->node(index_).first + index]);
}

YamlNode YamlNode::key(std::size_t index) const {
  return YamlNode(document_, document_->children_[document_->node(index_).first + 2 * index]);
}

YamlNode YamlNode::value(std::size_t index) const {
  return YamlNode(document_, document_->children_[document_->node(index_).first + 2 * index + 1]);
}

bool YamlNode::is_deferred() const {
  return document_ != nullptr && document_->node(index_).deferred;
}

void YamlNode::for_each_item(const std::function<void(std::size_t, const YamlNode&)>& visit) const {
  if (!is_sequence()) return;
  if (is_deferred()) {
    document_->read_deferred_items(visit);
    return;
  }
  for (std::size_t i = 0; i < size(); ++i) visit(i, item(i));
}

YamlNode YamlNode::find(std::string_view name) const {
  if (!is_map()) return {};
  for (std::size_t i = 0; i < size(); ++i) {
    const YamlNode candidate = key(i);
    if (candidate.is_scalar() && candidate.scalar() == name) return value(i);
  }
  return {};
}

YamlDocument::YamlDocument() { tags_.emplace_back(); }
YamlDocument::~YamlDocument() = default;
YamlDocument::YamlDocument(YamlDocument&&) noexcept = default;
YamlDocument& YamlDocument::operator=(YamlDocument&&) noexcept = default;

YamlDocument YamlDocument::parse(std::istream& in,
                                 std::span<const std::string_view> deferred_path) {
  const std::istream::pos_type start = in.tellg();
  if (deferred_path.empty()) return parse_whole(in, start);
  auto deferral = std::make_unique<Deferral>();
  deferral->in = &in;
  deferral->start = start;
  deferral->path.assign(deferred_path.begin(), deferred_path.end());
  // Without the list the tree is whole and exact; with it and an alias, it is thrown away.
  std::optional<YamlDocument> document;
  bool deferred = false;
  {
    Builder fast;
    DeferringEvents events(fast, deferral->path);
    if (build_with_libyaml(in, events)) {
      deferred = events.deferred();
      deferral->count = events.count();
      if (!deferred || !events.saw_alias()) document = std::move(fast).finish();
    } else {
      rewind(in, start);
      Builder builder;
      DeferringEvents slow(builder, deferral->path);
      feed_yaml_cpp(in, slow);
      deferred = slow.deferred();
      deferral->yaml_cpp = true;
      deferral->count = slow.count();
      if (!deferred || !slow.saw_alias()) document = std::move(builder).finish();
    }
  }
  if (!document) {
    rewind(in, start);
    return parse_whole(in, start);
  }
  if (deferred) document->deferral_ = std::move(deferral);
  return std::move(*document);
}

void YamlDocument::read_deferred_items(
    const std::function<void(std::size_t, const YamlNode&)>& visit) const {
  const Deferral& deferral = *deferral_;
  rewind(*deferral.in, deferral.start);
  ListItemEvents events(deferral.path, visit);
  if (deferral.yaml_cpp) {
    feed_yaml_cpp(*deferral.in, events);
  } else if (!build_with_libyaml(*deferral.in, events)) {
    throw std::runtime_error("the YAML input changed while it was read (libyaml declined)");
  }
  if (events.count() != deferral.count) {
    throw std::runtime_error("the YAML input changed while it was read (" +
                             std::to_string(events.count()) + " items, " +
                             std::to_string(deferral.count) + " before)");
  }
}

std::size_t YamlDocument::tree_bytes() const {
  return nodes_.capacity() * sizeof(Node) + children_.capacity() * sizeof(std::uint32_t) +
         text_.capacity();
}

YamlNode YamlDocument::root() const {
  if (root_ < 0) return {};
  return YamlNode(this, static_cast<std::uint32_t>(root_));
}

YamlDocument::Builder::Builder(bool share_scalars) : share_scalars_(share_scalars) {}

std::uint32_t YamlDocument::Builder::tag_index(std::string_view tag) {
  // Few distinct tags ("", "?", "!", "!ENV"): a linear search beats a map here.
  auto& tags = document_.tags_;
  for (std::size_t i = 0; i < tags.size(); ++i) {
    if (tags[i] == tag) return static_cast<std::uint32_t>(i);
  }
  tags.emplace_back(tag);
  return static_cast<std::uint32_t>(tags.size() - 1);
}

std::uint32_t YamlDocument::Builder::add(YamlKind kind, const YAML::Mark& mark,
                                         std::string_view tag) {
  auto& nodes = document_.nodes_;
  if (nodes.size() >= std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("YAML document has too many nodes");
  }
  Node node;
  node.kind = kind;
  node.tag = tag.empty() ? 0 : tag_index(tag);
  node.line = mark.line;
  node.column = mark.column;
  nodes.push_back(node);
  last_ = static_cast<std::uint32_t>(nodes.size() - 1);
  return last_;
}

void YamlDocument::Builder::attach(std::uint32_t index) {
  if (open_.empty()) {
    document_.root_ = index;
  } else {
    pending_.push_back(index);
  }
}

void YamlDocument::Builder::null(const YAML::Mark& mark) { attach(add(YamlKind::kNull, mark, "")); }

void YamlDocument::Builder::scalar(const YAML::Mark& mark, std::string_view tag,
                                   std::string_view text) {
  const std::uint32_t index = add(YamlKind::kScalar, mark, tag);
  Node& node = document_.nodes_[index];
  node.count = static_cast<std::uint32_t>(text.size());
  node.first = text_offset(text);
  attach(index);
}

std::uint32_t YamlDocument::Builder::text_offset(std::string_view text) {
  std::string& all = document_.text_;
  const auto appended = static_cast<std::uint32_t>(all.size());
  if (!share_scalars_ || text.size() > kSharedScalarBytes) {
    all.append(text);
    return appended;
  }
  // Keys and common values repeat on every site: `polling_interval_in_seconds`, a topic, a
  // pattern. One copy of each keeps a 50,000-site document ~2.5 MB smaller.
  if (auto found = shared_scalars_.find(text); found != shared_scalars_.end()) return found->second;
  all.append(text);
  if (shared_scalars_.size() < kSharedScalarsMax) shared_scalars_.emplace(text, appended);
  return appended;
}

void YamlDocument::Builder::begin_sequence(const YAML::Mark& mark, std::string_view tag) {
  open_.push_back(Open{add(YamlKind::kSequence, mark, tag), pending_.size()});
}

void YamlDocument::Builder::begin_map(const YAML::Mark& mark, std::string_view tag) {
  open_.push_back(Open{add(YamlKind::kMap, mark, tag), pending_.size()});
}

void YamlDocument::Builder::end() {
  const Open open = open_.back();
  open_.pop_back();
  Node& node = document_.nodes_[open.node];
  node.first = static_cast<std::uint32_t>(document_.children_.size());
  node.count = static_cast<std::uint32_t>(pending_.size() - open.pending_begin);
  document_.children_.insert(document_.children_.end(),
                             pending_.begin() + static_cast<std::ptrdiff_t>(open.pending_begin),
                             pending_.end());
  pending_.resize(open.pending_begin);
  attach(open.node);
}

void YamlDocument::Builder::deferred_sequence(const YAML::Mark& mark, std::string_view tag,
                                              std::size_t count) {
  if (count > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("YAML list has too many items");
  }
  const std::uint32_t index = add(YamlKind::kSequence, mark, tag);
  Node& node = document_.nodes_[index];
  node.count = static_cast<std::uint32_t>(count);
  node.deferred = true;
  attach(index);
}

void YamlDocument::Builder::restart() {
  document_.nodes_.clear();
  document_.children_.clear();
  document_.text_.clear();
  document_.root_ = -1;
  open_.clear();
  pending_.clear();
  anchors_.clear();
  shared_scalars_.clear();
  last_ = 0;
}

void YamlDocument::Builder::alias(std::size_t anchor) {
  // The parser refuses an alias of an unknown anchor before it reaches us.
  if (anchor == 0 || anchor > anchors_.size()) throw std::logic_error("YAML alias out of range");
  attach(anchors_[anchor - 1]);
}

void YamlDocument::Builder::anchor_last() { anchors_.push_back(last_); }

// No shrink_to_fit: a document lives only while the config is read, and the unused capacity
// of its vectors is never touched, so it costs address space, not memory.
YamlDocument YamlDocument::Builder::finish() && { return std::move(document_); }

}  // namespace hc::config_detail
