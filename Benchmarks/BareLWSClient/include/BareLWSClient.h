// A bare libwebsockets client in C, the baseline of the wire-to-observer benchmark (Benchmarks/StreamBenchmarks):
// it receives WebSocket messages and only counts them and their bytes (no parsing, no queues, no threads).
#ifndef BARE_LWS_CLIENT_H
#define BARE_LWS_CLIENT_H

#include <stdint.h>

/// What one run received.
typedef struct bare_lws_result {
    uint64_t frames;       ///< complete messages (final fragments)
    uint64_t bytes;        ///< payload bytes
    uint64_t elapsed_ns;   ///< from the connect call to the last counted message (or the end)
} bare_lws_result;

/// Connects to ws://host:port/path on the calling thread with its own lws context (client role, one service
/// loop), sends the `subscribe_count` text messages of `subscribe` once open, and counts received messages until
/// `frames` arrived or `timeout_ms` passed; then closes and destroys the context. With `deflate` the handshake
/// offers permessage-deflate.
/// Returns 0 when `frames` messages arrived, -1 when the context could not be made, -2 when the connection failed
/// or closed early, -3 on timeout.
int bare_lws_receive(const char *host, int port, const char *path, const char *const *subscribe, int subscribe_count,
                     uint64_t frames, int timeout_ms, int deflate, bare_lws_result *result);

#endif
