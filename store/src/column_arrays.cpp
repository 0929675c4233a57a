#include "column_arrays.h"

#include <stdexcept>

namespace hc::store {
namespace {

// The character a COPY text backslash escape stands for (copy_text.h writes \\ \t \n \r;
// COPY also reads \b \f \v, and any other escaped character as itself).
char unescaped(char escape) {
  switch (escape) {
    case 't':
      return '\t';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'v':
      return '\v';
    default:
      return escape;
  }
}

// Appends one COPY text field as an array element: NULL for \N, else the field's text
// double-quoted, with '"' and '\' backslash-escaped as array input reads them.
void append_element(std::string& out, std::string_view field) {
  if (field == "\\N") {
    out.append("NULL");
    return;
  }
  out.push_back('"');
  for (std::size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    if (c == '\\' && i + 1 < field.size()) c = unescaped(field[++i]);
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

ColumnArrays::ColumnArrays(std::size_t column_count) : elements_(column_count) {}

void ColumnArrays::add_copy_line(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  std::size_t column = 0;
  while (true) {
    const std::size_t tab = line.find('\t');
    if (column >= elements_.size())
      throw std::logic_error("COPY line has more fields than columns");
    std::string& out = elements_[column];
    if (row_count_ > 0) out.push_back(',');
    append_element(out, line.substr(0, tab));
    ++column;
    if (tab == std::string_view::npos) break;
    line.remove_prefix(tab + 1);
  }
  if (column != elements_.size()) throw std::logic_error("COPY line has fewer fields than columns");
  ++row_count_;
}

std::vector<std::string> ColumnArrays::literals() const {
  std::vector<std::string> result;
  result.reserve(elements_.size());
  for (const std::string& elements : elements_) result.push_back("{" + elements + "}");
  return result;
}

}  // namespace hc::store
