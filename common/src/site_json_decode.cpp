// decode_site_json: strict JSON (nlohmann) turned into a YAML document without tags, so
// read_site validates it exactly as a `websites` entry; no !ENV can reach a topic's value.
#include <yaml-cpp/mark.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "config_sections.h"
#include "hc/common/site_json.h"
#include "json_nesting.h"
#include "yaml_document.h"
#include "yaml_reader.h"

namespace hc {
namespace {

// How deep a site value may nest (json_nesting.h): far beyond any real one.
constexpr std::size_t kMaxDepth = 32;

// JSON scalars become YAML scalars in their JSON spelling; the typed readers parse them.
// Built nodes have no tag and no position.
void add_json(const nlohmann::ordered_json& value, config_detail::YamlDocument::Builder& builder) {
  const YAML::Mark none = YAML::Mark::null_mark();
  switch (value.type()) {
    case nlohmann::ordered_json::value_t::object:
      builder.begin_map(none, "");
      for (const auto& [key, item] : value.items()) {
        builder.scalar(none, "", key);
        add_json(item, builder);
      }
      builder.end();
      return;
    case nlohmann::ordered_json::value_t::array:
      builder.begin_sequence(none, "");
      for (const auto& item : value) add_json(item, builder);
      builder.end();
      return;
    case nlohmann::ordered_json::value_t::string:
      builder.scalar(none, "", value.get_ref<const std::string&>());
      return;
    case nlohmann::ordered_json::value_t::null:
    case nlohmann::ordered_json::value_t::discarded:
      builder.null(none);
      return;
    default:
      builder.scalar(none, "", value.dump());
      return;
  }
}

SiteDecodeResult failed(std::string_view source, std::string key_path, std::string message) {
  SiteDecodeResult result;
  result.errors.push_back(
      ConfigError{std::string(source), 0, 0, std::move(key_path), std::move(message)});
  return result;
}

}  // namespace

SiteDecodeResult decode_site_json(std::string_view url_key, std::string_view value,
                                  const ProducerConfig& producer, std::string_view source) {
  TextPool pool;
  return decode_site_json(url_key, value, producer, source, pool);
}

SiteDecodeResult decode_site_json(std::string_view url_key, std::string_view value,
                                  const ProducerConfig& producer, std::string_view source,
                                  TextPool& pool) {
  if (!json_nesting_within(value, kMaxDepth)) {
    return failed(source, "", "expected a JSON object, nested at most 32 levels deep");
  }
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(value, nullptr, false);
  if (json.is_discarded()) return failed(source, "", "expected a JSON object: not valid JSON");
  if (!json.is_object()) {
    return failed(
        source, "",
        "expected a JSON object (a site's settings), got " + std::string(json.type_name()));
  }
  if (const auto url = json.find("url"); url != json.end()) {
    if (!url->is_string() || url->get<std::string>() != url_key) {
      return failed(source, "url",
                    "differs from the record's key (the URL): leave it out or "
                    "give the same URL");
    }
  } else {
    json["url"] = std::string(url_key);
  }
  config_detail::YamlDocument::Builder builder;
  add_json(json, builder);
  const config_detail::YamlDocument document = std::move(builder).finish();
  config_detail::YamlReader reader(std::string(source),
                                   [](const std::string&) { return std::nullopt; });
  reader.use_text_pool(pool);
  const config_detail::Located root{document.root(), "", YAML::Mark::null_mark()};
  std::optional<SiteConfig> site =
      config_detail::read_site(reader, root, producer.site_defaults, producer.redact_query_params);
  SiteDecodeResult result;
  result.errors = reader.take_errors_in_file_order();
  for (ConfigError& error : result.errors) {
    error.line = 0;
    error.column = 0;
  }
  if (result.errors.empty() && site) result.site = std::move(site);
  if (result.errors.empty() && !result.site) {
    return failed(source, "", "not a valid site");  // read_site reports what it refuses
  }
  return result;
}

}  // namespace hc
