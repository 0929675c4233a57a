// hc-bench-curl-floor: what libcurl alone costs for hc's checks. Runs N GETs of one URL, each
// on a new TCP connection, through curl multi handles driven the way hc drives them (epoll +
// curl_multi_socket_action, one multi handle per thread), with the options HttpChecker sets and
// the timings it reads, and nothing else: no verdict, no message, no Kafka. Prints the
// process's CPU per transfer (user + system, all threads) and transfers/s, which
// bench/producer/run.sh puts beside hc's CPU per check and wrk's per request.
//
//   hc-bench-curl-floor --url http://127.0.0.1:PORT/ [--transfers N] [--concurrency C]
//                       [--threads T] [--options per-transfer|once]
//     --concurrency: transfers in flight over all threads (hc's max_in_flight, 500)
//     --threads: multi handles, each on its own thread (hc's check_threads: one per CPU)
//     --options per-transfer: every option HttpChecker::configure_hop sets is set again before
//       each transfer, as hc does; once: only when the easy handle is made
//
// Exits 1 when a transfer fails or answers other than 200 (the floor of a failing page means
// nothing). Loopback URLs only (the benchmarks' rule).
#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Multi = std::unique_ptr<CURLM, MultiDeleter>;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  }
  ~Fd() { ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

template <typename Option, typename Value>
void set_option(CURL* easy, Option option, Value value) {
  if (CURLcode code = curl_easy_setopt(easy, option, value); code != CURLE_OK) {
    throw std::runtime_error(std::string("curl_easy_setopt: ") + curl_easy_strerror(code));
  }
}

std::size_t count_body(char*, std::size_t size, std::size_t count, void* bytes) {
  *static_cast<std::int64_t*>(bytes) += static_cast<std::int64_t>(size * count);
  return size * count;
}
std::size_t skip_header(char*, std::size_t size, std::size_t count, void*) { return size * count; }
curl_socket_t open_socket(void*, curlsocktype, curl_sockaddr* address) {
  return ::socket(address->family, address->socktype, address->protocol);
}

struct Transfer {
  Easy easy;
  std::int64_t body_bytes = 0;
  std::array<char, CURL_ERROR_SIZE> error{};
};

struct Totals {
  std::atomic<std::int64_t> done{0};
  std::atomic<std::int64_t> failed{0};
  std::atomic<std::int64_t> timing_sum_us{0};  // read as hc reads them, summed so none is dead
};

// One multi handle on epoll, as producer/src/curl_multi_loop.cpp drives it.
class FloorLoop {
 public:
  FloorLoop(std::string url, std::int64_t transfers, std::size_t concurrency, bool options_once,
            Totals& totals)
      : url_(std::move(url)),
        left_to_start_(transfers),
        concurrency_(concurrency),
        options_once_(options_once),
        totals_(totals),
        epoll_(epoll_create1(EPOLL_CLOEXEC)),
        multi_(curl_multi_init()) {
    if (!multi_) throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETFUNCTION, &FloorLoop::on_socket);
    curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETDATA, static_cast<void*>(this));
    curl_multi_setopt(multi_.get(), CURLMOPT_TIMERFUNCTION, &FloorLoop::on_timer);
    curl_multi_setopt(multi_.get(), CURLMOPT_TIMERDATA, static_cast<void*>(this));
  }
  FloorLoop(const FloorLoop&) = delete;
  FloorLoop& operator=(const FloorLoop&) = delete;

  void run() {
    for (std::size_t i = 0; i < concurrency_ && left_to_start_ > 0; ++i) {
      transfers_.push_back(make_transfer());
      start(*transfers_.back());
    }
    std::array<epoll_event, 256> events{};
    while (in_flight_ > 0) {
      const int ready =
          epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), wait_ms());
      int running = 0;
      for (int i = 0; i < ready; ++i) {
        const epoll_event& event = events[static_cast<std::size_t>(i)];
        int action = 0;
        if ((event.events & (EPOLLIN | EPOLLHUP)) != 0) action |= CURL_CSELECT_IN;
        if ((event.events & EPOLLOUT) != 0) action |= CURL_CSELECT_OUT;
        if ((event.events & EPOLLERR) != 0) action |= CURL_CSELECT_ERR;
        curl_multi_socket_action(multi_.get(), event.data.fd, action, &running);
      }
      if (timeout_at_ && *timeout_at_ <= Clock::now()) {
        curl_multi_socket_action(multi_.get(), CURL_SOCKET_TIMEOUT, 0, &running);
      }
      finish_done();
    }
  }

 private:
  std::unique_ptr<Transfer> make_transfer() {
    auto transfer = std::make_unique<Transfer>();
    transfer->easy.reset(curl_easy_init());
    if (!transfer->easy) throw std::runtime_error("curl_easy_init failed");
    CURL* easy = transfer->easy.get();
    // HttpChecker::take_idle_transfer's options.
    set_option(easy, CURLOPT_PRIVATE, static_cast<void*>(transfer.get()));
    set_option(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    set_option(easy, CURLOPT_FOLLOWLOCATION, 0L);
    set_option(easy, CURLOPT_NOSIGNAL, 1L);
    set_option(easy, CURLOPT_USERAGENT, "hc-healthcheck/0.1");
    set_option(easy, CURLOPT_ERRORBUFFER, transfer->error.data());
    set_option(easy, CURLOPT_WRITEFUNCTION, &count_body);
    set_option(easy, CURLOPT_WRITEDATA, static_cast<void*>(&transfer->body_bytes));
    set_option(easy, CURLOPT_HEADERFUNCTION, &skip_header);
    set_option(easy, CURLOPT_OPENSOCKETFUNCTION, &open_socket);
    set_option(easy, CURLOPT_DNS_CACHE_TIMEOUT, 60L);
    set_option(easy, CURLOPT_FRESH_CONNECT, 1L);
    set_option(easy, CURLOPT_FORBID_REUSE, 1L);
    set_option(easy, CURLOPT_SSL_SESSIONID_CACHE, 0L);
    set_per_transfer_options(easy);
    return transfer;
  }

  // HttpChecker::configure_hop's options for a plain GET without headers, auth or TLS.
  void set_per_transfer_options(CURL* easy) const {
    set_option(easy, CURLOPT_URL, url_.c_str());
    set_option(easy, CURLOPT_TIMEOUT_MS, 5000L);
    set_option(easy, CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_WHATEVER));
    set_option(easy, CURLOPT_PROXY, "");
    set_option(easy, CURLOPT_NOPROXY, "");
    set_option(easy, CURLOPT_USERNAME, static_cast<const char*>(nullptr));
    set_option(easy, CURLOPT_PASSWORD, static_cast<const char*>(nullptr));
    set_option(easy, CURLOPT_HTTPGET, 1L);
    set_option(easy, CURLOPT_CUSTOMREQUEST, static_cast<const char*>(nullptr));
    set_option(easy, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
    set_option(easy, CURLOPT_CERTINFO, 0L);
  }

  void start(Transfer& transfer) {
    --left_to_start_;
    transfer.body_bytes = 0;
    if (curl_multi_add_handle(multi_.get(), transfer.easy.get()) != CURLM_OK) {
      throw std::runtime_error("curl_multi_add_handle failed");
    }
    ++in_flight_;
  }

  void finish_done() {
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      const CURLcode code = message->data.result;
      CURL* easy = message->easy_handle;
      void* owner = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &owner);
      Transfer& transfer = *static_cast<Transfer*>(owner);
      // The timings and facts HttpChecker::finish reads.
      std::int64_t sum = 0;
      for (CURLINFO what :
           {CURLINFO_NAMELOOKUP_TIME_T, CURLINFO_CONNECT_TIME_T, CURLINFO_APPCONNECT_TIME_T,
            CURLINFO_STARTTRANSFER_TIME_T, CURLINFO_TOTAL_TIME_T}) {
        curl_off_t value = 0;
        curl_easy_getinfo(easy, what, &value);
        sum += value;
      }
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      const char* address = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &address);
      curl_multi_remove_handle(multi_.get(), easy);
      --in_flight_;
      totals_.done.fetch_add(1, std::memory_order_relaxed);
      totals_.timing_sum_us.fetch_add(sum, std::memory_order_relaxed);
      if (code != CURLE_OK || status != 200) {
        if (totals_.failed.fetch_add(1, std::memory_order_relaxed) == 0) {
          std::fprintf(stderr, "curl-floor: a transfer failed: %s (status %ld)\n",
                       transfer.error[0] != '\0' ? transfer.error.data() : curl_easy_strerror(code),
                       status);
        }
      }
      if (left_to_start_ > 0) {
        transfer.error[0] = '\0';
        if (!options_once_) set_per_transfer_options(transfer.easy.get());
        start(transfer);
      }
    }
  }

  int wait_ms() const {
    if (!timeout_at_) return 100;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*timeout_at_ - Clock::now());
    return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 100));
  }

  static int on_socket(CURL*, curl_socket_t socket, int what, void* self, void* watched) {
    auto& loop = *static_cast<FloorLoop*>(self);
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(loop.epoll_.get(), EPOLL_CTL_DEL, socket, nullptr);
      return 0;
    }
    epoll_event event{};
    event.events =
        ((what & CURL_POLL_IN) != 0 ? EPOLLIN : 0U) | ((what & CURL_POLL_OUT) != 0 ? EPOLLOUT : 0U);
    event.data.fd = socket;
    int result = epoll_ctl(loop.epoll_.get(), watched != nullptr ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
                           socket, &event);
    if (result != 0 && errno == EEXIST) {
      result = epoll_ctl(loop.epoll_.get(), EPOLL_CTL_MOD, socket, &event);
    } else if (result != 0 && errno == ENOENT) {
      result = epoll_ctl(loop.epoll_.get(), EPOLL_CTL_ADD, socket, &event);
    }
    if (result != 0) throw std::system_error(errno, std::generic_category(), "epoll_ctl");
    if (watched == nullptr) curl_multi_assign(loop.multi_.get(), socket, &loop);
    return 0;
  }

  static int on_timer(CURLM*, long timeout_ms, void* self) {
    auto& loop = *static_cast<FloorLoop*>(self);
    if (timeout_ms < 0) {
      loop.timeout_at_.reset();
    } else {
      loop.timeout_at_ = Clock::now() + std::chrono::milliseconds(timeout_ms);
    }
    return 0;
  }

  std::string url_;
  std::int64_t left_to_start_;
  std::size_t concurrency_;
  bool options_once_;
  Totals& totals_;
  std::int64_t in_flight_ = 0;
  std::optional<Clock::time_point> timeout_at_;
  Fd epoll_;
  // Destroyed after the multi handle, which has none of them in it by then (run() ends when
  // none is in flight).
  std::vector<std::unique_ptr<Transfer>> transfers_;
  Multi multi_;  // after epoll_: destroyed first, while its socket callbacks can still run
};

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"libcurl's CPU per fresh-connection GET, as hc makes its checks"};
  std::string url;
  std::int64_t transfers = 200000;
  std::size_t concurrency = 500;
  std::size_t threads = 2;
  std::string options = "per-transfer";
  app.add_option("--url", url, "the page (loopback)")->required();
  app.add_option("--transfers", transfers, "GETs in all")->check(CLI::PositiveNumber);
  app.add_option("--concurrency", concurrency, "in flight, over all threads")
      ->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "multi handles, one thread each")
      ->check(CLI::PositiveNumber);
  app.add_option("--options", options, "per-transfer (as hc) or once")
      ->check(CLI::IsMember({"per-transfer", "once"}));
  CLI11_PARSE(app, argc, argv);

  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::fprintf(stderr, "curl-floor: curl_global_init failed\n");
    return 1;
  }
  Totals totals;
  const double cpu_before = cpu_seconds();
  const Clock::time_point began = Clock::now();
  {
    std::vector<std::unique_ptr<FloorLoop>> loops;
    for (std::size_t i = 0; i < threads; ++i) {
      const auto share = static_cast<std::int64_t>(transfers / static_cast<std::int64_t>(threads));
      loops.push_back(std::make_unique<FloorLoop>(
          url, share, std::max<std::size_t>(1, concurrency / threads), options == "once", totals));
    }
    std::vector<std::jthread> running;
    running.reserve(loops.size());
    for (auto& loop : loops) {
      running.emplace_back([&loop, &totals] {
        try {
          loop->run();
        } catch (const std::exception& error) {  // the run is void: say so and fail it
          std::fprintf(stderr, "curl-floor: a loop stopped: %s\n", error.what());
          totals.failed.fetch_add(1, std::memory_order_relaxed);
        }
      });
    }
  }
  const double wall = std::chrono::duration<double>(Clock::now() - began).count();
  const double cpu = cpu_seconds() - cpu_before;
  const std::int64_t done = totals.done.load();
  curl_global_cleanup();
  std::printf(
      "transfers %lld\nfailed %lld\nseconds %.3f\ntransfers_per_second %.0f\n"
      "cpu_seconds %.3f\ncpu_us_per_transfer %.1f\n",
      static_cast<long long>(done), static_cast<long long>(totals.failed.load()), wall,
      static_cast<double>(done) / wall, cpu, cpu / static_cast<double>(done) * 1e6);
  return totals.failed.load() == 0 ? 0 : 1;
}
