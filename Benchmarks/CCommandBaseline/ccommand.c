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

/// topic padded to 64 bytes + the JSON envelope; returns the frame length.
static int frame(char *out, size_t cap, const char *sender, const char *target, const char *type, long counter,
                 const char *payload) {
    int64_t us = now_ns(CLOCK_REALTIME) / 1000;
    int n = snprintf(out, TOPIC + 1, "%s.%s", target, type);
    memset(out + n, ' ', TOPIC - n);
    n = snprintf(out + TOPIC, cap - TOPIC,
                 "{\"command_id\":\"%s_%lld_%ld\",\"sender_id\":\"%s\",\"target_id\":\"%s\",\"command_type\":\"%s\","
                 "\"timestamp\":%lld,\"payload\":%s}",
                 sender, (long long)us, counter, sender, target, type, (long long)us, payload);
    return TOPIC + n;
}

typedef struct {
    void *sub;
    void *pub;
} peer_b;

static void *run_b(void *arg) {
    peer_b *b = arg;
    char reply[512], payload[160], id[96];
    long counter = 0;
    for (;;) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, b->sub, 0) < 0) { zmq_msg_close(&msg); break; }
        const char *data = zmq_msg_data(&msg);
        size_t size = zmq_msg_size(&msg);
        if (size > TOPIC && memcmp(data, "cb.stop", 7) == 0) { zmq_msg_close(&msg); break; }
        if (size > TOPIC && memcmp(data, "cb.bench_ping ", 14) == 0) {
            const char *key = memmem(data + TOPIC, size - TOPIC, "\"command_id\":\"", 14);
            const char *start = key ? key + 14 : NULL;
            const char *end = start ? memchr(start, '"', size - (start - data)) : NULL;
            if (end && (size_t)(end - start) < sizeof id) {
                memcpy(id, start, end - start);
                id[end - start] = 0;
                snprintf(payload, sizeof payload, "{\"in_reply_to\":\"%s\"}", id);
                int n = frame(reply, sizeof reply, "cb", "ca", "bench_pong", ++counter, payload);
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
    void *ctx = zmq_ctx_new();
    void *apub = zmq_socket(ctx, ZMQ_PUB), *bpub = zmq_socket(ctx, ZMQ_PUB);
    void *asub = zmq_socket(ctx, ZMQ_SUB), *bsub = zmq_socket(ctx, ZMQ_SUB);
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

    char out[512], in[512];
    long counter = 0;
    // Warm-up: ping until a pong arrives (both subscriptions are then live).
    zmq_setsockopt(asub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    int live = 0;
    for (int i = 0; i < 1000 && !live; i++) {
        int n = frame(out, sizeof out, "ca", "cb", "bench_ping", ++counter, "{\"time\":0}");
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
        int n = frame(out, sizeof out, "ca", "cb", "bench_ping", ++counter, payload);
        zmq_send(apub, out, n, 0);
        int got = zmq_recv(asub, in, sizeof in, 0);
        if (got <= TOPIC || memcmp(in, "ca.bench_pong ", 14) != 0) status = -1;
        latencies_ns[i] = now_ns(CLOCK_MONOTONIC) - start;
    }
    int n = frame(out, sizeof out, "ca", "cb", "stop", ++counter, "{}");
    zmq_send(apub, out, n, 0);
    pthread_join(thread, NULL);
    for (int i = 0; i < 4; i++) zmq_close(all[i]);
    zmq_ctx_term(ctx);
    if (status != 0) fprintf(stderr, "ccommand: round trips failed (live %d)\n", live);
    return status;
}
