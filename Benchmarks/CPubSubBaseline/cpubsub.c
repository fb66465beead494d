#include "CPubSubBaseline.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

struct cpubsub {
    void *context;
    void *pub;
    void *sub;
    char topic[64];
    size_t topic_size;
    unsigned char *payload;
    size_t payload_size;
    int64_t count;
    int pooled;
    // Zero-copy payloads (cpubsub_run_pooled): fixed slots lent to libzmq, returned by its free callback onto a
    // lock-free stack (any thread pushes; the sender takes the whole stack at once).
    _Atomic(uintptr_t) returned;
    void *free_slots;
    void **chunks;
    size_t chunk_count;
};

enum { slot_size = 256, slots_per_chunk = 256 };

static void give_back(void *slot, void *hint) {
    cpubsub *p = hint;
    uintptr_t head = atomic_load_explicit(&p->returned, memory_order_relaxed);
    do {
        *(uintptr_t *)slot = head;
    } while (!atomic_compare_exchange_weak_explicit(&p->returned, &head, (uintptr_t)slot, memory_order_release,
                                                    memory_order_relaxed));
}

static void *take_slot(cpubsub *p) {
    if (!p->free_slots) p->free_slots = (void *)atomic_exchange_explicit(&p->returned, 0, memory_order_acquire);
    if (!p->free_slots) {
        char *chunk = aligned_alloc(64, slot_size * slots_per_chunk);
        p->chunks = realloc(p->chunks, (p->chunk_count + 1) * sizeof *p->chunks);
        p->chunks[p->chunk_count++] = chunk;
        for (int i = 0; i < slots_per_chunk; i++)
            *(uintptr_t *)(chunk + i * slot_size) = i + 1 < slots_per_chunk ? (uintptr_t)(chunk + (i + 1) * slot_size) : 0;
        p->free_slots = chunk;
    }
    void *slot = p->free_slots;
    p->free_slots = (void *)*(uintptr_t *)slot;
    return slot;
}

static void *sender(void *arg) {
    cpubsub *p = arg;
    for (int64_t i = 0; i < p->count; i++) {
        memcpy(p->payload, &i, sizeof i);  // a changing payload, as a real one
        zmq_send(p->pub, p->topic, p->topic_size, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        if (p->pooled && p->payload_size <= slot_size) {
            void *slot = take_slot(p);
            memcpy(slot, p->payload, p->payload_size);
            zmq_msg_t message;
            zmq_msg_init_data(&message, slot, p->payload_size, give_back, p);
            if (zmq_msg_send(&message, p->pub, ZMQ_DONTWAIT) < 0) zmq_msg_close(&message);
        } else {
            zmq_send(p->pub, p->payload, p->payload_size, ZMQ_DONTWAIT);
        }
    }
    return NULL;
}

cpubsub *cpubsub_open(const char *endpoint, const char *topic, size_t payload_size, int hwm) {
    cpubsub *p = calloc(1, sizeof *p);
    p->context = zmq_ctx_new();
    p->pub = zmq_socket(p->context, ZMQ_PUB);
    p->sub = zmq_socket(p->context, ZMQ_SUB);
    int linger = 0;
    zmq_setsockopt(p->pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(p->sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(p->pub, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(p->sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    p->topic_size = strlen(topic);
    memcpy(p->topic, topic, p->topic_size);
    zmq_setsockopt(p->sub, ZMQ_SUBSCRIBE, p->topic, p->topic_size);
    p->payload_size = payload_size;
    p->payload = calloc(1, payload_size < 8 ? 8 : payload_size);
    if (zmq_bind(p->pub, endpoint) != 0 || zmq_connect(p->sub, endpoint) != 0) {
        cpubsub_close(p);
        return NULL;
    }
    int timeout = 10;
    zmq_setsockopt(p->sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    char buffer[4096];
    for (int attempt = 0; attempt < 3000; attempt++) {  // the slow joiner: probe until one arrives
        zmq_send(p->pub, p->topic, p->topic_size, ZMQ_SNDMORE);
        zmq_send(p->pub, p->payload, p->payload_size, 0);
        if (zmq_recv(p->sub, buffer, sizeof buffer, 0) >= 0) {
            zmq_recv(p->sub, buffer, sizeof buffer, 0);
            timeout = 0;  // drain the other probes
            zmq_setsockopt(p->sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
            while (zmq_recv(p->sub, buffer, sizeof buffer, 0) >= 0) {}
            timeout = -1;
            zmq_setsockopt(p->sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
            return p;
        }
    }
    cpubsub_close(p);
    return NULL;
}

int64_t cpubsub_run_pooled(cpubsub *p, int64_t count) {
    p->pooled = 1;
    int64_t received = cpubsub_run(p, count);
    p->pooled = 0;
    return received;
}

int64_t cpubsub_run(cpubsub *p, int64_t count) {
    p->count = count;
    pthread_t thread;
    pthread_create(&thread, NULL, sender, p);
    int64_t received = 0;
    int64_t sum = 0;
    int timeout = 5000;  // a lost message ends the iteration instead of hanging it
    zmq_setsockopt(p->sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_msg_t message;
    zmq_msg_init(&message);
    while (received < count) {
        if (zmq_msg_recv(&message, p->sub, 0) < 0) break;  // topic
        if (zmq_msg_recv(&message, p->sub, 0) < 0) break;  // payload
        sum += ((unsigned char *)zmq_msg_data(&message))[0];
        received++;
    }
    zmq_msg_close(&message);
    pthread_join(thread, NULL);
    return received + (sum & 0);
}

void cpubsub_close(cpubsub *p) {
    zmq_close(p->pub);
    zmq_close(p->sub);
    zmq_ctx_term(p->context);  // every message closed: every slot returned
    for (size_t i = 0; i < p->chunk_count; i++) free(p->chunks[i]);
    free(p->chunks);
    free(p->payload);
    free(p);
}
