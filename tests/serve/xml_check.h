// Whether a document is well-formed XML, by python3's xml.etree (a parser that is not ours).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "hc/test/support.h"

namespace hc::serve {

// "" when `document` parses as XML, else python's error.
inline std::string xml_error(const std::string& document) {
  test::TempDir dir;
  const auto path = dir.path() / "document.xml";
  std::ofstream(path, std::ios::binary) << document;
  const auto result = test::run_command(
      {"python3", "-c", "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])",
       path.string()});
  return result.exit_code == 0 ? std::string()
                               : result.output + "(exit " + std::to_string(result.exit_code) + ")";
}

}  // namespace hc::serve
