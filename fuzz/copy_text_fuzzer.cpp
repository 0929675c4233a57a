// Fuzzes the COPY text escapers (store/include/hc/store/copy_text.h).
//
// Invariants, for any bytes:
//   - the escaped field holds no raw tab, newline or carriage return (they would split the
//     row or the field) and is never the NULL marker "\N";
//   - unescaping it the way PostgreSQL reads COPY text gives back the input exactly;
//   - the input split at NUL bytes into text[] elements, written as an array field, has the
//     same properties, and parsing the unescaped field the way PostgreSQL reads an array
//     literal gives back every element, none of them NULL.
// (PostgreSQL itself is exercised with hostile strings by tests/consumer/copy_text_pg_test.)
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "copy_text_unescape.h"
#include "fuzz_check.h"
#include "hc/store/copy_text.h"
#include "text_array_parse.h"

namespace {

void check_field(const std::string& field) {
  FUZZ_CHECK(field.find_first_of("\t\n\r") == std::string::npos, "raw delimiter in a field");
  FUZZ_CHECK(field != "\\N", "field escaped to the NULL marker");
}

std::vector<std::string> split_at_nul(std::string_view input) {
  std::vector<std::string> parts(1);
  for (char c : input) {
    if (c == '\0') {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  if (input.empty()) parts.clear();
  return parts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string field;
  hc::append_copy_escaped(field, input);
  check_field(field);
  const auto back = hc::fuzz::copy_text_unescape(field);
  FUZZ_CHECK(back.has_value() && *back == input, "unescape(escape(x)) != x");

  const std::vector<std::string> elements = split_at_nul(input);
  std::string array_field;
  hc::append_copy_text_array(array_field, elements);
  check_field(array_field);
  const auto literal = hc::fuzz::copy_text_unescape(array_field);
  FUZZ_CHECK(literal.has_value(), "array field unescaped to NULL");
  const auto parsed = hc::fuzz::text_array_parse(*literal);
  FUZZ_CHECK(parsed.has_value(), "array field is not an array literal");
  FUZZ_CHECK(parsed->size() == elements.size(), "array literal has another element count");
  for (std::size_t i = 0; i < elements.size(); ++i) {
    FUZZ_CHECK((*parsed)[i].has_value(), "array element read as NULL");
    FUZZ_CHECK(*(*parsed)[i] == elements[i], "array element changed");
  }
  return 0;
}
