// Fuzzes the config loader: YAML text with !ENV interpolation, both roles' sections.
//
// Invariants, for any text: parse_config never crashes and never throws (an exception
// escaping it aborts, which libFuzzer reports); it returns either a Config and no errors,
// or errors and no Config; every error has a message; summarize() of a valid Config works.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "hc/common/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // A fixed environment: some variables set (one empty, one with URI special characters),
  // every other name unset.
  const hc::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "KAFKA") return "127.0.0.1:9092";
    if (name == "PG") return "postgresql://u:p%40ss@127.0.0.1:5432/db";
    if (name == "EMPTY") return "";
    if (name == "SECRET") return "a:b/c@d?e#f%";
    return std::nullopt;
  };
  const hc::ConfigLoadResult result = hc::parse_config(text, "fuzz.yaml", env);
  FUZZ_CHECK(result.config.has_value() == result.errors.empty(), "config xor errors");
  for (const auto& error : result.errors) {
    FUZZ_CHECK(!error.message.empty(), "error without a message");
    FUZZ_CHECK(!error.to_string().empty(), "error renders empty");
  }
  if (result.config) FUZZ_CHECK(!hc::summarize(*result.config).empty(), "empty summary");
  return 0;
}
