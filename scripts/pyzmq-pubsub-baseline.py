#!/usr/bin/env python3
"""Market-data pub/sub throughput of the Python design: pyzmq PUB → SUB over ipc:// with protobuf tickers.

The comparison point for HFTKit's MarketDataPublisher → MarketDataSubscriber (Benchmarks/PubSubBenchmarks): a
publisher process builds each ticker as a hftkit.marketdata.MarketEvent, serializes it and sends it as two frames
(topic + payload, python/hftkit/market_data.py's Publisher); a subscriber process receives and parses each one.
Two processes, so the GIL does not serialize the two sides. The time is the subscriber's, from the first message
to the last; best of a few runs. Prints one JSON line:
    {"name": "pyzmq protobuf pub/sub", "ns_per_event": X}
Usage: scripts/pyzmq-pubsub-baseline.py [events] [runs]
"""
import json
import multiprocessing
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

import zmq  # noqa: E402

from hftkit import market_data as md  # noqa: E402


def ticker(i):
    e = md.MarketEvent(exchange="binance", instrument="BTC-USDT", receive_time=1_700_000_000_000_100_000 + i,
                       exchange_time=1_700_000_000_000_000_000 + i)
    t = e.ticker
    t.bid_price.mantissa, t.bid_price.scale = 6_400_001_000_000 + i % 1000, 8
    t.bid_size.mantissa, t.bid_size.scale = 123_456_000, 8
    t.ask_price.mantissa, t.ask_price.scale = 6_400_002_000_000, 8
    t.ask_size.mantissa, t.ask_size.scale = 50_000_000, 8
    return e


def publish(endpoint, events, ready):
    pub = md.Publisher("binance", "ticker", endpoint=endpoint, sndhwm=events * 2)
    ready.wait()
    if not pub.wait_for_subscribers(1, timeout=30):
        raise SystemExit("no subscriber")
    for i in range(events):  # the Python design made each event when it arrived: building is part of the cost
        pub.publish(ticker(i))
    pub.close(linger_ms=30_000)
    zmq.Context.instance().term()  # waits for the queued messages to leave (a child process skips atexit)


def run(events):
    with tempfile.TemporaryDirectory() as d:
        endpoint = f"ipc://{d}/binance.ticker.ipc"
        ready = multiprocessing.Event()
        publisher = multiprocessing.Process(target=publish, args=(endpoint, events, ready))
        publisher.start()
        context = zmq.Context()
        sub = context.socket(zmq.SUB)
        sub.setsockopt(zmq.RCVHWM, events * 2)
        sub.setsockopt(zmq.SUBSCRIBE, md.topic("BTC-USDT"))
        sub.connect(endpoint)
        ready.set()
        received = 0
        start = None
        event = md.MarketEvent()
        while received < events:
            if not sub.poll(30_000):
                raise SystemExit(f"received {received} of {events}")
            frames = sub.recv_multipart()
            if start is None:
                start = time.perf_counter_ns()
            event.ParseFromString(frames[1])
            received += 1
        elapsed = time.perf_counter_ns() - start
        publisher.join()
        sub.close(0)
        context.term()
        return elapsed / (events - 1)


def main():
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    best = min(run(events) for _ in range(runs))
    print(json.dumps({"name": "pyzmq protobuf pub/sub", "ns_per_event": round(best, 1)}))


if __name__ == "__main__":
    main()
