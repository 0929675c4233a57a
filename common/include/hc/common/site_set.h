// The sites of a compacted sites topic (site_json.h), folded from its records: the latest
// value of each key wins, a tombstone removes the key, and a partition's sites can be dropped
// as a whole when it is revoked. Values are kept as published (raw JSON); decoding them is
// the caller's (a value's validity depends on the reader's `defaults`).
//
// Records of one partition arrive in offset order; a record at or below the offset already
// applied for its key in that partition is a redelivery and changes nothing. Before
// compaction the topic holds a key several times: replaying them in order gives the latest.
//
// Thread: not thread-safe; one owner.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hc {

struct SiteRecord {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string value;  // JSON, as published
  bool operator==(const SiteRecord&) const = default;
};

// What one record did to the set.
enum class SiteChange {
  kAdded,      // a key not in the set
  kChanged,    // a key in the set, with another value
  kRemoved,    // a tombstone for a key in the set
  kUnchanged,  // the same value again, a tombstone for an absent key, or a redelivery
};

class SiteSet {
 public:
  // Applies one record; `value` nullopt is a tombstone. A key moved to another partition
  // (a producer with another partitioner) is taken from the record with the newer call.
  SiteChange apply(std::int32_t partition, std::int64_t offset, const std::string& url,
                   const std::optional<std::string>& value);

  // Forgets every site whose latest record came from `partition`; returns their URLs.
  std::vector<std::string> drop_partition(std::int32_t partition);

  // URL -> its latest record, sorted by URL.
  const std::map<std::string, SiteRecord>& sites() const { return sites_; }
  std::size_t size() const { return sites_.size(); }

 private:
  std::map<std::string, SiteRecord> sites_;
  // (partition, URL) -> offset of the last record applied, tombstones included: a
  // redelivered older record never undoes a newer one.
  std::map<std::pair<std::int32_t, std::string>, std::int64_t> applied_offsets_;
};

}  // namespace hc
