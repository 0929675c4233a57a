#include "hc/common/config.h"

namespace hc {
std::string summarize(const Config&) { return "not built yet"; }
}  // namespace hc
