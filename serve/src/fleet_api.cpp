#include "fleet_api.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "api_responses.h"
#include "hc/common/site_json.h"

namespace hc::serve {
namespace {

// Valid sites per partition of the sites topic.
std::map<std::int32_t, std::size_t> sites_per_partition(const SiteSet& sites,
                                                        const ProducerConfig& producer) {
  std::map<std::int32_t, std::size_t> counts;
  for (const auto& [url, record] : sites.sites()) {
    if (decode_site_json(url, record.value, producer, "").site) ++counts[record.partition];
  }
  return counts;
}

}  // namespace

void add_fleet_api(http::Routes& routes, const ProducerConfig* producer, RecordStore* sites,
                   GroupDescriber describe) {
  routes.get("/api/v1/fleet", [producer, sites,
                               describe = std::move(describe)](const http::Request& /*request*/) {
    if (sites == nullptr) {
      return error_response(501,
                            "the fleet API needs fleet mode: sites_topic in the "
                            "healthcheck-producer-config section of hc serve's config");
    }
    const GroupDescribeResult described = describe();
    if (!described.group) return error_response(503, described.problem);
    const CompactedTopicRead read = sites->read();
    if (!read.complete) {
      return error_response(503, fmt::format("cannot read {}: {}", sites->topic(), read.problem));
    }
    const auto counts = sites_per_partition(read.latest, *producer);
    std::size_t total = 0;
    for (const auto& [partition, count] : counts) total += count;
    std::set<std::int32_t> assigned;
    nlohmann::ordered_json producers = nlohmann::ordered_json::array();
    for (const GroupMember& member : described.group->members) {
      const auto held = member.assignment.find(sites->topic());
      std::vector<std::int32_t> partitions;
      if (held != member.assignment.end()) partitions = held->second;
      std::size_t checked = 0;
      for (const std::int32_t partition : partitions) {
        assigned.insert(partition);
        if (const auto count = counts.find(partition); count != counts.end()) {
          checked += count->second;
        }
      }
      producers.push_back({{"member_id", member.member_id},
                           {"client_id", member.client_id},
                           {"host", member.client_host},
                           {"partitions", partitions},
                           {"sites", checked}});
    }
    std::size_t unassigned = 0;
    for (const auto& [partition, count] : counts) {
      if (!assigned.contains(partition)) unassigned += count;
    }
    const nlohmann::ordered_json fleet = {
        {"group", producer->producer_group}, {"state", described.group->state},
        {"sites_topic", sites->topic()},     {"total_sites", total},
        {"unassigned_sites", unassigned},    {"producers", producers}};
    return json_response(
        200, fleet.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
  });
}

}  // namespace hc::serve
