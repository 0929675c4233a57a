// Fuzzes the COPY text escaper (consumer/src/copy_text.h).
//
// Invariants, for any bytes:
//   - the escaped field holds no raw tab, newline or carriage return (they would split the
//     row or the field) and is never the NULL marker "\N";
//   - unescaping it the way PostgreSQL reads COPY text gives back the input exactly.
// (PostgreSQL itself is exercised with hostile strings by tests/consumer/copy_roundtrip_test.)
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "copy_text.h"
#include "copy_text_unescape.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string field;
  hc::consumer::append_copy_escaped(field, input);
  FUZZ_CHECK(field.find_first_of("\t\n\r") == std::string::npos, "raw delimiter in a field");
  FUZZ_CHECK(field != "\\N", "text escaped to the NULL marker");
  const auto back = hc::fuzz::copy_text_unescape(field);
  FUZZ_CHECK(back.has_value() && *back == input, "unescape(escape(x)) != x");
  return 0;
}
