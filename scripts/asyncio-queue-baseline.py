#!/usr/bin/env python3
"""Producer -> consumer throughput of Python's asyncio.Queue, the hand-off of the Python design HFTKit replaces.

The comparison point for EventQueue (Benchmarks/QueueBenchmarks): one producer coroutine puts ~1,000,000 small
event objects (made before timing, so only the hand-off is measured) into a bounded asyncio.Queue, one consumer
coroutine takes them, on one event loop (how the Python design handed parsed events to its callbacks). Best of a
few runs; prints one JSON line:
    {"name": "asyncio.Queue", "ns_per_event": X}
Usage: scripts/asyncio-queue-baseline.py [events] [runs]
"""
import asyncio
import json
import sys
import time


class Trade:
    """A small event, like the Python design's normalized trade."""
    __slots__ = ("exchange", "symbol", "price", "size", "side", "trade_id", "timestamp")

    def __init__(self, trade_id):
        self.exchange = "binance"
        self.symbol = "BTC-USDT"
        self.price = 64000.0
        self.size = 1.0
        self.side = "buy"
        self.trade_id = trade_id
        self.timestamp = 1700000000.0


async def handoff(payload, capacity=4096):
    events = len(payload)
    queue = asyncio.Queue(maxsize=capacity)
    done = object()

    async def produce():
        for event in payload:
            await queue.put(event)
        await queue.put(done)

    async def consume():
        received = 0
        while True:
            event = await queue.get()
            if event is done:
                return received
            received += 1

    start = time.perf_counter_ns()
    _, received = await asyncio.gather(produce(), consume())
    elapsed = time.perf_counter_ns() - start
    assert received == events, f"received {received} of {events}"
    return elapsed / events


def main():
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    payload = [Trade(i) for i in range(events)]  # made before timing: only the hand-off is measured
    best = min(asyncio.run(handoff(payload)) for _ in range(runs))
    print(json.dumps({"name": "asyncio.Queue", "ns_per_event": round(best, 1)}))


if __name__ == "__main__":
    main()
