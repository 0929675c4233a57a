// `hc serve` as the e2e tests start it (support.h start_serve).
#include <string>
#include <utility>
#include <vector>

#include "hc/test/support.h"

namespace hc::test {

ChildProcess start_serve(const std::filesystem::path& config, const TempDir& dir, int port,
                         const std::vector<std::string>& hc_options) {
  ChildProcess::Options options;
  options.stdout_file = dir.path() / "serve.log";
  options.stderr_file = options.stdout_file;
  std::vector<std::string> argv{hc_binary().string()};
  argv.insert(argv.end(), hc_options.begin(), hc_options.end());
  argv.insert(argv.end(),
              {"serve", "-c", config.string(), "--listen", "127.0.0.1:" + std::to_string(port)});
  return ChildProcess(std::move(argv), std::move(options));
}

}  // namespace hc::test
