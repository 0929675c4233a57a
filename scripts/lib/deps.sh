# shellcheck shell=bash
# Sourced by scripts/test and scripts/demo: installs hc's Debian 12 packages when missing.
# A machine that has them all spends one `dpkg-query` on it and touches no network.

# Build, test and demo dependencies; every one is a Debian bookworm package.
HC_DEBIAN_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  librdkafka-dev libpqxx-dev libpq-dev libyaml-cpp-dev libre2-dev nlohmann-json3-dev
  libcurl4-openssl-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
  libspdlog-dev libfmt-dev libcpp-httplib-dev prometheus-cpp-dev libsimdjson-dev
  postgresql-15 kcat wrk nginx-light iproute2 util-linux clang-format git
)

# Prints the packages of HC_DEBIAN_PACKAGES that are not installed, one per line.
hc_missing_packages() {
  local installed package
  # One dpkg-query for all; packages it does not know at all are simply absent from its output.
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${HC_DEBIAN_PACKAGES[@]}" \
    2>/dev/null | awk '$2 == "installed" { print $1 }')
  for package in "${HC_DEBIAN_PACKAGES[@]}"; do
    grep -qxF "$package" <<<"$installed" || echo "$package"
  done
}

# Installs whatever is missing (apt-get update first), with sudo when not root.
hc_install_packages() {
  local missing
  mapfile -t missing < <(hc_missing_packages)
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
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
