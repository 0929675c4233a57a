// `hc serve` as a built binary: it refuses addresses beyond loopback unless told, needs the
// consumer section, and stops cleanly (exit 0) on SIGTERM and SIGINT.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <fstream>

#include "hc/test/support.h"

namespace hc {
namespace {

TEST(ServeCommand, ANonLoopbackAddressIsRefusedWithoutAllowRemote) {
  test::TempDir dir;
  const auto config = test::write_checks_config(dir, "postgresql://postgres@127.0.0.1:9/postgres");
  auto result = test::run_command(
      {test::hc_binary().string(), "serve", "-c", config.string(), "--listen", "0.0.0.0:0"},
      std::chrono::seconds(20));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("not a loopback address"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("--allow-remote"), std::string::npos) << result.output;
}

TEST(ServeCommand, WithoutAConsumerSectionThereIsNothingToServe) {
  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << "healthcheck-producer-config:\n"
                        << "  bootstrap_servers: [\"127.0.0.1:9\"]\n"
                        << "  defaults: {destination_topic: healthcheck}\n"
                        << "  websites:\n"
                        << "    - url: http://127.0.0.1:9/\n";
  auto result = test::run_command({test::hc_binary().string(), "serve", "-c", config.string()},
                                  std::chrono::seconds(20));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("no healthcheck-consumer-config section"), std::string::npos)
      << result.output;
}

TEST(ServeCommand, ServesUntilSigtermOrSigintThenExitsZero) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const auto config = test::write_checks_config(dir, postgres.uri());
  ASSERT_EQ(
      test::run_command({test::hc_binary().string(), "migrate", "-c", config.string()}).exit_code,
      0);
  for (const int signal_number : {SIGTERM, SIGINT}) {
    const int port = test::unused_loopback_port();
    test::ChildProcess::Options options;
    options.stdout_file = dir.path() / "serve.log";
    options.stderr_file = options.stdout_file;
    test::ChildProcess serve({test::hc_binary().string(), "serve", "-c", config.string(),
                              "--listen", "127.0.0.1:" + std::to_string(port)},
                             options);
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(1);
    ASSERT_TRUE(test::eventually(
        [&] {
          auto response = client.Get("/api/v1/status");
          return response && response->status == 200;
        },
        std::chrono::seconds(20)));
    serve.send_signal(signal_number);
    EXPECT_EQ(serve.wait_for_exit(std::chrono::seconds(10)), 0) << signal_number;
    EXPECT_FALSE(client.Get("/api/v1/status")) << "still answering after the signal";
  }
}

}  // namespace
}  // namespace hc
