// What Swift cannot import from libwebsockets.h: function-like macros, wrapped as static inline functions.
#ifndef HFT_CLIBWEBSOCKETS_SHIM_H
#define HFT_CLIBWEBSOCKETS_SHIM_H

#include <libwebsockets.h>

/// Bytes of headroom lws needs in front of every payload handed to lws_write() (the LWS_PRE macro).
static inline size_t hft_lws_pre(void) { return LWS_PRE; }

/// LWS_SERVER_OPTION_* values as the unsigned type of `lws_context_creation_info.options`
/// (Swift imports the macros as Int64).
static inline uint64_t hft_lws_option_do_ssl_global_init(void) { return LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT; }
static inline uint64_t hft_lws_option_validate_utf8(void) { return LWS_SERVER_OPTION_VALIDATE_UTF8; }

/// The port value that makes a context client-only (the CONTEXT_PORT_NO_LISTEN macro).
static inline int hft_lws_context_port_no_listen(void) { return CONTEXT_PORT_NO_LISTEN; }

static inline uint64_t hft_lws_option_explicit_vhosts(void) { return LWS_SERVER_OPTION_EXPLICIT_VHOSTS; }

/// A libwebsockets timer (sorted-usec-list entry) that calls `fire(user)` on the service thread.
typedef struct hft_timer {
    lws_sorted_usec_list_t sul;
    void *user;
    void (*fire)(void *user);
} hft_timer;

static inline void hft_timer_callback(lws_sorted_usec_list_t *sul) {
    hft_timer *t = lws_container_of(sul, hft_timer, sul);
    t->fire(t->user);
}

/// Schedules (or reschedules) `timer` to fire `microseconds` from now. Service thread only.
static inline void hft_timer_schedule(struct lws_context *context, hft_timer *timer, int64_t microseconds) {
    lws_sul_schedule(context, 0, &timer->sul, hft_timer_callback, microseconds);
}

static inline void hft_timer_cancel(struct lws_context *context, hft_timer *timer) {
    lws_sul_schedule(context, 0, &timer->sul, hft_timer_callback, LWS_SET_TIMER_USEC_CANCEL);
}

/// HTTP client role: lets lws read the next part of a response body (it then calls RECEIVE_CLIENT_HTTP_READ).
static inline int hft_http_client_read(struct lws *wsi) {
    char buffer[4096 + LWS_PRE];
    char *p = buffer + LWS_PRE;
    int n = (int)sizeof(buffer) - LWS_PRE;
    return lws_http_client_read(wsi, &p, &n);
}

/// HTTP server role: writes the status line and headers of a response with a body of `length` bytes.
/// Returns nonzero on failure.
static inline int hft_http_write_headers(struct lws *wsi, unsigned int status, const char *content_type, size_t length) {
    unsigned char buffer[LWS_PRE + 1024];
    unsigned char *start = buffer + LWS_PRE, *p = start, *end = buffer + sizeof(buffer) - 1;
    if (lws_add_http_common_headers(wsi, status, content_type, (lws_filepos_t)length, &p, end)) return 1;
    if (lws_finalize_write_http_header(wsi, start, &p, end)) return 1;
    return 0;
}

#endif
