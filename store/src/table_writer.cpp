#include "hc/store/table_writer.h"

#include <utility>

#include "pg_writer.h"

namespace hc {

TableWriter::TableWriter(const std::string& connection_string, std::vector<TableSpec> tables,
                         const SessionSettings& session)
    : writer_(std::make_unique<store::PgWriter>(connection_string, std::move(tables), session)) {}

TableWriter::~TableWriter() = default;
TableWriter::TableWriter(TableWriter&&) noexcept = default;
TableWriter& TableWriter::operator=(TableWriter&&) noexcept = default;

const std::string& TableWriter::name() const { return writer_->name(); }
const std::vector<TableSpec>& TableWriter::tables() const { return writer_->tables(); }
void TableWriter::migrate() { writer_->migrate(); }
void TableWriter::write(const std::vector<const TableRows*>& rows_per_table, RowLane lane) {
  writer_->write(rows_per_table, lane);
}
void TableWriter::ping() { writer_->ping(); }
void TableWriter::check_table_accepts_rows(std::size_t table) {
  writer_->check_table_accepts_rows(table);
}
bool TableWriter::connected() const { return writer_->connected(); }

}  // namespace hc
