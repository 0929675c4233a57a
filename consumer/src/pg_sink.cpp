#include "pg_sink.h"

#include <fmt/format.h>

#include <pqxx/pqxx>
#include <stdexcept>
#include <tuple>

#include "pg_migrations.h"
#include "pg_sql.h"
#include "pg_uri.h"

namespace hc::consumer {
namespace {

std::string staging_table(std::size_t table_index) {
  return fmt::format("hc_staging_{}", table_index);
}
// Batches that go straight to the upsert after a conflict on the fast path: replays come
// in runs (a restarted consumer re-reads up to one uncommitted batch per partition).
constexpr int kUpsertOnlyBatchesAfterConflict = 16;
constexpr const char* kUniqueViolation = "23505";

std::string upsert_statement(std::size_t table_index) {
  return fmt::format("hc_upsert_{}", table_index);
}

// One row as COPY text fields (in row_columns() order); nullptr stands for NULL.
// The strings live in this object; fields() points into them.
class CopyRow {
 public:
  explicit CopyRow(const Measurement& m)
      : digest_("\\x" + m.url_digest),
        measured_at_(format_timestamp(m.measured_at)),
        response_time_(fmt::format_int(m.response_time_us).str()),
        status_(number(m.status_code)),
        dns_(number(m.timings.dns_us)),
        connect_(number(m.timings.connect_us)),
        tls_(number(m.timings.tls_us)),
        ttfb_(number(m.timings.ttfb_us)),
        body_bytes_(fmt::format_int(m.body_bytes).str()),
        cert_(m.cert_expires_at ? format_timestamp(*m.cert_expires_at) : std::string()),
        m_(m) {}

  auto fields() const {
    auto text = [](const std::string& s) { return s.c_str(); };
    auto nullable = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    const char* regex_match = m_.regex_match ? (*m_.regex_match ? "t" : "f") : nullptr;
    return std::make_tuple(text(digest_), text(measured_at_), text(response_time_), text(m_.url),
                           nullable(status_), m_.regex ? "t" : "f", regex_match,
                           m_.error ? m_.error->c_str() : nullptr, nullable(m_.error_detail),
                           nullable(dns_), nullable(connect_), nullable(tls_), nullable(ttfb_),
                           text(body_bytes_), nullable(cert_));
  }

 private:
  template <typename Int>
  static std::string number(const std::optional<Int>& value) {
    return value ? fmt::format_int(*value).str() : std::string();
  }
  std::string digest_, measured_at_, response_time_, status_, dns_, connect_, tls_, ttfb_,
      body_bytes_, cert_;
  const Measurement& m_;
};

}  // namespace

PgSink::PgSink(std::string connection_uri, std::vector<std::string> tables)
    : uri_(std::move(connection_uri)),
      name_(redact_connection_uri(uri_)),
      tables_(std::move(tables)),
      upsert_only_batches_(tables_.size(), 0) {}

PgSink::~PgSink() = default;

pqxx::connection& PgSink::connection() {
  if (connection_) return *connection_;
  auto fresh = std::make_unique<pqxx::connection>(uri_);
  // Staging tables and prepared statements belong to the session: set up once per
  // connection, so every reconnect repeats this.
  {
    pqxx::nontransaction setup(*fresh);
    for (std::size_t i = 0; i < tables_.size(); ++i) {
      setup.exec0(create_staging_table_sql(staging_table(i)));
    }
  }
  for (std::size_t i = 0; i < tables_.size(); ++i) {
    fresh->prepare(upsert_statement(i), upsert_from_staging_sql(tables_[i], staging_table(i)));
  }
  connection_ = std::move(fresh);
  return *connection_;
}

void PgSink::migrate() {
  std::size_t current = 0;
  try {
    pqxx::connection migrating(uri_);
    for (; current < tables_.size(); ++current) migrate_table(migrating, tables_[current]);
  } catch (const std::exception& error) {
    throw std::runtime_error(fmt::format("migrating table {} in database {} failed: {}",
                                         tables_.at(current), name_, error.what()));
  }
}

void PgSink::ping() {
  try {
    pqxx::nontransaction probe(connection());
    probe.exec1("SELECT 1");
  } catch (const std::exception& error) {
    connection_.reset();
    throw std::runtime_error(fmt::format("database {}: {}", name_, error.what()));
  }
}

bool PgSink::try_copy_new_rows(pqxx::work& txn, std::size_t table, const TableRows& rows) {
  try {
    pqxx::subtransaction attempt(txn, "hc_copy_new_rows");
    pqxx::stream_to stream(attempt, quote_identifier(tables_[table]), row_columns());
    for (const auto& row : rows.rows()) stream << CopyRow(row).fields();
    stream.complete();
    attempt.commit();
    return true;
  } catch (const pqxx::sql_error& error) {
    // The savepoint is rolled back: nothing of this attempt stays in the transaction.
    if (error.sqlstate() == kUniqueViolation) return false;
    throw;
  }
}

void PgSink::upsert_rows(pqxx::work& txn, std::size_t table, const TableRows& rows) {
  pqxx::stream_to stream(txn, staging_table(table), row_columns());
  for (const auto& row : rows.rows()) stream << CopyRow(row).fields();
  stream.complete();
  txn.exec_prepared0(upsert_statement(table));
}

void PgSink::write(const std::vector<const TableRows*>& rows_per_table) {
  std::size_t current = 0;
  try {
    pqxx::connection& conn = connection();
    pqxx::work txn(conn, "hc_batch");
    for (; current < rows_per_table.size() && current < tables_.size(); ++current) {
      const TableRows* rows = rows_per_table[current];
      if (rows == nullptr || rows->empty()) continue;
      if (upsert_only_batches_[current] > 0) {
        --upsert_only_batches_[current];
        upsert_rows(txn, current, *rows);
      } else if (!try_copy_new_rows(txn, current, *rows)) {
        upsert_only_batches_[current] = kUpsertOnlyBatchesAfterConflict;
        upsert_rows(txn, current, *rows);
      }
    }
    txn.commit();
  } catch (const std::exception& error) {
    // Whatever failed (network, server restart, constraint), start the next attempt
    // from a fresh session rather than guess the state of this one.
    connection_.reset();
    throw std::runtime_error(fmt::format("writing to table {} in database {} failed: {}",
                                         tables_.at(std::min(current, tables_.size() - 1)), name_,
                                         error.what()));
  }
}

}  // namespace hc::consumer
