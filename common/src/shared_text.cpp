#include "hc/common/shared_text.h"

#include <atomic>
#include <ostream>

namespace hc {

struct SharedText::Block {
  explicit Block(std::string value) : text(std::move(value)) {}
  std::atomic<std::size_t> refs{1};
  std::string text;  // never changed once made: the handles share it across threads
};

namespace {
const std::string& empty_text() {
  static const std::string empty;
  return empty;
}
}  // namespace

SharedText::SharedText(std::string text)
    : block_(text.empty() ? nullptr : new Block(std::move(text))) {}

SharedText::SharedText(const SharedText& other) noexcept : block_(other.block_) {
  if (block_ != nullptr) block_->refs.fetch_add(1, std::memory_order_relaxed);
}

SharedText& SharedText::operator=(const SharedText& other) noexcept {
  if (block_ != other.block_) {
    SharedText copy(other);
    std::swap(block_, copy.block_);
  }
  return *this;
}

SharedText& SharedText::operator=(SharedText&& other) noexcept {
  if (this != &other) {
    SharedText taken(std::move(other));
    std::swap(block_, taken.block_);
  }
  return *this;
}

SharedText::~SharedText() {
  if (block_ != nullptr && block_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    delete block_;
  }
}

const std::string& SharedText::str() const {
  return block_ == nullptr ? empty_text() : block_->text;
}

std::size_t SharedText::use_count() const {
  return block_ == nullptr ? 0 : block_->refs.load(std::memory_order_relaxed);
}

std::ostream& operator<<(std::ostream& out, const SharedText& text) { return out << text.view(); }

SharedText TextPool::intern(const SharedText& text) {
  if (text.empty()) return {};
  return *texts_.insert(text).first;
}

void TextPool::prune() {
  std::erase_if(texts_, [](const SharedText& text) { return text.use_count() == 1; });
}

}  // namespace hc
