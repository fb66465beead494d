// HFTStream: the live side of HFTKit.
//
// - Connection/: `ConnectionMachine`, the pure state machine of one exchange connection (connect, subscribe,
//   heartbeats, stale detection, reconnect with backoff shared per exchange), and its lws driver.
// - Queue/: `EventQueue`, the bounded single-producer single-consumer ring through which the service thread hands
//   events to one observer, with per-channel overflow policies and batched wake-ups.
// - Stream/: `MarketStream`, the object users create (from the exchange catalog), bind observers to, start and
//   stop.
