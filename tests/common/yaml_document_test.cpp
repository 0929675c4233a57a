// The config's YAML document (common/src/yaml_document.h) against yaml-cpp's own node tree:
// the same kinds, tags, scalars and positions for every node, so that every reader and error
// message sees what it saw with YAML::Load.
#include "yaml_document.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "hc/test/support.h"

namespace hc::config_detail {
namespace {

YamlDocument parse_text(const std::string& text) {
  std::istringstream in(text);
  return YamlDocument::parse(in);
}

YamlKind kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return YamlKind::kNull;
    case YAML::NodeType::Scalar:
      return YamlKind::kScalar;
    case YAML::NodeType::Sequence:
      return YamlKind::kSequence;
    case YAML::NodeType::Map:
      return YamlKind::kMap;
    default:
      return YamlKind::kUndefined;
  }
}

// Walks both trees side by side; `path` names the node in failure messages.
void expect_same(const YAML::Node& expected, const YamlNode& actual, const std::string& path) {
  ASSERT_EQ(kind_of(expected), actual.kind()) << path;
  EXPECT_EQ(expected.Tag(), actual.tag()) << path;
  // A null's own mark is never used (the readers report a null at its key): libyaml and
  // yaml-cpp put an empty value's in different places.
  if (!expected.IsNull()) {
    EXPECT_EQ(expected.Mark().line, actual.mark().line) << path;
    EXPECT_EQ(expected.Mark().column, actual.mark().column) << path;
  }
  if (expected.IsScalar()) EXPECT_EQ(expected.Scalar(), actual.scalar()) << path;
  if (expected.IsSequence()) {
    ASSERT_EQ(expected.size(), actual.size()) << path;
    std::size_t i = 0;
    for (const auto& item : expected) {
      expect_same(item, actual.item(i), path + "[" + std::to_string(i) + "]");
      ++i;
    }
  }
  if (expected.IsMap()) {
    ASSERT_EQ(expected.size(), actual.size()) << path;
    std::size_t i = 0;
    for (const auto& entry : expected) {
      expect_same(entry.first, actual.key(i), path + ".key" + std::to_string(i));
      expect_same(entry.second, actual.value(i), path + ".value" + std::to_string(i));
      ++i;
    }
  }
}

void expect_same_as_yaml_cpp(const std::string& text) {
  const YAML::Node expected = YAML::Load(text);
  const YamlDocument document = parse_text(text);
  expect_same(expected, document.root(), "root");
}

TEST(YamlDocument, MatchesYamlCppNodeForNode) {
  expect_same_as_yaml_cpp(R"(
healthcheck-producer-config:
  bootstrap_servers: ["127.0.0.1:9092", 'b:1']
  defaults: {timeout_ms: 500, destination_topic: t}
  empty:
  tagged: !ENV "${HOME}"
  core: !!str 12
  folded: >
    two
    lines
  websites:
    - url: http://a/
      regex: "x+"
      headers: {A: b}
    - url: http://b/
      expected_status: [200, "300-399"]
    -
    - ~
)");
}

// libyaml counts columns in characters, yaml-cpp in bytes: text outside ASCII goes to
// yaml-cpp, so an error after a non-ASCII character still points at the right column.
TEST(YamlDocument, ColumnsAfterNonAsciiTextAreYamlCpps) {
  expect_same_as_yaml_cpp("name: \"\xc3\xa9t\xc3\xa9\"\nb: [\xc3\xa9, y]\n");
  expect_same_as_yaml_cpp("a: {\"\xc3\xa9\": 1, b: 2}\n");
}

TEST(YamlDocument, WindowsLineEndingsMatchYamlCpp) {
  expect_same_as_yaml_cpp("a: 1\r\nb:\r\n  - x\r\n  - 'y'\r\n");
}

TEST(YamlDocument, ScalarStylesMatchYamlCpp) {
  expect_same_as_yaml_cpp(
      "plain: a b\nsingle: 'it''s'\ndouble: \"tab\\tnl\\n\\u00e9\"\nliteral: |\n  one\n  two\n"
      "kept: |+\n  x\n\nnulls: [~, null, Null, NULL, '', \"~\"]\nflow: {a, b: , c: [d]}\n"
      "explicit: !!str ~\nset: !!set {a, b}\ncomplex: {[a, b]: c}\n");
}

TEST(YamlDocument, DuplicateKeysAreKeptInOrder) {
  expect_same_as_yaml_cpp("a: 1\nb: 2\na: 3\n");
  const YamlDocument document = parse_text("a: 1\nb: 2\na: 3\n");
  ASSERT_EQ(document.root().size(), 3u);
  EXPECT_EQ(document.root().find("a").scalar(), "1");  // the first
  EXPECT_FALSE(document.root().find("c").is_defined());
}

TEST(YamlDocument, AnAliasIsTheAnchoredNodeWithItsPosition) {
  const std::string text = "base: &b {timeout_ms: 5}\nsite: *b\nname: &n x\nagain: *n\n";
  expect_same_as_yaml_cpp(text);
  const YamlDocument document = parse_text(text);
  EXPECT_EQ(document.root().find("site").mark().line, 0);
  EXPECT_EQ(document.root().find("site").find("timeout_ms").scalar(), "5");
}

TEST(YamlDocument, OnlyTheFirstDocumentIsRead) { expect_same_as_yaml_cpp("a: 1\n---\nb: 2\n"); }

TEST(YamlDocument, AnEmptyStreamHasNoRoot) {
  EXPECT_FALSE(parse_text("").root().is_defined());
  EXPECT_FALSE(parse_text("# only a comment\n").root().is_defined());
  EXPECT_TRUE(parse_text("---\n").root().is_null());
}

TEST(YamlDocument, SyntaxErrorsThrowAsYamlCppDoes) {
  EXPECT_THROW(parse_text("a: [1, 2\n"), YAML::ParserException);
  EXPECT_THROW(parse_text("a: *missing\n"), YAML::ParserException);
}

TEST(YamlDocument, TheRepositoryConfigsMatchYamlCpp) {
  for (const char* name : {"config.yaml", "remote-services-config.yaml", "docker/config.yaml"}) {
    const std::filesystem::path file = test::source_dir() / name;
    std::ifstream in(file);
    ASSERT_TRUE(in) << file;
    std::stringstream text;
    text << in.rdbuf();
    SCOPED_TRACE(name);
    expect_same_as_yaml_cpp(text.str());
  }
}

// The fuzzer's seed configs: every one the same tree as yaml-cpp's, or refused by both.
TEST(YamlDocument, TheFuzzSeedConfigsMatchYamlCpp) {
  const std::filesystem::path seeds = test::source_dir() / "fuzz/corpus/config_load";
  int compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(seeds)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    SCOPED_TRACE(entry.path().filename().string());
    bool yaml_cpp_refuses = false;
    try {
      YAML::Load(text.str());
    } catch (const YAML::Exception&) {
      yaml_cpp_refuses = true;
    }
    if (yaml_cpp_refuses) {
      EXPECT_THROW(parse_text(text.str()), YAML::Exception);
    } else {
      expect_same_as_yaml_cpp(text.str());
    }
    ++compared;
  }
  EXPECT_GT(compared, 0);
}

TEST(YamlDocument, BuiltNodesHaveNoTagAndNoPosition) {
  YamlDocument::Builder builder;
  builder.begin_map(YAML::Mark::null_mark(), "");
  builder.scalar(YAML::Mark::null_mark(), "", "url");
  builder.scalar(YAML::Mark::null_mark(), "", "http://a/");
  builder.scalar(YAML::Mark::null_mark(), "", "empty");
  builder.null(YAML::Mark::null_mark());
  builder.end();
  const YamlDocument document = std::move(builder).finish();
  const YamlNode root = document.root();
  ASSERT_TRUE(root.is_map());
  EXPECT_EQ(root.find("url").scalar(), "http://a/");
  EXPECT_EQ(root.find("url").tag(), "");
  EXPECT_EQ(root.find("url").mark().line, -1);
  EXPECT_TRUE(root.find("empty").is_null());
}

// --- a deferred list: the config's `websites`, read one site at a time ----------------------

constexpr std::array<std::string_view, 2> kWebsites = {"healthcheck-producer-config", "websites"};

std::string config_with_sites(std::size_t count, const std::string& after = "") {
  std::string text = "healthcheck-producer-config:\n  defaults: {timeout_ms: 500}\n  websites:\n";
  for (std::size_t i = 0; i < count; ++i) {
    text += "    - url: http://127.0.0.1/?site=" + std::to_string(i) +
            "\n      regex: \"Directory listing\"\n      polling_interval_in_seconds: 3600\n";
  }
  return text + after;
}

// Reads the items of `list` (deferred or not) and checks each against yaml-cpp's node.
void expect_items_same(const YAML::Node& expected, const YamlNode& list) {
  std::size_t visited = 0;
  list.for_each_item([&](std::size_t index, const YamlNode& item) {
    EXPECT_EQ(index, visited);
    expect_same(expected[index], item, "item" + std::to_string(index));
    ++visited;
  });
  EXPECT_EQ(visited, expected.size());
}

TEST(YamlDocument, ADeferredListHoldsNoItemInTheTree) {
  const std::string text = config_with_sites(2000, "  max_in_flight: 10\n");
  std::istringstream whole_in(text);
  const YamlDocument whole = YamlDocument::parse(whole_in);
  std::istringstream in(text);
  const YamlDocument document = YamlDocument::parse(in, kWebsites);

  const YamlNode sites = document.root().find(kWebsites[0]).find(kWebsites[1]);
  EXPECT_TRUE(sites.is_deferred());
  EXPECT_EQ(sites.size(), 2000U);
  const YamlNode whole_sites = whole.root().find(kWebsites[0]).find(kWebsites[1]);
  EXPECT_FALSE(whole_sites.is_deferred());
  EXPECT_EQ(sites.mark().line, whole_sites.mark().line);
  EXPECT_EQ(sites.mark().column, whole_sites.mark().column);
  EXPECT_EQ(sites.tag(), whole_sites.tag());
  // The whole tree holds 2,000 sites (9 nodes and ~60 bytes of text each); this one the rest.
  EXPECT_GT(whole.tree_bytes(), 200U * 2000);
  EXPECT_LT(document.tree_bytes(), 1024U);
  EXPECT_EQ(document.root().find(kWebsites[0]).find("max_in_flight").scalar(), "10");
}

TEST(YamlDocument, DeferredItemsAreReadAgainAsYamlCppSeesThem) {
  const std::string text = config_with_sites(50) +
                           "    - plain scalar\n    - [a, {b: c}]\n    -\n    - {url: 'x', n: ~}\n";
  std::istringstream in(text);
  const YamlDocument document = YamlDocument::parse(in, kWebsites);
  const YamlNode sites = document.root().find(kWebsites[0]).find(kWebsites[1]);
  ASSERT_TRUE(sites.is_deferred());
  const YAML::Node expected = YAML::Load(text)[kWebsites[0].data()][kWebsites[1].data()];
  expect_items_same(expected, sites);
  expect_items_same(expected, sites);  // as often as asked
}

TEST(YamlDocument, TheListIsDeferredWhereAReaderFindsIt) {
  // The first entry of each key (quoted or not) is the one a reader takes; a later one, a
  // `websites` elsewhere and a list under another section stay in the tree.
  const std::string text =
      "healthcheck-consumer-config: {websites: [a, b]}\n"
      "'healthcheck-producer-config':\n"
      "  defaults: {websites: [c]}\n"
      "  \"websites\": [d, e, f]\n"
      "  websites: [g]\n"
      "healthcheck-producer-config: {websites: [h]}\n";
  std::istringstream in(text);
  const YamlDocument document = YamlDocument::parse(in, kWebsites);
  const YamlNode root = document.root();
  EXPECT_FALSE(root.find("healthcheck-consumer-config").find("websites").is_deferred());
  const YamlNode producer = root.value(1);
  EXPECT_FALSE(producer.find("defaults").find("websites").is_deferred());
  EXPECT_TRUE(producer.value(1).is_deferred());
  EXPECT_EQ(producer.value(1).size(), 3U);
  EXPECT_FALSE(producer.value(2).is_deferred());
  EXPECT_FALSE(root.value(2).find("websites").is_deferred());
  expect_items_same(YAML::Load(text)["healthcheck-producer-config"]["websites"], producer.value(1));
}

TEST(YamlDocument, AnAliasAnywhereKeepsTheWholeTree) {
  // An item may be named from elsewhere, or name something: the tree is then yaml-cpp's.
  for (const std::string after : {"  sites_topic: *first\n", "  other: &late x\n  more: *late\n"}) {
    const std::string text =
        "healthcheck-producer-config:\n  websites:\n    - &first {url: a}\n    - url: b\n" + after;
    std::istringstream in(text);
    const YamlDocument document = YamlDocument::parse(in, kWebsites);
    const YamlNode sites = document.root().find(kWebsites[0]).find(kWebsites[1]);
    EXPECT_FALSE(sites.is_deferred()) << after;
    expect_same(YAML::Load(text), document.root(), "root");
  }
}

TEST(YamlDocument, ADeferredListReadByYamlCppIsReadAgainByYamlCpp) {
  // libyaml declines a byte outside ASCII: both readings are yaml-cpp's, columns in bytes.
  const std::string text = config_with_sites(3) + "    - {url: \"h\xc3\xa9\", n: 1}\n";
  std::istringstream in(text);
  const YamlDocument document = YamlDocument::parse(in, kWebsites);
  const YamlNode sites = document.root().find(kWebsites[0]).find(kWebsites[1]);
  ASSERT_TRUE(sites.is_deferred());
  expect_items_same(YAML::Load(text)[kWebsites[0].data()][kWebsites[1].data()], sites);
}

}  // namespace
}  // namespace hc::config_detail
