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

#endif
