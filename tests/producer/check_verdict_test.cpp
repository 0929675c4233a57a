// The verdict from a table of cases: what the transport saw + the site's conditions ->
// healthy, the failed conditions in order, the error class and regex_match.
#include "check_verdict.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace hc::producer {
namespace {

using std::chrono::days;
using std::chrono::hours;

const WallTime kNow{std::chrono::seconds(1'800'000'000)};

std::shared_ptr<const RegexMatcher> re(const std::string& pattern) {
  return std::make_shared<const RegexMatcher>(pattern);
}

CheckResult response(int status, std::string body = "<html>ok</html>") {
  CheckResult result;
  result.status_code = status;
  result.response_time_us = 50'000;
  result.body_bytes = static_cast<std::int64_t>(body.size());
  result.body = std::move(body);
  return result;
}

CheckResult transport_failure(CheckError error, std::optional<int> status = std::nullopt) {
  CheckResult result;
  result.status_code = status;
  result.transport_error = error;
  result.error_detail = "curl says no";
  result.body = "partial body with ok and error";
  return result;
}

struct Case {
  std::string name;
  CheckConditions conditions;
  CheckResult result;
  bool https = false;
  // expected
  bool healthy = false;
  std::vector<std::string> failed;
  std::optional<CheckError> error;
  std::optional<bool> regex_match;
};

std::vector<Case> cases() {
  std::vector<Case> all;
  auto add = [&all](std::string name, CheckConditions conditions, CheckResult result, bool healthy,
                    std::vector<std::string> failed, std::optional<CheckError> error = std::nullopt,
                    std::optional<bool> regex_match = std::nullopt, bool https = false) {
    all.push_back(Case{std::move(name), std::move(conditions), std::move(result), https, healthy,
                       std::move(failed), error, regex_match});
  };
  CheckConditions none;
  add("DefaultAccepts200", none, response(200), true, {});
  add("DefaultAccepts399", none, response(399), true, {});
  add("DefaultRefuses404", none, response(404), false, {"status"}, CheckError::kUnexpectedStatus);
  add("DefaultRefuses199", none, response(199), false, {"status"}, CheckError::kUnexpectedStatus);

  CheckConditions ranges;
  ranges.expected_status = {{200, 204}, {404, 404}};
  add("RangeLowEnd", ranges, response(200), true, {});
  add("RangeHighEnd", ranges, response(204), true, {});
  add("RangeGap", ranges, response(205), false, {"status"}, CheckError::kUnexpectedStatus);
  add("SingleStatusInList", ranges, response(404), true, {});

  CheckConditions fast;
  fast.max_response_time_us = 50'000;
  add("ResponseTimeAtTheBound", fast, response(200), true, {});
  CheckResult slow = response(200);
  slow.response_time_us = 50'001;
  add("ResponseTimeOverTheBound", fast, slow, false, {"response_time"});

  CheckConditions cert;
  cert.min_cert_days = 14;
  CheckResult fresh_cert = response(200);
  fresh_cert.cert_expires_at = kNow + days(14);
  add("CertExactlyMinDays", cert, fresh_cert, true, {}, std::nullopt, std::nullopt, true);
  CheckResult expiring = response(200);
  expiring.cert_expires_at = kNow + days(14) - hours(1);  // 13 whole days
  add("CertOneHourShort", cert, expiring, false, {"cert_days"}, std::nullopt, std::nullopt, true);
  CheckResult expired = response(200);
  expired.cert_expires_at = kNow - days(2);
  add("CertExpired", cert, expired, false, {"cert_days"}, std::nullopt, std::nullopt, true);
  add("CertUnknownOnHttps", cert, response(200), false, {"cert_days"}, std::nullopt, std::nullopt,
      true);
  add("CertIgnoredOnHttp", cert, response(200), true, {});

  CheckConditions regex;
  regex.regex = re("o[k]");
  add("RegexMatches", regex, response(200), true, {}, std::nullopt, true);
  add("RegexMisses", regex, response(200, "nothing here"), false, {"regex"}, std::nullopt, false);
  add("RegexSearchedOnAnErrorPage", regex, response(500, "ok"), false, {"status"},
      CheckError::kUnexpectedStatus, true);
  CheckResult long_page = response(200, "ok in the first part");
  long_page.body_bytes = 50'000'000;
  long_page.body_truncated = true;
  add("TruncatedBodyIsNotAnErrorAndItsPrefixVerdictStands", regex, long_page, true, {},
      std::nullopt, true);

  CheckConditions absent;
  absent.regex_absent = re("(?i)error");
  add("AbsentPatternAbsent", absent, response(200), true, {});
  add("AbsentPatternPresent", absent, response(200, "Internal ERROR"), false, {"regex_absent"});

  CheckConditions header;
  header.headers_match = {{"Content-Type", re("^application/json")}};
  CheckResult json = response(200);
  json.headers = {{"Server", "x"}, {"content-type", "application/json; charset=utf-8"}};
  add("HeaderMatchesCaseInsensitiveName", header, json, true, {});
  CheckResult html = response(200);
  html.headers = {{"Content-Type", "text/html"}};
  add("HeaderValueDoesNotMatch", header, html, false, {"header:Content-Type"});
  add("HeaderMissing", header, response(200), false, {"header:Content-Type"});

  CheckConditions size;
  size.min_body_bytes = 16;
  add("BodyLongEnough", size, response(200, "sixteen bytes!!!"), true, {});
  add("BodyTooShort", size, response(200, "short"), false, {"body_bytes"});

  CheckConditions everything;
  everything.expected_status = {{200, 200}};
  everything.max_response_time_us = 1;
  everything.min_cert_days = 30;
  everything.regex = re("welcome");
  everything.regex_absent = re("ok");
  everything.headers_match = {{"X-Version", re("2")}};
  everything.min_body_bytes = 1000;
  add("EveryFailureListedInOrder", everything, response(503), false,
      {"status", "response_time", "cert_days", "regex", "regex_absent", "header:X-Version",
       "body_bytes"},
      CheckError::kUnexpectedStatus, false, true);

  add("TransportErrorEvaluatesNothing", everything, transport_failure(CheckError::kTimeout), false,
      {}, CheckError::kTimeout);
  add("PartialTransferKeepsItsStatusButNoRegexVerdict", regex,
      transport_failure(CheckError::kHttp, 200), false, {}, CheckError::kHttp);

  // Other check types: no status; their own conditions.
  CheckResult connected;
  connected.response_time_us = 1'000;
  CheckConditions tcp;
  tcp.type = CheckType::kTcp;
  add("TcpWithoutStatusIsHealthy", tcp, connected, true, {});
  CheckConditions tcp_expect = tcp;
  tcp_expect.regex = re("^220 ");
  CheckResult banner = connected;
  banner.body = "554 go away\r\n";
  add("TcpExpectFailsAsExpect", tcp_expect, banner, false, {"expect"}, std::nullopt, false);
  CheckConditions tls;
  tls.type = CheckType::kTls;
  tls.valid_chain = true;
  tls.min_cert_days = 10;
  CheckResult handshake = connected;
  handshake.chain_valid = false;
  handshake.cert_expires_at = kNow + days(60);  // the leaf is fine
  handshake.chain_expires_at = kNow + days(5);  // an intermediate is not
  add("TlsJudgesTheChainsSoonestExpiryAndValidity", tls, handshake, false, {"cert_days", "chain"});
  CheckConditions tls_insecure = tls;
  tls_insecure.valid_chain = false;
  tls_insecure.min_cert_days.reset();
  add("TlsInsecureSkipVerifyIgnoresTheChain", tls_insecure, handshake, true, {});

  // icmp: the loss against max_loss_percent (whole percent, rounded up by the checker: 1 of 3
  // lost is 34); response_time is the mean round trip.
  CheckConditions icmp;
  icmp.type = CheckType::kIcmp;
  icmp.max_loss_percent = 34;
  icmp.max_response_time_us = 2'000;
  CheckResult echoes;
  echoes.rtt_min_us = 500;
  echoes.rtt_avg_us = 1'000;
  echoes.rtt_max_us = 3'000;  // one slow reply does not fail a mean under the bound
  echoes.response_time_us = 1'000;
  echoes.loss_percent = 34;
  add("IcmpLossAtTheBoundIsHealthy", icmp, echoes, true, {});
  CheckResult lossier = echoes;
  lossier.loss_percent = 67;
  lossier.response_time_us = 2'500;
  add("IcmpLossAboveTheBoundAndSlowMeanFail", icmp, lossier, false, {"response_time", "loss"});
  CheckConditions icmp_any_reply;
  icmp_any_reply.type = CheckType::kIcmp;
  add("IcmpWithoutABoundAcceptsSomeLoss", icmp_any_reply, lossier, true, {});
  CheckConditions icmp_no_loss = icmp_any_reply;
  icmp_no_loss.max_loss_percent = 0;
  CheckResult one_lost = echoes;
  one_lost.loss_percent = 1;
  add("IcmpZeroLossAllowedFailsOnAnyLoss", icmp_no_loss, one_lost, false, {"loss"});
  CheckResult unmeasured = echoes;
  unmeasured.loss_percent.reset();
  add("IcmpLossUnmeasuredFailsTheBound", icmp_no_loss, unmeasured, false, {"loss"});
  CheckConditions loss_on_tcp = tcp;
  loss_on_tcp.max_loss_percent = 0;
  add("LossAppliesToIcmpOnly", loss_on_tcp, connected, true, {});
  add("IcmpWithoutAnyReplyIsItsTransportError", icmp, transport_failure(CheckError::kTimeout),
      false, {}, CheckError::kTimeout);
  return all;
}

class VerdictTable : public ::testing::TestWithParam<Case> {};

TEST_P(VerdictTable, Evaluates) {
  const Case& c = GetParam();
  Verdict verdict = evaluate(c.conditions, c.result, c.https, kNow);
  EXPECT_EQ(verdict.healthy, c.healthy);
  EXPECT_EQ(verdict.failed_conditions, c.failed);
  EXPECT_EQ(verdict.error, c.error);
  EXPECT_EQ(verdict.regex_match, c.regex_match);
  if (c.result.transport_error) {
    EXPECT_EQ(verdict.error_detail, "curl says no");
  }
  if (c.error == CheckError::kUnexpectedStatus) {
    EXPECT_EQ(verdict.error_detail, "HTTP " + std::to_string(*c.result.status_code));
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, VerdictTable, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

TEST(VerdictOutcome, CountsUpErrorClassOrUnhealthy) {
  CheckConditions regex;
  regex.regex = re("ok");
  EXPECT_EQ(outcome_of(evaluate(regex, response(200), false, kNow)), 0u);
  EXPECT_EQ(outcome_name(outcome_of(evaluate(regex, response(200, "no"), false, kNow))),
            "unhealthy");
  EXPECT_EQ(outcome_name(outcome_of(evaluate(regex, response(500), false, kNow))),
            "unexpected_status");
  EXPECT_EQ(
      outcome_name(outcome_of(evaluate(regex, transport_failure(CheckError::kDns), false, kNow))),
      "dns");
}

}  // namespace
}  // namespace hc::producer
