#define _GNU_SOURCE
#include "CCommandBaseline.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define TOPIC 64

static int64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/// topic padded to 64 bytes + the JSON envelope; returns the frame length. The command id (kept by the sender to
/// match the reply) goes to `id` (64 bytes).
static int frame(char *out, size_t cap, char *id, const char *sender, const char *target, const char *type, long counter,
                 const char *payload) {
    int64_t us = now_ns(CLOCK_REALTIME) / 1000;
    snprintf(id, 64, "%s_%lld_%ld", sender, (long long)us, counter);
    int n = snprintf(out, TOPIC + 1, "%s.%s", target, type);
    memset(out + n, ' ', TOPIC - n);
    n = snprintf(out + TOPIC, cap - TOPIC,
                 "{\"command_id\":\"%s\",\"sender_id\":\"%s\",\"target_id\":\"%s\",\"command_type\":\"%s\","
                 "\"timestamp\":%lld,\"payload\":%s}",
                 id, sender, target, type, (long long)us, payload);
    return TOPIC + n;
}

/// The minimal scan any C implementation needs to dispatch a command and answer it: the string value of the
/// top-level member `key` (`"key":"…"`, no escapes, as senders of this pattern write it). Returns its start and
/// stores its length, or NULL.
static const char *field(const char *json, size_t size, const char *key, size_t key_size, size_t *length) {
    const char *k = memmem(json, size, key, key_size);
    if (!k) return NULL;
    const char *start = k + key_size;
    const char *end = memchr(start, '"', size - (start - json));
    if (!end) return NULL;
    *length = end - start;
    return start;
}
#define FIELD(json, size, key, length) field(json, size, "\"" key "\":\"", sizeof key + 3, length)

static int equals(const char *s, size_t n, const char *literal) { return n == strlen(literal) && memcmp(s, literal, n) == 0; }

typedef struct {
    void *sub;
    void *pub;
} peer_b;

static void *run_b(void *arg) {
    peer_b *b = arg;
    char reply[512], payload[160], id[96], reply_id[64];
    long counter = 0;
    for (;;) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, b->sub, 0) < 0) { zmq_msg_close(&msg); break; }
        const char *data = zmq_msg_data(&msg);
        size_t size = zmq_msg_size(&msg);
        if (size > TOPIC && memcmp(data, "cb.stop", 7) == 0) { zmq_msg_close(&msg); break; }
        // Dispatch on the envelope's command_type (the topic only narrows delivery), answer with its command_id.
        size_t type_length = 0, id_length = 0;
        const char *type = size > TOPIC ? FIELD(data + TOPIC, size - TOPIC, "command_type", &type_length) : NULL;
        const char *start = type ? FIELD(data + TOPIC, size - TOPIC, "command_id", &id_length) : NULL;
        if (start && equals(type, type_length, "bench_ping")) {
            if (id_length < sizeof id) {
                memcpy(id, start, id_length);
                id[id_length] = 0;
                snprintf(payload, sizeof payload, "{\"in_reply_to\":\"%s\"}", id);
                int n = frame(reply, sizeof reply, reply_id, "cb", "ca", "bench_pong", ++counter, payload);
                zmq_send(b->pub, reply, n, 0);
            }
        }
        zmq_msg_close(&msg);
    }
    return NULL;
}

static int fail(const char *what) {
    fprintf(stderr, "ccommand: %s: %s\n", what, zmq_strerror(zmq_errno()));
    return -1;
}

int ccommand_round_trips(const char *dir, int count, int64_t *latencies_ns) {
    char ea[256], eb[256];
    snprintf(ea, sizeof ea, "ipc://%s/ca.ipc", dir);
    snprintf(eb, sizeof eb, "ipc://%s/cb.ipc", dir);
    // One context per peer, as two processes (and two IPCCommandSystems) have: each with its own I/O thread.
    void *actx = zmq_ctx_new(), *bctx = zmq_ctx_new();
    void *apub = zmq_socket(actx, ZMQ_PUB), *bpub = zmq_socket(bctx, ZMQ_PUB);
    void *asub = zmq_socket(actx, ZMQ_SUB), *bsub = zmq_socket(bctx, ZMQ_SUB);
    int zero = 0, timeout = 10;
    void *all[] = {apub, bpub, asub, bsub};
    for (int i = 0; i < 4; i++) {
        zmq_setsockopt(all[i], ZMQ_LINGER, &zero, sizeof zero);
        zmq_setsockopt(all[i], ZMQ_SNDHWM, &zero, sizeof zero);
        zmq_setsockopt(all[i], ZMQ_RCVHWM, &zero, sizeof zero);
    }
    if (zmq_bind(apub, ea) || zmq_bind(bpub, eb)) return fail("bind");
    zmq_setsockopt(asub, ZMQ_SUBSCRIBE, "ca.", 3);
    zmq_setsockopt(bsub, ZMQ_SUBSCRIBE, "cb.", 3);
    if (zmq_connect(asub, eb) || zmq_connect(bsub, ea)) return fail("connect");
    peer_b b = {bsub, bpub};
    pthread_t thread;
    pthread_create(&thread, NULL, run_b, &b);

    char out[512], in[512], sent_id[64];
    long counter = 0;
    // Warm-up: ping until a pong arrives (both subscriptions are then live).
    zmq_setsockopt(asub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    int live = 0;
    for (int i = 0; i < 1000 && !live; i++) {
        int n = frame(out, sizeof out, sent_id, "ca", "cb", "bench_ping", ++counter, "{\"time\":0}");
        zmq_send(apub, out, n, 0);
        live = zmq_recv(asub, in, sizeof in, 0) > 0;
    }
    while (zmq_recv(asub, in, sizeof in, 0) > 0) {}  // drain late pongs of the warm-up
    int never = -1;
    zmq_setsockopt(asub, ZMQ_RCVTIMEO, &never, sizeof never);
    int status = live ? 0 : -1;
    for (int i = 0; i < count && status == 0; i++) {
        int64_t start = now_ns(CLOCK_MONOTONIC);
        char payload[64];
        snprintf(payload, sizeof payload, "{\"time\":%lld}", (long long)(now_ns(CLOCK_REALTIME) / 1000));
        int n = frame(out, sizeof out, sent_id, "ca", "cb", "bench_ping", ++counter, payload);
        zmq_send(apub, out, n, 0);
        int got = zmq_recv(asub, in, sizeof in, 0);
        // The reply: its command_type and the in_reply_to that matches it to this ping.
        size_t type_length = 0, reply_length = 0;
        const char *type = got > TOPIC ? FIELD(in + TOPIC, got - TOPIC, "command_type", &type_length) : NULL;
        const char *reply = type ? FIELD(in + TOPIC, got - TOPIC, "in_reply_to", &reply_length) : NULL;
        if (!reply || !equals(type, type_length, "bench_pong") || !equals(reply, reply_length, sent_id))
            status = -1;
        latencies_ns[i] = now_ns(CLOCK_MONOTONIC) - start;
    }
    int n = frame(out, sizeof out, sent_id, "ca", "cb", "stop", ++counter, "{}");
    zmq_send(apub, out, n, 0);
    pthread_join(thread, NULL);
    for (int i = 0; i < 4; i++) zmq_close(all[i]);
    zmq_ctx_term(actx);
    zmq_ctx_term(bctx);
    if (status != 0) fprintf(stderr, "ccommand: round trips failed (live %d)\n", live);
    return status;
}
