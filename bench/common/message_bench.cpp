// Message v1 encode/decode speed (Google Benchmark), against a reference measured in the
// same run: the same message through a nlohmann::json DOM (build the DOM and dump it;
// parse into a DOM and read every field), which is what hc did before.
//
//   cmake --build build --target hc-bench-message && build/bench/common/hc-bench-message
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "hc/common/message.h"
#include "hc/common/url_digest.h"

namespace {

hc::Measurement typical_measurement() {
  hc::Measurement m;
  m.url = "https://status.example.com/health?probe=hc";
  m.url_digest = hc::url_digest(m.url);
  m.measured_at = hc::WallTime(std::chrono::microseconds(1'795'000'000'123'456));
  m.status_code = 200;
  m.response_time_us = 48'211;
  m.timings = {1'200, 2'300, 45'000, 47'900};
  m.regex = "\"status\":\\s*\"ok\"";
  m.regex_match = true;
  m.body_bytes = 1'256;
  m.cert_expires_at = hc::WallTime(std::chrono::microseconds(1'800'000'000'000'000));
  m.producer = "checker-1.internal:4242";
  return m;
}

std::string dom_encode(const hc::Measurement& m) {
  using nlohmann::json;
  auto optional_int = [](const std::optional<std::int64_t>& v) { return v ? json(*v) : json(); };
  json out = {
      {"v", hc::kMessageVersion},
      {"url", m.url},
      {"url_digest", m.url_digest},
      {"measured_at", hc::format_timestamp(m.measured_at)},
      {"status_code", m.status_code ? json(*m.status_code) : json()},
      {"response_time_us", m.response_time_us},
      {"timings_us",
       {{"dns", optional_int(m.timings.dns_us)},
        {"connect", optional_int(m.timings.connect_us)},
        {"tls", optional_int(m.timings.tls_us)},
        {"ttfb", optional_int(m.timings.ttfb_us)}}},
      {"error", m.error ? json(*m.error) : json()},
      {"error_detail", m.error_detail},
      {"regex", m.regex ? json(*m.regex) : json()},
      {"regex_match", m.regex_match ? json(*m.regex_match) : json()},
      {"body_bytes", m.body_bytes},
      {"cert_expires_at",
       m.cert_expires_at ? json(hc::format_timestamp(*m.cert_expires_at)) : json()},
      {"producer", m.producer},
  };
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

void ReferenceDomEncode(benchmark::State& state) {
  const hc::Measurement m = typical_measurement();
  for (auto _ : state) benchmark::DoNotOptimize(dom_encode(m));
}
BENCHMARK(ReferenceDomEncode);

void Encode(benchmark::State& state) {
  const hc::Measurement m = typical_measurement();
  for (auto _ : state) benchmark::DoNotOptimize(hc::encode_message(m));
}
BENCHMARK(Encode);

void ReferenceDomDecode(benchmark::State& state) {
  const std::string bytes = hc::encode_message(typical_measurement());
  for (auto _ : state) {
    auto json = nlohmann::json::parse(bytes);
    hc::Measurement m;
    m.url = json["url"].get<std::string>();
    m.url_digest = json["url_digest"].get<std::string>();
    m.measured_at = *hc::parse_timestamp(json["measured_at"].get<std::string>());
    m.status_code = json["status_code"].get<int>();
    m.response_time_us = json["response_time_us"].get<std::int64_t>();
    m.timings.dns_us = json["timings_us"]["dns"].get<std::int64_t>();
    m.timings.connect_us = json["timings_us"]["connect"].get<std::int64_t>();
    m.timings.tls_us = json["timings_us"]["tls"].get<std::int64_t>();
    m.timings.ttfb_us = json["timings_us"]["ttfb"].get<std::int64_t>();
    m.error_detail = json["error_detail"].get<std::string>();
    m.regex = json["regex"].get<std::string>();
    m.regex_match = json["regex_match"].get<bool>();
    m.body_bytes = json["body_bytes"].get<std::int64_t>();
    m.cert_expires_at = hc::parse_timestamp(json["cert_expires_at"].get<std::string>());
    m.producer = json["producer"].get<std::string>();
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(ReferenceDomDecode);

void Decode(benchmark::State& state) {
  const std::string bytes = hc::encode_message(typical_measurement());
  for (auto _ : state) benchmark::DoNotOptimize(hc::decode_message(bytes));
}
BENCHMARK(Decode);

void DecodeReusingTheDecoder(benchmark::State& state) {
  const std::string bytes = hc::encode_message(typical_measurement());
  hc::MessageDecoder decoder;
  for (auto _ : state) benchmark::DoNotOptimize(decoder.decode(bytes));
}
BENCHMARK(DecodeReusingTheDecoder);

}  // namespace

BENCHMARK_MAIN();
