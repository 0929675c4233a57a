# shellcheck shell=bash disable=SC2034  # the HC_*_PACKAGES sets are read by the sourcing scripts
# Sourced by scripts/demo, scripts/test, scripts/lint, scripts/fuzz and the bench scripts:
# installs the Debian 12 packages a command needs when they are missing. A machine that has
# them all spends one `dpkg-query` on it and touches no network.
#
# Each command installs only its own set:
#   scripts/demo   HC_BUILD_PACKAGES HC_RUN_PACKAGES (+ HC_KAFKA_PACKAGES with --kafka real)
#   scripts/test   HC_BUILD_PACKAGES HC_RUN_PACKAGES HC_TEST_PACKAGES HC_LINT_PACKAGES
#                  HC_KAFKA_PACKAGES
#   scripts/fuzz   HC_BUILD_PACKAGES HC_FUZZ_PACKAGES
#   bench/*        the above plus HC_BENCH_PACKAGES (bench/peers: + HC_PEER_BENCH_PACKAGES)

# To build hc and its tools (Release, no tests, no benchmarks).
HC_BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  librdkafka-dev libpqxx-dev libpq-dev libyaml-cpp-dev libyaml-dev libre2-dev nlohmann-json3-dev
  libcurl4-openssl-dev libssl-dev libcli11-dev libspdlog-dev libfmt-dev libcpp-httplib-dev
  prometheus-cpp-dev libsimdjson-dev libmicrohttpd-dev zlib1g-dev libcctz-dev libc-ares-dev
)
# To run the local pipeline: the throwaway PostgreSQL, kcat to count messages, procps (pgrep).
HC_RUN_PACKAGES=(postgresql-15 postgresql-client-15 kcat procps util-linux)
# To build and run the test suite (iproute2: `ip` inside test network namespaces; openssl:
# the test CA and certificates of the TLS tests; chromium: the status page in a headless
# browser, label `browser`; systemd: systemd-analyze checks the units in packaging/;
# python3-aiosmtpd: the SMTP receiver of the email channel's test, run with
# /usr/bin/python3; tzdata: the named time zones of silences; dnsmasq-base: the local DNS
# server of the dns checks' tests).
HC_TEST_PACKAGES=(libgtest-dev libgmock-dev iproute2 git openssl chromium systemd
  python3-aiosmtpd tzdata dnsmasq-base)
# To run a real Apache Kafka (scripts/kafka: tests of label `kafka`, `./scripts/demo --kafka
# real`, the benchmarks' BROKER=real): a JRE for the broker, Maven to fetch its jars from Maven
# Central into a cache, openssl for its certificates.
HC_KAFKA_PACKAGES=(openjdk-17-jre-headless maven openssl)
# To check formatting and lint (scripts/lint, run by scripts/test).
HC_LINT_PACKAGES=(clang-format clang-tidy shellcheck)
# To build and run the libFuzzer targets (scripts/fuzz). libclang-rt-14-dev holds the
# sanitizer and libFuzzer runtimes: clang only recommends it, and we install without
# recommends.
HC_FUZZ_PACKAGES=(clang libfuzzer-14-dev libclang-rt-14-dev)
# Only the benchmarks: their references (wrk against nginx) and Google Benchmark.
HC_BENCH_PACKAGES=(libbenchmark-dev wrk nginx-light)
# Only bench/peers: the peers hc is compared with (blackbox_exporter; a Python producer and
# consumer on aiohttp, confluent_kafka and psycopg2).
HC_PEER_BENCH_PACKAGES=(prometheus-blackbox-exporter python3-aiohttp python3-confluent-kafka
  python3-psycopg2)

# Every package any command may install (the default of hc_missing_packages).
HC_DEBIAN_PACKAGES=("${HC_BUILD_PACKAGES[@]}" "${HC_RUN_PACKAGES[@]}" "${HC_TEST_PACKAGES[@]}"
  "${HC_KAFKA_PACKAGES[@]}" "${HC_LINT_PACKAGES[@]}" "${HC_FUZZ_PACKAGES[@]}" "${HC_BENCH_PACKAGES[@]}" "${HC_PEER_BENCH_PACKAGES[@]}")

# hc_missing_packages [PACKAGE...]: prints those of the named packages (default:
# HC_DEBIAN_PACKAGES) that are not installed, one per line, in the order given. A package
# dpkg has never heard of counts as missing.
# Safe under `set -euo pipefail`: dpkg-query exits 1 when any named package is unknown to it,
# which must not end the caller (or the process substitution it reads from).
hc_missing_packages() {
  local installed package
  if [[ $# -eq 0 ]]; then set -- "${HC_DEBIAN_PACKAGES[@]}"; fi
  installed=$({ dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null || true; } |
    awk '$2 == "installed" { print $1 }')
  for package in "$@"; do
    grep -qxF -- "$package" <<<"$installed" || echo "$package"
  done
}

# hc_install_packages PACKAGE...: installs whichever of them are missing (apt-get update
# first), with sudo when not root. Returns non-zero when it cannot install them.
hc_install_packages() {
  local missing
  missing=$(hc_missing_packages "$@")
  if [[ -z $missing ]]; then
    return 0
  fi
  mapfile -t missing <<<"$missing"
  echo "Installing missing Debian packages: ${missing[*]}" >&2
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || {
      echo "need root or sudo to install: ${missing[*]}" >&2
      return 1
    }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
}
