#include "check_verdict.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string_view>

namespace hc::producer {
namespace {

bool status_expected(int status, const std::vector<StatusRange>& expected) {
  if (expected.empty()) return status >= 200 && status <= 399;
  return std::any_of(expected.begin(), expected.end(), [status](const StatusRange& range) {
    return status >= range.first && status <= range.last;
  });
}

bool same_header_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

bool header_matches(const HeaderCondition& condition, const CheckResult& result) {
  return std::any_of(result.headers.begin(), result.headers.end(), [&](const auto& header) {
    return same_header_name(header.first, condition.name) &&
           condition.pattern->search(header.second);
  });
}

// Whole days left, rounded down: 47 h left is 1 day.
std::int64_t cert_days_left(WallTime expires_at, WallTime measured_at) {
  return std::chrono::floor<std::chrono::days>(expires_at - measured_at).count();
}

}  // namespace

std::size_t outcome_of(const Verdict& verdict) {
  if (verdict.error) return outcome_of(*verdict.error);
  return verdict.healthy ? 0 : kOutcomeUnhealthy;
}

Verdict evaluate(const CheckConditions& conditions, const CheckResult& result, bool https,
                 WallTime measured_at) {
  Verdict verdict;
  if (result.transport_error) {
    verdict.error = result.transport_error;
    verdict.error_detail = result.error_detail;
    return verdict;
  }
  auto fail = [&verdict](std::string name) {
    verdict.failed_conditions.push_back(std::move(name));
  };

  const bool http = conditions.type == CheckType::kHttp;
  const int status = result.status_code.value_or(0);
  if (http && !status_expected(status, conditions.expected_status)) {
    fail("status");
    verdict.error = CheckError::kUnexpectedStatus;
    verdict.error_detail = "HTTP " + std::to_string(status);
  }
  if (conditions.max_response_time_us &&
      result.response_time_us > *conditions.max_response_time_us) {
    fail("response_time");
  }
  const bool tls = conditions.type == CheckType::kTls;
  const std::optional<WallTime>& expires_at =
      tls ? result.chain_expires_at : result.cert_expires_at;
  if (conditions.min_cert_days && (https || tls) &&
      (!expires_at || cert_days_left(*expires_at, measured_at) < *conditions.min_cert_days)) {
    fail("cert_days");
  }
  if (conditions.valid_chain && tls && !result.chain_valid.value_or(false)) fail("chain");
  if (conditions.max_loss_percent && conditions.type == CheckType::kIcmp &&
      result.loss_percent.value_or(100) > *conditions.max_loss_percent) {
    fail("loss");
  }
  if (conditions.type == CheckType::kDns) {
    if (result.dns_rcode != "NOERROR") fail("rcode");
    if (!conditions.expected_answers.empty()) {
      std::vector<std::string> answers = result.dns_answers;
      std::sort(answers.begin(), answers.end());
      if (answers != conditions.expected_answers) fail("expected");
    } else if (conditions.regex) {
      verdict.regex_match =
          std::any_of(result.dns_answers.begin(), result.dns_answers.end(),
                      [&](const std::string& answer) { return conditions.regex->search(answer); });
      if (!*verdict.regex_match) fail("expected");
    }
  } else if (conditions.regex) {
    verdict.regex_match = conditions.regex->search(result.body);
    if (!*verdict.regex_match) fail(http ? "regex" : "expect");
  }
  if (conditions.regex_absent && conditions.regex_absent->search(result.body)) {
    fail("regex_absent");
  }
  for (const HeaderCondition& header : conditions.headers_match) {
    if (!header_matches(header, result)) fail("header:" + header.name);
  }
  if (conditions.min_body_bytes && result.body_bytes < *conditions.min_body_bytes) {
    fail("body_bytes");
  }
  verdict.healthy = verdict.failed_conditions.empty();
  return verdict;
}

}  // namespace hc::producer
