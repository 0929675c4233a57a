// The sites API (fleet mode): the sites topic of healthcheck-producer-config, read and written
// through the same codec as `hc sites` (site_json.h), so a site is valid here exactly when it
// is valid as a `websites` entry.
//
//   GET    /api/v1/sites                   200: a JSON array, as `hc sites list --format json`
//   GET    /api/v1/sites/{url-encoded URL} 200: that site; 404 when the topic does not have it
//   PUT    /api/v1/sites/{url-encoded URL} body: the site's settings as a JSON object (the
//          keys of a `websites` entry; "url" optional). 200: the site as stored. 400 naming
//          each field at fault; 409 when the body's "url" is another URL than the path's;
//          413 over kMaxSiteBodyBytes
//   DELETE /api/v1/sites/{url-encoded URL} 200: {"deleted": URL} once its tombstone is
//          acknowledged; 404 when the topic does not have it
//
// Writes need the bearer token (api_auth.h). Every request reads the topic to its end first
// (503 when the cluster does not answer in time); a write answers after the broker
// acknowledged it (acks=all), so a GET after it sees it. Without sites_topic every call is a
// 501 that says so. Other methods: 405 (the server's router).
#pragma once

#include <cstddef>

#include "api_auth.h"
#include "hc/common/config.h"
#include "hc/common/http_routes.h"
#include "record_store.h"

namespace hc::serve {

inline constexpr std::size_t kMaxSiteBodyBytes = std::size_t{64} * 1024;

// `producer` (its defaults decide validity) and `store` (null: no sites_topic) and `guard`
// must outlive the routes' server.
void add_sites_api(http::Routes& routes, const ProducerConfig* producer, RecordStore* store,
                   const WriteGuard& guard);

}  // namespace hc::serve
