#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <system_error>

#include "hc/test/support.h"

namespace hc::test {

std::filesystem::path make_temp_directory(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      (base != nullptr && *base != '\0' ? std::string(base) : std::string("/tmp")) + "/" + prefix +
      "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  return pattern;
}

TempDir::TempDir() : path_(make_temp_directory("hc-test")) {}

TempDir::~TempDir() {
  std::error_code error;
  std::filesystem::remove_all(path_, error);
  if (error) std::cerr << "TempDir: cannot remove " << path_ << ": " << error.message() << '\n';
}

}  // namespace hc::test
