#include <iostream>

#include "commands.h"
#include "hc/common/clock.h"
#include "hc/store/month_report.h"

namespace hc::cli {

int report(const ReportOptions& options) {
  auto month = parse_report_month(options.month);
  if (auto* error = std::get_if<std::string>(&month)) {
    std::cerr << "hc report: " << *error << "\n";
    return kExitUsage;
  }
  auto config = load_or_report(options.config_path);
  if (!config) return kExitUsage;
  if (!config->consumer) {
    std::cerr << options.config_path << ": no healthcheck-consumer-config section: no tables\n";
    return kExitUsage;
  }
  MonthReport report;
  try {
    report = read_month_report(*config->consumer, std::get<ReportMonth>(month),
                               SystemClock().wall_now());
  } catch (const MissingStatusTable& missing) {
    std::cerr << "hc report: " << missing.what() << ": run `hc migrate -c " << options.config_path
              << "` first (the consumer also migrates when it starts)\n";
    return kExitFailure;
  }
  if (options.format == "csv") {
    std::cout << render_month_report_csv(report);
  } else if (options.format == "json") {
    std::cout << render_month_report_json(report) << "\n";
  } else {
    std::cout << render_month_report_table(report);
  }
  return kExitOk;
}

}  // namespace hc::cli
