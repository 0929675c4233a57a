#include "hc/store/migrate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "hc/store/pg_connection.h"
#include "hc/store/table_spec.h"
#include "hc/store/table_writer.h"
#include "table_schema.h"

namespace hc {

void migrate_all(const ConsumerConfig& config) {
  for (const DatabaseTables& database : database_tables(config.topics)) {
    TableWriter writer(database.connection_uri, database.tables, config.session);
    writer.migrate();
    std::vector<std::string> versions;
    for (const auto& table : database.tables) {
      versions.push_back(fmt::format("{} (v{})", table.name,
                                     store::table_schema(table.kind).migrations().back().version));
    }
    spdlog::info("database {}: tables {} at their latest schema version", writer.name(),
                 fmt::join(versions, ", "));
  }
}

}  // namespace hc
