#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hc/common/url_digest.h"
#include "hc/consumer/record_decoder.h"

namespace hc::consumer {
namespace {

const std::string kUrl = "https://example.com/";

Measurement sample() {
  Measurement m;
  m.url = kUrl;
  m.url_digest = url_digest(kUrl);
  m.measured_at = WallTime(std::chrono::microseconds(1'795'000'000'123'456));
  m.status_code = 200;
  m.response_time_us = 1234;
  m.producer = "host:1";
  return m;
}

std::variant<Measurement, Poison> decode(const std::string& key, const std::string& value,
                                         std::size_t limit = std::size_t{64} * 1024) {
  hc::MessageDecoder decoder;
  hc::UrlDigester digester;
  return decode_record(decoder, digester, {key.data(), key.size(), value.data(), value.size()},
                       limit);
}

std::string reason_of(const std::variant<Measurement, Poison>& result) {
  if (const auto* poison = std::get_if<Poison>(&result)) return poison->reason;
  return "accepted";
}

std::string with(const std::function<void(nlohmann::json&)>& edit) {
  auto json = nlohmann::json::parse(encode_message(sample()));
  edit(json);
  return json.dump();
}

TEST(Decoder, AcceptsAValidMessageKeyedByItsUrl) {
  auto result = decode(kUrl, encode_message(sample()));
  ASSERT_TRUE(std::holds_alternative<Measurement>(result)) << reason_of(result);
  EXPECT_EQ(std::get<Measurement>(result), sample());
}

TEST(Decoder, IgnoresUnknownFieldsForForwardCompatibility) {
  auto value = with([](nlohmann::json& j) { j["added_in_v1_1"] = {1, 2, 3}; });
  EXPECT_EQ(reason_of(decode(kUrl, value)), "accepted");
}

struct RejectCase {
  const char* name;
  std::string key;
  std::string value;
  std::size_t limit;
  const char* reason;
};

TEST(Decoder, RejectsEveryKindOfPoisonWithItsReason) {
  const std::string good = encode_message(sample());
  const std::vector<RejectCase> cases = {
      {"bad json", kUrl, "{\"v\":1,", 65536, "bad_json"},
      {"not an object", kUrl, "[1,2]", 65536, "wrong_type"},
      {"missing url", kUrl, with([](auto& j) { j.erase("url"); }), 65536, "missing_field"},
      {"missing measured_at", kUrl, with([](auto& j) { j.erase("measured_at"); }), 65536,
       "missing_field"},
      {"status as string", kUrl, with([](auto& j) { j["status_code"] = "200"; }), 65536,
       "wrong_type"},
      {"response time as float", kUrl, with([](auto& j) { j["response_time_us"] = 1.5; }), 65536,
       "wrong_type"},
      {"bad timestamp", kUrl, with([](auto& j) { j["measured_at"] = "yesterday"; }), 65536,
       "bad_timestamp"},
      {"unknown version", kUrl, with([](auto& j) { j["v"] = 2; }), 65536, "bad_version"},
      {"too large", kUrl, good, good.size() - 1, "too_large"},
      {"empty value", kUrl, "", 65536, "empty_value"},
      {"key is another url", "https://other.example/", good, 65536, "key_mismatch"},
      {"no key", "", good, 65536, "key_mismatch"},
      {"digest of another url", kUrl,
       with([](auto& j) { j["url_digest"] = url_digest("https://other.example/"); }), 65536,
       "digest_mismatch"},
  };
  hc::MessageDecoder decoder;  // one for all cases: a rejected value must not taint the next
  hc::UrlDigester digester;
  for (const auto& c : cases) {
    auto result = decode_record(
        decoder, digester,
        {c.key.empty() ? nullptr : c.key.data(), c.key.size(), c.value.data(), c.value.size()},
        c.limit);
    EXPECT_EQ(reason_of(result), c.reason) << c.name;
    if (const auto* poison = std::get_if<Poison>(&result)) {
      EXPECT_FALSE(poison->detail.empty()) << c.name;
    }
  }
}

// A v1 message that PostgreSQL would refuse as a row is poison with its own reason, so it
// is dead-lettered instead of failing every write of its batch.
TEST(Decoder, RefusesWhatNoTableCanHold) {
  const std::string nul_url = std::string("https://example.com/\0", 21);
  const std::string nul_url_value = with([&](nlohmann::json& j) {
    j["url"] = nul_url;
    j["url_digest"] = url_digest(nul_url);
  });
  const std::string good = encode_message(sample());
  const std::vector<RejectCase> cases = {
      {"NUL in error_detail", kUrl,
       with([](auto& j) { j["error_detail"] = std::string("reset\0by peer", 13); }), 65536,
       "nul_byte"},
      {"NUL in url and key", nul_url, nul_url_value, 65536, "nul_byte"},
      {"NUL in key only", kUrl + std::string(1, '\0'), good, 65536, "nul_byte"},
      {"invalid UTF-8 in key", kUrl + "\xc3", good, 65536, "bad_utf8"},
      {"year 0000", kUrl, with([](auto& j) { j["measured_at"] = "0000-06-01T00:00:00Z"; }), 65536,
       "bad_timestamp"},
      {"year -0001", kUrl, with([](auto& j) { j["measured_at"] = "-0001-06-01T00:00:00Z"; }), 65536,
       "bad_timestamp"},
      {"year -001", kUrl, with([](auto& j) { j["measured_at"] = "-001-06-01T00:00:00Z"; }), 65536,
       "bad_timestamp"},
      {"year +10000", kUrl, with([](auto& j) { j["measured_at"] = "+10000-06-01T00:00:00Z"; }),
       65536, "bad_timestamp"},
      {"cert expiry in year 0", kUrl,
       with([](auto& j) { j["cert_expires_at"] = "0000-01-01T00:00:00Z"; }), 65536,
       "bad_timestamp"},
      {"status above int", kUrl, with([](auto& j) { j["status_code"] = 4'294'967'496LL; }), 65536,
       "out_of_range"},
      {"response time above bigint", kUrl,
       with([](auto& j) { j["response_time_us"] = 18'000'000'000'000'000'000ULL; }), 65536,
       "out_of_range"},
      {"negative body bytes", kUrl, with([](auto& j) { j["body_bytes"] = -3; }), 65536,
       "out_of_range"},
  };
  hc::MessageDecoder decoder;
  hc::UrlDigester digester;
  for (const auto& c : cases) {
    auto result = decode_record(
        decoder, digester, {c.key.data(), c.key.size(), c.value.data(), c.value.size()}, c.limit);
    EXPECT_EQ(reason_of(result), c.reason) << c.name;
  }
}

TEST(Decoder, TreatsATombstoneAsPoison) {
  hc::MessageDecoder decoder;
  hc::UrlDigester digester;
  auto result = decode_record(decoder, digester, {kUrl.data(), kUrl.size(), nullptr, 0}, 65536);
  EXPECT_EQ(reason_of(result), "empty_value");
}

TEST(Decoder, ChecksTheSizeLimitBeforeParsing) {
  std::string huge(100'000, 'x');  // not JSON either: the size verdict must win
  EXPECT_EQ(reason_of(decode(kUrl, huge)), "too_large");
}

}  // namespace
}  // namespace hc::consumer
