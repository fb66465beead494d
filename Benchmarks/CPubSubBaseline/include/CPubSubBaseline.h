// The C baseline of the pub/sub benchmark: a libzmq PUB socket and a SUB socket over ipc://, a sender thread and a
// receiving caller, moving two-frame messages (topic + payload) of the same sizes as HFTKit's protobuf tickers,
// with the same high-water marks. What a careful C feed handler would write: no encoding, no decoding.
#ifndef CPUBSUB_BASELINE_H
#define CPUBSUB_BASELINE_H
#include <stddef.h>
#include <stdint.h>

typedef struct cpubsub cpubsub;

/// Binds a PUB at `endpoint`, connects a SUB subscribed to `topic`, and waits until a probe message arrives
/// (the subscription is live). Returns NULL on failure.
cpubsub *cpubsub_open(const char *endpoint, const char *topic, size_t payload_size, int hwm);
/// Sends `count` messages from a new thread and receives them on the calling thread; returns how many arrived.
int64_t cpubsub_run(cpubsub *p, int64_t count);
/// cpubsub_run with each payload sent zero-copy (zmq_msg_init_data) from a pool of reused slots returned by
/// libzmq's free callback: the technique HFTKit's MarketDataPublisher uses, as a reference.
int64_t cpubsub_run_pooled(cpubsub *p, int64_t count);
void cpubsub_close(cpubsub *p);

#endif
