// Rows handed to one SQL statement as parameters: one text[] array literal per column, the
// i-th element of each the i-th row's field, as the column type's input function reads it
// (what COPY gives it), NULL for NULL. pg_sql.h's given_rows_sql() turns them back into rows.
//
// Built from the rows' COPY text lines (TableSchema::append_copy_row), so a table's one column
// list decides both the COPY and these parameters. Pure; one thread at a time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hc::store {

class ColumnArrays {
 public:
  explicit ColumnArrays(std::size_t column_count);

  // Adds one row from its COPY text line (with or without the newline).
  // REQUIRES: `line` has column_count tab-separated fields, written by the encoders of
  // hc/store/copy_text.h (backslash escapes \\ \t \n \r, and \N for NULL).
  void add_copy_line(std::string_view line);

  std::size_t row_count() const { return row_count_; }
  // The array literals, "{...}", one per column in column order.
  std::vector<std::string> literals() const;

 private:
  std::vector<std::string> elements_;  // per column: the elements so far, comma-separated
  std::size_t row_count_ = 0;
};

}  // namespace hc::store
