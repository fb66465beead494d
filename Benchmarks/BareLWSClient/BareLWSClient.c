// See include/BareLWSClient.h. Everything runs on the caller's thread; lws is used as its examples use it.
#include "BareLWSClient.h"

#include <libwebsockets.h>
#include <string.h>
#include <time.h>

struct bare_state {
    uint64_t target;
    uint64_t frames;
    uint64_t bytes;
    uint64_t last_ns;
    const char *const *subscribe;
    int subscribe_count;
    int sent;
    int done;
    int failed;
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int bare_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    (void)user;
    (void)in;
    struct bare_state *s = (struct bare_state *)lws_context_user(lws_get_context(wsi));
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (s->subscribe_count > 0) lws_callback_on_writable(wsi);
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (s->sent < s->subscribe_count) {
            unsigned char buffer[LWS_PRE + 4096];
            size_t n = strlen(s->subscribe[s->sent]);
            if (n > 4096) return -1;
            memcpy(buffer + LWS_PRE, s->subscribe[s->sent], n);
            if (lws_write(wsi, buffer + LWS_PRE, n, LWS_WRITE_TEXT) < (int)n) return -1;
            if (++s->sent < s->subscribe_count) lws_callback_on_writable(wsi);
        }
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        s->bytes += len;
        if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
            if (++s->frames >= s->target) {
                s->last_ns = now_ns();
                s->done = 1;
                return -1;  // enough: close
            }
        }
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        s->failed = 1;
        s->done = 1;
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        s->done = 1;
        break;
    default:
        break;
    }
    return 0;
}

int bare_lws_receive(const char *host, int port, const char *path, const char *const *subscribe, int subscribe_count,
                     uint64_t frames, int timeout_ms, int deflate, bare_lws_result *result) {
    static const struct lws_extension extensions[] = {
        {"permessage-deflate", lws_extension_callback_pm_deflate, "permessage-deflate; client_max_window_bits"},
        {NULL, NULL, NULL},
    };
    struct lws_protocols protocols[2];
    memset(protocols, 0, sizeof protocols);
    protocols[0].name = "bare";
    protocols[0].callback = bare_callback;
    protocols[0].rx_buffer_size = 65536;  // as HFTWebSocket's protocol

    struct bare_state state;
    memset(&state, 0, sizeof state);
    state.target = frames;
    state.subscribe = subscribe;
    state.subscribe_count = subscribe_count;

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.user = &state;
    if (deflate) info.extensions = extensions;
    struct lws_context *context = lws_create_context(&info);
    if (!context) return -1;

    struct lws_client_connect_info connect;
    memset(&connect, 0, sizeof connect);
    connect.context = context;
    connect.address = host;
    connect.port = port;
    connect.path = path;
    connect.host = host;
    connect.origin = host;
    connect.local_protocol_name = "bare";
    connect.ietf_version_or_minus_one = -1;

    uint64_t start = now_ns();
    uint64_t deadline = start + (uint64_t)timeout_ms * 1000000u;
    int status = 0;
    if (!lws_client_connect_via_info(&connect)) {
        status = -2;
    } else {
        while (!state.done && now_ns() < deadline) {
            if (lws_service(context, 0) < 0) break;
        }
        if (state.frames >= frames) status = 0;
        else if (state.failed || state.done) status = -2;
        else status = -3;
    }
    if (result) {
        result->frames = state.frames;
        result->bytes = state.bytes;
        result->elapsed_ns = (state.last_ns ? state.last_ns : now_ns()) - start;
    }
    lws_context_destroy(context);
    return status;
}
