#!/usr/bin/env bash
# hc serve under hostile clients, this build against a reference binary in the same run:
# 64 connections sending one header line every 0.5 s without ever ending their head, plus one
# client sending a 32 MiB header again and again, for ATTACK_S seconds. Meanwhile a probe
# GETs /api/v1/status every 0.2 s. Prints, per binary: the probes answered and the slowest,
# and hc serve's resident memory before, at its peak and 3 s after the attack.
#
#   bench/serve/hostile.sh [BUILD_DIR] [REFERENCE_HC]
#       BUILD_DIR: default build (needs BUILD_DIR/app/hc)
#       REFERENCE_HC: another hc binary, e.g. one built from an older commit (optional)
#   env: ATTACK_S (default 8)
#
# Loopback only; python3 drives the clients.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
HC=$BUILD/app/hc
REFERENCE=${2:-}
ATTACK_S=${ATTACK_S:-8}
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
[[ -x $HC ]] || { echo "bench/serve/hostile.sh: no $HC (cmake --build $BUILD first)" >&2; exit 1; }

bench_start hostile healthcheck healthcheck
"$HC" migrate -c "$CONFIG" >/dev/null 2>&1

# attack PORT PID: the clients above; prints one result line.
attack() {
  python3 - "$1" "$2" "$ATTACK_S" <<'PY'
import socket, sys, threading, time

port, pid, attack_s = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
stop = threading.Event()

def rss_kb():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1

def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s

def drip():
    socks = [None] * 64
    n = 0
    while not stop.is_set():
        for i, s in enumerate(socks):
            try:
                if s is None:
                    s = socks[i] = connect()
                    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                else:
                    s.sendall(b"X-Slow-%d: 1\r\n" % n)
            except OSError:
                if s is not None:
                    s.close()
                socks[i] = None
        n += 1
        time.sleep(0.5)
    for s in socks:
        if s is not None:
            s.close()

def flood():
    chunk = b"f" * 65536
    while not stop.is_set():
        s = None
        try:
            s = connect()
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Flood: ")
            for _ in range(512):  # 32 MiB
                if stop.is_set():
                    break
                s.sendall(chunk)
        except OSError:
            pass
        if s is not None:
            s.close()

def probe():
    started = time.monotonic()
    try:
        s = connect()
        s.settimeout(30)
        s.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        line = s.recv(64).split(b"\r\n")[0]
        s.close()
    except OSError:
        line = b""
    return line.startswith(b"HTTP/1.1 200"), time.monotonic() - started

before = rss_kb()
peak = before
threads = [threading.Thread(target=drip), threading.Thread(target=flood)]
for t in threads:
    t.start()
answered, failed, slowest = 0, 0, 0.0
end = time.monotonic() + attack_s
while time.monotonic() < end:
    ok, took = probe()
    answered += ok
    failed += not ok
    slowest = max(slowest, took)
    peak = max(peak, rss_kb())
    time.sleep(0.2)
stop.set()
for t in threads:
    t.join()
time.sleep(3)
after = rss_kb()
print(f"probes {answered} answered, {failed} failed, slowest {slowest * 1000:.0f} ms;"
      f" RSS before {before / 1024:.1f} MB, peak {peak / 1024:.1f} MB, after {after / 1024:.1f} MB")
PY
}

for binary in "$HC" ${REFERENCE:+"$REFERENCE"}; do
  serve_start "$binary" "$CONFIG" "$WORK/serve.log"
  port=${base##*:}
  echo "$binary:"
  printf '  '
  attack "$port" "$serve_pid"
  kill "$serve_pid"
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=
done
