"""HFTKit market data over ZeroMQ PUB/SUB, wire-compatible with Swift's MarketDataPublisher/MarketDataSubscriber.

Wire (docs/ipc.md "Market-data pub/sub"): one publisher per (exchange, channel), bound at
ipc://{ipc_dir}/{exchange}.{channel}.ipc (or a configured tcp:// endpoint). Each message has two frames:
  1. the topic: the normalized instrument and one space (b"BTC-USDT "), so subscribers filter per pair;
  2. a serialized hftkit.marketdata.MarketEvent (proto/hftkit/market_data.proto).
Decimals are exact (mantissa, scale) and convert to decimal.Decimal with the received scale; times are int64 ns.

CLI (prints one JSON line per event, decimals as strings):
  python3 -m hftkit.market_data subscribe --exchange binance --channel ticker --symbol BTC-USDT --count 10
  python3 -m hftkit.market_data publish --exchange binance --channel ticker --jsonl events.jsonl
"""

import argparse
import decimal
import json
import os
import sys
import time
import uuid

import zmq

from .ipc_dir import market_data_endpoint, prepare
from .proto import market_data_pb2 as pb

MarketEvent = pb.MarketEvent

DEFAULT_SNDHWM = 100_000
DEFAULT_RCVHWM = 100_000
_KINDS = ("ticker", "trade", "book", "candle", "funding", "my_order", "my_trade")
# The channel each event kind is published on (the Swift Channel names).
CHANNEL_OF_KIND = {"ticker": "ticker", "trade": "trade", "book": "l2_book", "candle": "candles",
                   "funding": "funding", "my_order": "my_order", "my_trade": "my_trade"}


def configured_endpoints() -> dict:
    """`exchange.channel` -> endpoint overrides from HFT_MD_ENDPOINTS ("binance.ticker=tcp://10.0.0.5:7001,...")."""
    raw = os.environ.get("HFT_MD_ENDPOINTS", "")
    return dict(entry.split("=", 1) for entry in raw.split(",") if "=" in entry)


def endpoint_for(exchange: str, channel: str, overrides: dict | None = None) -> str:
    """The publisher endpoint of (exchange, channel): an override, else ipc://{ipc_dir}/{exchange}.{channel}.ipc."""
    key = f"{exchange}.{channel}"
    return (overrides or {}).get(key) or configured_endpoints().get(key) or market_data_endpoint(exchange, channel)


def topic(instrument: str) -> bytes:
    """The first frame of a message about `instrument` (and the subscription prefix for it)."""
    return instrument.encode("ascii") + b" "


# Decimals ---------------------------------------------------------------------------------------------------------

def to_decimal(d: pb.Decimal) -> decimal.Decimal:
    """The exact value, keeping the received scale (Decimal('6195.00000000'))."""
    m = int.from_bytes(d.wide_mantissa, "big", signed=True) if d.wide_mantissa else d.mantissa
    digits = tuple(int(c) for c in str(abs(m)))
    return decimal.Decimal((1 if m < 0 else 0, digits, -d.scale))


def set_decimal(target: pb.Decimal, value) -> None:
    """Fills `target` from a Decimal, int or decimal string, keeping its scale ('0.0100' -> 100, 4)."""
    v = decimal.Decimal(value) if not isinstance(value, decimal.Decimal) else value
    sign, digits, exponent = v.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"not a finite decimal: {value!r}")
    m = int("".join(map(str, digits)) or "0")
    if exponent > 0:  # 5E+3: scale 0
        m *= 10 ** exponent
        exponent = 0
    m = -m if sign else m
    target.scale = -exponent
    if -(1 << 63) <= m < (1 << 63):
        target.mantissa = m
        target.wide_mantissa = b""
    else:
        target.mantissa = 0
        target.wide_mantissa = m.to_bytes(16, "big", signed=True)


def plain(value: decimal.Decimal) -> str:
    """The decimal's plain text with its scale ('0.00001000'), like Swift's ExactDecimal.plainText."""
    return format(value, "f")


# Conversion to plain JSON-friendly dicts ---------------------------------------------------------------------------

def _dec(msg, field):
    return plain(to_decimal(getattr(msg, field))) if msg.HasField(field) else None


def _trade_id(msg):
    which = msg.WhichOneof("trade_id")
    if which == "trade_number":
        return str(msg.trade_number)
    if which == "trade_uuid":
        return str(uuid.UUID(bytes=msg.trade_uuid))
    if which == "trade_text":
        return msg.trade_text
    return None


def _enum(enum_type, value):
    return enum_type.Name(value).lower() if value else None


def to_dict(event: pb.MarketEvent) -> dict:
    """A JSON-ready dict: decimals as exact strings, times as integer ns, enums as lower-case names."""
    kind = event.WhichOneof("event")
    out = {"kind": kind, "exchange": event.exchange, "instrument": event.instrument, "sequence": event.sequence,
           "receive_time": event.receive_time,
           "exchange_time": event.exchange_time if event.HasField("exchange_time") else None,
           "publish_time": event.publish_time}
    if kind == "ticker":
        t = event.ticker
        out.update({f: _dec(t, f) for f in ("bid_price", "bid_size", "ask_price", "ask_size", "last_price")})
    elif kind == "trade":
        t = event.trade
        out.update(price=_dec(t, "price"), size=_dec(t, "size"), side=_enum(pb.Side, t.side), trade_id=_trade_id(t))
    elif kind == "book":
        b = event.book
        out.update(snapshot=b.snapshot,
                   bids=[[plain(to_decimal(l.price)), plain(to_decimal(l.size))] for l in b.bids],
                   asks=[[plain(to_decimal(l.price)), plain(to_decimal(l.size))] for l in b.asks])
        for f in ("first_sequence", "last_sequence", "previous_sequence", "checksum"):
            out[f] = getattr(b, f) if b.HasField(f) else None
    elif kind == "candle":
        c = event.candle
        out.update(interval_seconds=c.interval_seconds, start_time=c.start_time,
                   closed=c.closed if c.HasField("closed") else None)
        out.update({f: _dec(c, f) for f in ("open", "high", "low", "close", "volume")})
    elif kind == "funding":
        f = event.funding
        out.update(rate=_dec(f, "rate"), predicted_rate=_dec(f, "predicted_rate"), mark_price=_dec(f, "mark_price"),
                   next_funding_time=f.next_funding_time if f.HasField("next_funding_time") else None)
    elif kind == "my_order":
        o = event.my_order
        out.update(order_id=o.order_id,
                   client_order_id=o.client_order_id if o.HasField("client_order_id") else None,
                   side=_enum(pb.Side, o.side), type=_enum(pb.OrderType, o.type),
                   status=_enum(pb.OrderStatus, o.status))
        out.update({f: _dec(o, f) for f in ("price", "size", "filled_size", "average_fill_price")})
    elif kind == "my_trade":
        t = event.my_trade
        out.update(order_id=t.order_id, trade_id=_trade_id(t), side=_enum(pb.Side, t.side),
                   price=_dec(t, "price"), size=_dec(t, "size"), fee=_dec(t, "fee"),
                   fee_asset=t.fee_asset if t.HasField("fee_asset") else None,
                   liquidity=_enum(pb.Liquidity, t.liquidity))
    return out


# Publisher and subscriber -----------------------------------------------------------------------------------------

class Publisher:
    """Binds the PUB socket of one (exchange, channel) and publishes MarketEvent messages.

    Never blocks: ZMQ_SNDHWM bounds what waits for each subscriber (libzmq drops beyond it, per subscriber);
    `sequence` is filled per instrument so subscribers can count what they lost. Not thread-safe (one thread).
    """

    def __init__(self, exchange: str, channel: str, endpoint: str | None = None, sndhwm: int = DEFAULT_SNDHWM,
                 context: zmq.Context | None = None):
        self.exchange = exchange
        self.channel = channel
        if endpoint is None:
            endpoint = endpoint_for(exchange, channel)
            if endpoint == market_data_endpoint(exchange, channel):
                prepare()
        self.endpoint = endpoint
        self._context = context or zmq.Context.instance()
        # XPUB: a PUB that also hands over subscriptions (wait_for_subscribers), as the Swift publisher does.
        self._socket = self._context.socket(zmq.XPUB)
        self._socket.setsockopt(zmq.LINGER, 0)
        self._socket.setsockopt(zmq.SNDHWM, sndhwm)
        self._socket.setsockopt(zmq.XPUB_VERBOSE, 1)
        self._socket.bind(endpoint)
        self._sequences: dict[str, int] = {}
        self.published = 0
        self.dropped = 0
        self.subscriptions = 0

    def _read_subscriptions(self):
        while True:
            try:
                frame = self._socket.recv(zmq.DONTWAIT)
            except zmq.Again:
                return
            if frame[:1] == b"\x01":
                self.subscriptions += 1
            elif frame[:1] == b"\x00":
                self.subscriptions -= 1

    def wait_for_subscribers(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Waits until `count` topic subscriptions arrived (what is sent before is not delivered to them)."""
        deadline = time.monotonic() + timeout
        while True:
            self._read_subscriptions()
            if self.subscriptions >= count:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._socket.poll(int(min(left, 0.1) * 1000) + 1)

    def publish(self, event: pb.MarketEvent) -> bool:
        """Sends `event` (exchange, sequence and publish_time are filled in). False when it was dropped."""
        seq = self._sequences.get(event.instrument, 0) + 1
        self._sequences[event.instrument] = seq
        event.exchange = event.exchange or self.exchange
        event.sequence = seq
        event.publish_time = time.time_ns()
        try:
            self._socket.send_multipart([topic(event.instrument), event.SerializeToString()], flags=zmq.DONTWAIT)
        except zmq.Again:
            self.dropped += 1
            return False
        self.published += 1
        return True

    def close(self, linger_ms: int = 0):
        """Closes the socket; `linger_ms` lets queued messages leave first (0: drop them)."""
        self._socket.close(linger_ms)


class Subscriber:
    """Connects to the publishers of one exchange's channels and yields decoded MarketEvent messages.

    `symbols` empty: every instrument. Counts `malformed` messages and `lost` ones (sequence jumps per instrument).
    """

    def __init__(self, exchange: str, channels, symbols=(), endpoints: dict | None = None,
                 rcvhwm: int = DEFAULT_RCVHWM, context: zmq.Context | None = None):
        self._context = context or zmq.Context.instance()
        self._socket = self._context.socket(zmq.SUB)
        self._socket.setsockopt(zmq.LINGER, 0)
        self._socket.setsockopt(zmq.RCVHWM, rcvhwm)
        for prefix in ([topic(s) for s in symbols] or [b""]):
            self._socket.setsockopt(zmq.SUBSCRIBE, prefix)
        self.endpoints = [endpoint_for(exchange, c, endpoints) for c in channels]
        for e in self.endpoints:
            self._socket.connect(e)
        self._last: dict[tuple, int] = {}
        self.received = 0
        self.malformed = 0
        self.lost = 0

    def receive(self, timeout_ms: int | None = None) -> pb.MarketEvent | None:
        """The next event, or None when `timeout_ms` passes first."""
        while True:
            if timeout_ms is not None and not self._socket.poll(timeout_ms):
                return None
            frames = self._socket.recv_multipart()
            event = pb.MarketEvent()
            try:
                if len(frames) != 2:
                    raise ValueError(f"{len(frames)} frames")
                event.ParseFromString(frames[1])
                if frames[0] != topic(event.instrument):
                    raise ValueError(f"topic {frames[0]!r} does not match instrument {event.instrument!r}")
            except Exception as error:  # counted, reported once, never fatal
                self.malformed += 1
                if self.malformed == 1:
                    print(f"hftkit.market_data: malformed message ({error}): {frames[:2]!r}", file=sys.stderr)
                continue
            key = (event.exchange, event.WhichOneof("event"), event.instrument)
            last = self._last.get(key)
            if last is not None and event.sequence > last + 1:
                self.lost += event.sequence - last - 1
            self._last[key] = event.sequence
            self.received += 1
            return event

    def __iter__(self):
        while True:
            yield self.receive()

    def close(self):
        self._socket.close(0)


# Command line -----------------------------------------------------------------------------------------------------

def _subscribe(args) -> int:
    endpoints = dict(e.split("=", 1) for e in args.endpoint)
    sub = Subscriber(args.exchange, args.channel, args.symbol, endpoints=endpoints)
    print(json.dumps({"subscribed": sub.endpoints}), file=sys.stderr, flush=True)
    deadline = time.monotonic() + args.seconds if args.seconds else None
    n = 0
    while args.count == 0 or n < args.count:
        remaining = None if deadline is None else int(max(0.0, deadline - time.monotonic()) * 1000)
        if remaining == 0:
            break
        event = sub.receive(timeout_ms=remaining if remaining is not None else 1000)
        if event is None:
            continue
        print(json.dumps(to_dict(event)), flush=True)
        n += 1
    print(json.dumps({"received": sub.received, "malformed": sub.malformed, "lost": sub.lost}),
          file=sys.stderr, flush=True)
    sub.close()
    return 0 if args.count == 0 or n >= args.count else 1


def from_dict(d: dict) -> pb.MarketEvent:
    """The inverse of to_dict (used by the publish command and tests)."""
    e = pb.MarketEvent(exchange=d.get("exchange", ""), instrument=d["instrument"],
                       receive_time=d.get("receive_time") or 0)
    if d.get("exchange_time") is not None:
        e.exchange_time = d["exchange_time"]
    kind = d["kind"]
    body = getattr(e, kind)
    body.SetInParent()
    def dec(field, key=None):
        v = d.get(key or field)
        if v is not None:
            set_decimal(getattr(body, field), v)
    def trade_id(v):
        if v is None or v == "":
            return
        if v.isdigit():
            body.trade_number = int(v)
        elif len(v) == 36 and v.count("-") == 4:
            body.trade_uuid = uuid.UUID(v).bytes
        else:
            body.trade_text = v
    def enum(enum_type, v):
        return enum_type.Value(v.upper()) if v else 0
    if kind == "ticker":
        for f in ("bid_price", "bid_size", "ask_price", "ask_size", "last_price"):
            dec(f)
    elif kind == "trade":
        dec("price"); dec("size"); body.side = enum(pb.Side, d.get("side")); trade_id(d.get("trade_id"))
    elif kind == "book":
        body.snapshot = bool(d.get("snapshot"))
        for side in ("bids", "asks"):
            for price, size in d.get(side, []):
                level = getattr(body, side).add()
                set_decimal(level.price, price)
                set_decimal(level.size, size)
        for f in ("first_sequence", "last_sequence", "previous_sequence", "checksum"):
            if d.get(f) is not None:
                setattr(body, f, d[f])
    elif kind == "candle":
        body.interval_seconds = d["interval_seconds"]; body.start_time = d["start_time"]
        for f in ("open", "high", "low", "close", "volume"):
            dec(f)
        if d.get("closed") is not None:
            body.closed = d["closed"]
    elif kind == "funding":
        dec("rate"); dec("predicted_rate"); dec("mark_price")
        if d.get("next_funding_time") is not None:
            body.next_funding_time = d["next_funding_time"]
    elif kind == "my_order":
        body.order_id = d["order_id"]
        if d.get("client_order_id") is not None:
            body.client_order_id = d["client_order_id"]
        body.side = enum(pb.Side, d.get("side")); body.type = enum(pb.OrderType, d.get("type"))
        body.status = enum(pb.OrderStatus, d.get("status"))
        for f in ("price", "size", "filled_size", "average_fill_price"):
            dec(f)
    elif kind == "my_trade":
        body.order_id = d["order_id"]; trade_id(d.get("trade_id")); body.side = enum(pb.Side, d.get("side"))
        dec("price"); dec("size"); dec("fee")
        if d.get("fee_asset") is not None:
            body.fee_asset = d["fee_asset"]
        body.liquidity = enum(pb.Liquidity, d.get("liquidity"))
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return e


def _publish(args) -> int:
    """Publishes the JSON lines of --jsonl (to_dict's format), repeating until --seconds pass."""
    pub = Publisher(args.exchange, args.channel, endpoint=args.bind)
    events = [from_dict(json.loads(line)) for line in open(args.jsonl) if line.strip()]
    print(json.dumps({"bound": pub.endpoint, "events": len(events)}), file=sys.stderr, flush=True)
    if args.wait_subscribers and not pub.wait_for_subscribers(args.wait_subscribers, timeout=args.seconds):
        print(json.dumps({"error": "no subscriber"}), file=sys.stderr, flush=True)
        return 1
    deadline = time.monotonic() + args.seconds
    rounds = 0
    while time.monotonic() < deadline and (args.rounds == 0 or rounds < args.rounds):
        for e in events:
            pub.publish(e)
        rounds += 1
        time.sleep(args.interval)
    print(json.dumps({"published": pub.published, "dropped": pub.dropped}), file=sys.stderr, flush=True)
    pub.close(linger_ms=2000)
    zmq.Context.instance().term()  # waits (up to the linger) for queued messages to leave
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m hftkit.market_data", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    s = commands.add_parser("subscribe", help="print events as JSON lines")
    s.add_argument("--exchange", required=True)
    s.add_argument("--channel", action="append", required=True, help="repeatable")
    s.add_argument("--symbol", action="append", default=[], help="repeatable; none: every instrument")
    s.add_argument("--count", type=int, default=0, help="stop after N events (exit 1 if fewer arrived)")
    s.add_argument("--seconds", type=float, default=0, help="stop after this long")
    s.add_argument("--endpoint", action="append", default=[], metavar="EXCHANGE.CHANNEL=URL",
                   help="a tcp:// (or other) endpoint instead of the ipc:// default")
    p = commands.add_parser("publish", help="publish JSON lines (to_dict's format) repeatedly")
    p.add_argument("--exchange", required=True)
    p.add_argument("--channel", required=True)
    p.add_argument("--jsonl", required=True)
    p.add_argument("--bind", default=None, help="endpoint (default: the ipc:// one)")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--interval", type=float, default=0.05, help="pause between rounds")
    p.add_argument("--rounds", type=int, default=0, help="stop after N rounds (0: when --seconds pass)")
    p.add_argument("--wait-subscribers", type=int, default=0, metavar="N",
                   help="first wait (up to --seconds) for N topic subscriptions")
    args = parser.parse_args(argv)
    return _subscribe(args) if args.command == "subscribe" else _publish(args)


if __name__ == "__main__":
    sys.exit(main())
