// The listening socket of an http::Server, bound and listening before the server starts.
#pragma once

#include "hc/common/http_server.h"

namespace hc::http {

// A non-blocking TCP socket bound to `where` with SO_REUSEADDR (a restart may bind at once
// while old connections linger in TIME_WAIT) and without SO_REUSEPORT (which would let a
// second process bind the same port silently and split the requests). The caller owns the
// descriptor. Throws ListenError with the system's reason.
int open_listen_socket(const HostPort& where);

// The port `fd` is bound to.
int bound_port(int fd);

}  // namespace hc::http
