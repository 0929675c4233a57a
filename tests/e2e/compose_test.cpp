// docker-compose.yaml, Dockerfile and docker/config.yaml must agree with each other and with
// the repository, because nobody can run Docker here: every service, port, mounted path,
// host name and topic is checked statically. docker/config.yaml is loaded with hc's own
// loader (no environment set, so its !ENV defaults apply), which also proves it is valid.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "hc/common/config.h"
#include "hc/test/support.h"

namespace hc::test {
namespace {

const std::filesystem::path kComposeFile = source_dir() / "docker-compose.yaml";
const std::filesystem::path kDockerConfig = source_dir() / "docker" / "config.yaml";
const std::string kConfigInContainer = "/etc/hc/config.yaml";

Config load_without_environment(const std::filesystem::path& path) {
  ConfigLoadResult result =
      load_config(path, [](const std::string&) -> std::optional<std::string> { return {}; });
  std::string errors;
  for (const auto& error : result.errors) errors += error.to_string() + "\n";
  if (!result.config) throw std::runtime_error("cannot load " + path.string() + ":\n" + errors);
  return *result.config;
}

std::vector<std::string> strings_of(const YAML::Node& sequence) {
  std::vector<std::string> values;
  for (const auto& item : sequence) values.push_back(item.as<std::string>());
  return values;
}

// "--metrics-addr", "0.0.0.0:9464" in a command -> 9464; -1 if absent.
int metrics_port(const std::vector<std::string>& command) {
  for (size_t i = 0; i + 1 < command.size(); ++i) {
    if (command[i] == "--metrics-addr") {
      return std::stoi(command[i + 1].substr(command[i + 1].rfind(':') + 1));
    }
  }
  return -1;
}

struct PostgresUri {
  std::string user, password, host, database;
  int port = 5432;
};
PostgresUri parse_postgres_uri(const std::string& uri) {
  static const std::regex pattern(
      R"(postgres(?:ql)?://([^:@/]+)(?::([^@]*))?@([^:/]+)(?::(\d+))?/([^?]+).*)");
  std::smatch match;
  if (!std::regex_match(uri, match, pattern)) throw std::runtime_error("not a URI: " + uri);
  return {match[1], match[2], match[3], match[5], match[4].matched ? std::stoi(match[4]) : 5432};
}

class ComposeFile : public ::testing::Test {
 protected:
  YAML::Node compose_ = YAML::LoadFile(kComposeFile.string());
  YAML::Node services_ = compose_["services"];
  Config docker_config_ = load_without_environment(kDockerConfig);
};

TEST_F(ComposeFile, DeclaresKafkaPostgresAndBothHcRoles) {
  for (const char* name : {"kafka", "postgres", "hc-init", "hc-producer", "hc-consumer"}) {
    EXPECT_TRUE(services_[name]) << "service " << name;
  }
}

TEST_F(ComposeFile, EveryBuildContextVolumeAndNamedVolumeExists) {
  for (const auto& service : services_) {
    const std::string name = service.first.as<std::string>();
    const YAML::Node& body = service.second;
    EXPECT_TRUE(body["image"] || body["build"]) << name << " has neither image nor build";
    if (body["build"]) {
      const auto context = source_dir() / body["build"].as<std::string>();
      EXPECT_TRUE(std::filesystem::exists(context / "Dockerfile")) << name << ": " << context;
    }
    for (const auto& volume : body["volumes"]) {
      const std::string spec = volume.as<std::string>();
      const std::string source = spec.substr(0, spec.find(':'));
      if (source.starts_with(".") || source.starts_with("/")) {
        EXPECT_TRUE(std::filesystem::exists(source_dir() / source)) << name << ": " << spec;
      } else {
        EXPECT_TRUE(compose_["volumes"][source])
            << name << ": named volume " << source << " is not declared under volumes:";
      }
    }
  }
}

TEST_F(ComposeFile, HcRolesRunWithTheMountedDockerConfigAndPublishTheirHealthPort) {
  const std::string dockerfile = read_file(source_dir() / "Dockerfile");
  std::smatch healthcheck;
  ASSERT_TRUE(
      std::regex_search(dockerfile, healthcheck,
                        std::regex(R"(HEALTHCHECK[^\n]*\n?[^\n]*127\.0\.0\.1:(\d+)/healthz)")))
      << "Dockerfile has no HEALTHCHECK on /healthz";
  const int health_port = std::stoi(healthcheck[1]);

  for (const auto& [service, role] : std::map<std::string, std::string>{
           {"hc-producer", "--producer"}, {"hc-consumer", "--consumer"}}) {
    const YAML::Node body = services_[service];
    ASSERT_TRUE(body) << service;
    const auto command = strings_of(body["command"]);
    EXPECT_NE(std::find(command.begin(), command.end(), role), command.end()) << service;
    auto config_flag = std::find(command.begin(), command.end(), "-c");
    ASSERT_NE(config_flag, command.end()) << service;
    EXPECT_EQ(*(config_flag + 1), kConfigInContainer) << service;
    EXPECT_EQ(strings_of(body["volumes"]),
              std::vector<std::string>{"./docker/config.yaml:" + kConfigInContainer + ":ro"})
        << service;
    EXPECT_EQ(metrics_port(command), health_port) << service << ": HEALTHCHECK would fail";
    for (const auto& mapping : strings_of(body["ports"])) {
      EXPECT_EQ(std::stoi(mapping.substr(mapping.rfind(':') + 1)), health_port) << service;
    }
  }
}

TEST_F(ComposeFile, BootstrapServersAreKafkasAdvertisedListener) {
  const std::string listeners =
      services_["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"].as<std::string>();
  std::smatch match;
  ASSERT_TRUE(std::regex_search(listeners, match, std::regex(R"(PLAINTEXT://([^,]+))")));
  const std::string advertised = match[1];
  EXPECT_TRUE(services_[advertised.substr(0, advertised.find(':'))])
      << "advertised host " << advertised << " is not a service";

  ASSERT_TRUE(docker_config_.producer && docker_config_.consumer);
  EXPECT_EQ(docker_config_.producer->kafka.bootstrap_servers, std::vector<std::string>{advertised});
  EXPECT_EQ(docker_config_.consumer->kafka.bootstrap_servers, std::vector<std::string>{advertised});
}

TEST_F(ComposeFile, ConnectionUriPointsAtThePostgresServiceWithItsCredentials) {
  const YAML::Node environment = services_["postgres"]["environment"];
  ASSERT_TRUE(docker_config_.consumer);
  for (const auto& route : docker_config_.consumer->topics) {
    const PostgresUri uri = parse_postgres_uri(route.connection_uri);
    EXPECT_TRUE(services_[uri.host]) << "host " << uri.host << " is not a service";
    EXPECT_EQ(uri.host, "postgres");
    EXPECT_EQ(uri.port, 5432);
    EXPECT_EQ(uri.user, environment["POSTGRES_USER"].as<std::string>());
    EXPECT_EQ(uri.password, environment["POSTGRES_PASSWORD"].as<std::string>());
    EXPECT_EQ(uri.database, environment["POSTGRES_DB"].as<std::string>());
  }
}

TEST_F(ComposeFile, TopicsAndTablesMatchTheDefaultConfig) {
  // Only routes are compared: the default config.yaml's !ENV hosts need no values here.
  const Config default_config = load_without_environment(source_dir() / "config.yaml");
  ASSERT_TRUE(default_config.consumer && docker_config_.consumer && docker_config_.producer);
  auto routes = [](const ConsumerConfig& consumer) {
    std::set<std::tuple<std::string, std::string, std::string>> result;
    for (const auto& route : consumer.topics) {
      result.insert({route.source_topic, route.table_name, route.dead_letter_topic});
    }
    return result;
  };
  EXPECT_EQ(routes(*docker_config_.consumer), routes(*default_config.consumer));

  std::set<std::string> consumed;
  for (const auto& route : docker_config_.consumer->topics) consumed.insert(route.source_topic);
  for (const auto& site : docker_config_.producer->websites) {
    EXPECT_TRUE(consumed.count(site.destination_topic))
        << site.url << " publishes to " << site.destination_topic << ", which nobody consumes";
  }
}

}  // namespace
}  // namespace hc::test
