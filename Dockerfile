# hc in a container: multi-stage, Debian bookworm packages only, non-root at runtime.
#
#   docker build -t hc .
#   docker run --rm hc --help
#   docker compose up         # Kafka (KRaft) + PostgreSQL + producer + consumer
#
# Stage 1 builds hc and packs it as a .deb (CPack, dependencies computed by dpkg-shlibdeps);
# stage 2 installs that .deb, so the runtime image gets exactly the runtime libraries.

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config dpkg-dev file \
      librdkafka-dev libpqxx-dev libpq-dev libyaml-cpp-dev libyaml-dev libre2-dev nlohmann-json3-dev \
      libcurl4-openssl-dev libssl-dev libcli11-dev libspdlog-dev libfmt-dev \
      libcpp-httplib-dev prometheus-cpp-dev libsimdjson-dev libmicrohttpd-dev zlib1g-dev libcctz-dev libc-ares-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
      -DHC_BUILD_TESTS=OFF -DHC_BUILD_BENCH=OFF \
 && cmake --build /build -j "$(nproc)" \
 && cd /build && cpack -G DEB \
 && mv /build/hc_*.deb /build/hc.deb

FROM debian:bookworm-slim AS runtime
COPY --from=build /build/hc.deb /tmp/hc.deb
# curl only serves the HEALTHCHECK below; ca-certificates lets hc check https sites; tzdata
# holds the named time zones of hc notify's silences.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      /tmp/hc.deb ca-certificates curl tzdata \
 && rm -rf /var/lib/apt/lists/* /tmp/hc.deb \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin hc
USER hc
WORKDIR /etc/hc
# /metrics and /healthz; --metrics-addr must use this port for the HEALTHCHECK to pass.
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9464/healthz || exit 1
ENTRYPOINT ["hc"]
CMD ["--producer", "-c", "/etc/hc/config.yaml", "--metrics-addr", "0.0.0.0:9464", "--log-format", "json"]
