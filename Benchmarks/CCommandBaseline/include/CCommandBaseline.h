// The C baseline of the command round-trip benchmark: the command system's pattern written directly on libzmq.
// Two peers in one process, each publishing on its own ipc:// PUB socket and subscribed to the other's; peer A
// sends a command frame (64-byte space-padded topic "cb.bench_ping" + the JSON envelope with a µs timestamp and a
// counter), peer B's thread receives it, checks the topic, finds its command_id and publishes the reply frame
// ("ca.bench_pong", payload {"in_reply_to": id}), which A receives. Frames are built with snprintf; high-water
// marks are 0, as in IPCCommandSystem.
#ifndef CCOMMAND_BASELINE_H
#define CCOMMAND_BASELINE_H
#include <stdint.h>

/// Runs `count` round trips over sockets in directory `dir` (after a warm-up that waits for both subscriptions);
/// stores each round trip in `latencies_ns`. Returns 0, or -1 with a message on stderr.
int ccommand_round_trips(const char *dir, int count, int64_t *latencies_ns);

#endif
