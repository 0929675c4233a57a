// Runtime silences: planned maintenance announced through `hc serve` and applied by `hc
// notify` exactly as the config's `silences` (matching events recorded as silenced, not
// sent). Stored in the silences topic of healthcheck-notify-config (silence_json.h).
//
//   GET    /api/v1/silences       200: {"silences": [...]} every silence in the topic, by id,
//                                 each with "state": "pending" | "active" | "expired" (now)
//   POST   /api/v1/silences       body: silence_json.h's request. 201: the silence as stored,
//                                 with its new "id" (Location: /api/v1/silences/{id});
//                                 400 naming each field at fault; 413 over
//                                 kMaxSilenceBodyBytes
//   DELETE /api/v1/silences/{id}  200: {"deleted": id} once its tombstone is acknowledged,
//                                 which ends the silence; 404 for an id not in the topic
//
// Writes need the bearer token (api_auth.h); 503 when the cluster does not answer in time;
// 501 without a healthcheck-notify-config section. Other methods: 405.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "api_auth.h"
#include "hc/common/clock.h"
#include "hc/common/http_routes.h"
#include "record_store.h"

namespace hc::serve {

inline constexpr std::size_t kMaxSilenceBodyBytes = std::size_t{16} * 1024;

// A fresh silence id: 32 lowercase hex digits. Thread: any.
using SilenceIdSource = std::function<std::string()>;
// 128 bits from std::random_device.
std::string random_silence_id();

// `store` (null: no notify section), `guard`, `clock` and `new_id` must outlive the server.
void add_silences_api(http::Routes& routes, RecordStore* store, const WriteGuard& guard,
                      const Clock& clock, SilenceIdSource new_id);

}  // namespace hc::serve
