#include "column_arrays.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace hc::store {
namespace {

// COPY's escapes are undone and array input's applied: each element is the text the column's
// input function would have got from COPY; \N is NULL, the text "NULL" stays quoted.
TEST(ColumnArrays, EachColumnIsOneArrayOfItsRowsFieldsAsCopyReadsThem) {
  ColumnArrays arrays(3);
  arrays.add_copy_line("\\\\x0a1b\ta\\tb\\nc\\\\d \"q\"\t\\N\n");
  arrays.add_copy_line("\\\\x2c3d\tNULL\t{\"x,y\",\"\\\\\\\\\"}");
  EXPECT_EQ(arrays.row_count(), 2u);
  EXPECT_EQ(arrays.literals(),
            (std::vector<std::string>{"{\"\\\\x0a1b\",\"\\\\x2c3d\"}",
                                      "{\"a\tb\nc\\\\d \\\"q\\\"\",\"NULL\"}",
                                      "{NULL,\"{\\\"x,y\\\",\\\"\\\\\\\\\\\"}\"}"}));
}

TEST(ColumnArrays, NoRowsAreEmptyArrays) {
  EXPECT_EQ(ColumnArrays(2).literals(), (std::vector<std::string>{"{}", "{}"}));
}

TEST(ColumnArrays, ALineOfTheWrongWidthIsRefused) {
  ColumnArrays arrays(2);
  EXPECT_THROW(arrays.add_copy_line("a"), std::logic_error);
  EXPECT_THROW(arrays.add_copy_line("a\tb\tc"), std::logic_error);
}

}  // namespace
}  // namespace hc::store
