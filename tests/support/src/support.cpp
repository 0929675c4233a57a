// Paths baked in at build time; see tests/CMakeLists.txt for the compile definitions.
#include "hc/test/support.h"

namespace hc::test {

std::filesystem::path source_dir() { return HC_SOURCE_DIR; }
std::filesystem::path hc_binary() { return HC_BINARY; }
std::filesystem::path devbroker_binary() { return HC_DEVBROKER_BINARY; }

}  // namespace hc::test
