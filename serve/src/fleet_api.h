// GET /api/v1/fleet (fleet mode): the producers alive in producer_group and how many sites
// each checks.
//
//   {"group": "hc-producers", "state": "Stable", "sites_topic": "hc.sites",
//    "total_sites": 60, "unassigned_sites": 0,
//    "producers": [{"member_id", "client_id", "host", "partitions": [0, 2], "sites": 31}, ...]}
//
// "Alive" is the group coordinator's word (group_members.h): a producer killed without leaving
// is listed until its session times out, then its partitions move. A producer's sites are the
// valid sites (site_json.h) whose records lie in the partitions of the sites topic assigned to
// it; "unassigned_sites" are those in no member's partitions (none while the group is stable).
// 503 when the cluster does not answer (the group or the topic); 501 without sites_topic.
#pragma once

#include <functional>

#include "hc/common/config.h"
#include "hc/common/group_members.h"
#include "hc/common/http_routes.h"
#include "record_store.h"

namespace hc::serve {

// Describes the producer group now. Thread: any.
using GroupDescriber = std::function<GroupDescribeResult()>;

// `producer`, `sites` (null: no sites_topic) and what `describe` uses must outlive the server.
void add_fleet_api(http::Routes& routes, const ProducerConfig* producer, RecordStore* sites,
                   GroupDescriber describe);

}  // namespace hc::serve
