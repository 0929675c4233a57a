#include "report_route.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bad_request.h"

namespace hc::serve {

void add_report_route(http::Routes& routes, StatusSource& source, const Clock& clock) {
  routes.get("/api/v1/report", [&source, &clock](const http::Request& request) {
    for (const auto& [name, value] : request.query) {
      if (name != "month" && name != "format") {
        return http::Response::text(
            400, fmt::format("unknown parameter '{}': expected month and format\n", echo(name)));
      }
      if (request.query.count(name) > 1) {
        return http::Response::text(400, fmt::format("parameter '{}' given twice\n", name));
      }
    }
    const auto month_param = request.query.find("month");
    if (month_param == request.query.end()) {
      return http::Response::text(400, "month: required, e.g. ?month=2026-11\n");
    }
    auto month = parse_report_month(month_param->second);
    if (std::holds_alternative<std::string>(month)) {
      return http::Response::text(
          400, fmt::format("month: expected YYYY-MM, got '{}'\n", echo(month_param->second)));
    }
    const auto format_param = request.query.find("format");
    const std::string format =
        format_param == request.query.end() ? std::string("json") : format_param->second;
    if (format != "json" && format != "csv") {
      return http::Response::text(
          400, fmt::format("format: expected json or csv, got '{}'\n", echo(format)));
    }
    try {
      const ReportMonth& report_month = std::get<ReportMonth>(month);
      const MonthReport report = source.report(report_month, clock.wall_now());
      http::Response response;
      if (format == "csv") {
        response.content_type = "text/csv; charset=utf-8";
        response.body = render_month_report_csv(report);
        response.headers.emplace_back(
            "Content-Disposition",
            fmt::format("attachment; filename=\"hc-report-{}.csv\"", report_month.name));
      } else {
        response.content_type = "application/json; charset=utf-8";
        response.body = render_month_report_json(report);
      }
      return response;
    } catch (const std::exception& error) {
      spdlog::warn("serve: report: {}; answered 503", error.what());
      return http::Response::text(
          503,
          "status unavailable: the database could not be read (the reason is in hc serve's "
          "log)\n");
    }
  });
}

}  // namespace hc::serve
