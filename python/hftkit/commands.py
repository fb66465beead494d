"""The HFTKit command system for Python processes (pyzmq + asyncio), wire-compatible with Swift's IPCCommandSystem.

Every process binds an XPUB socket at ipc://{ipc_dir}/command/{process_id}.ipc and publishes its commands there as
one frame: a 64-byte topic "{target_id}.{command_type}" padded with spaces, then the JSON envelope
{"command_id","sender_id","target_id","command_type","timestamp"(µs),"payload"}. Receivers connect one SUB socket
per process they listen to, subscribed to "{own_id}.", "*." and their groups ("api.*." for "api.gw").

connect_to_process() returns once the subscription is live at the publisher: the SUB subscribes
"{own_id}._ipc_welcome" last, and the publisher's XPUB answers it with an "_ipc_welcome" command. Publishers that
send no welcome (plain PUB sockets of the original design) are probed with ping after 0.5 s.
Replies carry the request's id as payload["in_reply_to"]. Pings are answered with pong unless a handler is
registered for "ping". See python/README.md.

Run a listener:  python3 -m hftkit.commands listen --as NAME --connect A,B
Ping a process:  python3 -m hftkit.commands ping NAME --as ME --count 3
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import fcntl
import inspect
import itertools
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import zmq
import zmq.asyncio

from .ipc_dir import ipc_dir, prepare

TOPIC_SIZE = 64
WELCOME = "_ipc_welcome"
PING, PONG = "ping", "pong"
IN_REPLY_TO = "in_reply_to"
OPERATOR = "hft-cli"  # the id `hft ipc send/broadcast/ping` use by default


class TopicTooLong(ValueError):
    pass


class ProcessNotRunning(TimeoutError):
    pass


@dataclass
class Command:
    command_id: str
    sender_id: str
    target_id: str
    command_type: str
    timestamp: int
    payload: Any = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"command_id": self.command_id, "sender_id": self.sender_id, "target_id": self.target_id,
                           "command_type": self.command_type, "timestamp": self.timestamp, "payload": self.payload},
                          separators=(",", ":"), ensure_ascii=False)

    @property
    def in_reply_to(self) -> str | None:
        return self.payload.get(IN_REPLY_TO) if isinstance(self.payload, dict) else None


def encode_topic(target: str, command_type: str) -> bytes:
    topic = f"{target}.{command_type}".encode()
    if len(topic) > TOPIC_SIZE:
        raise TopicTooLong(f"topic '{target}.{command_type}' is {len(topic)} bytes; a command topic has at most 64")
    return topic.ljust(TOPIC_SIZE, b" ")


def decode_frame(frame: bytes) -> Command:
    if len(frame) <= TOPIC_SIZE:
        raise ValueError(f"frame of {len(frame)} bytes, shorter than the 64-byte topic and a JSON body")
    d = json.loads(frame[TOPIC_SIZE:].decode("utf-8"))
    if not isinstance(d, dict):
        raise ValueError("body is not a JSON object")
    for key in ("command_id", "sender_id", "target_id", "command_type"):
        if not isinstance(d.get(key), str):
            raise ValueError(f"no {key} string")
    ts = d.get("timestamp")
    if isinstance(ts, bool) or not isinstance(ts, (int, float)):
        raise ValueError("no integer timestamp")
    return Command(d["command_id"], d["sender_id"], d["target_id"], d["command_type"], int(ts), d.get("payload", {}))


def subscriptions(process_id: str) -> list[bytes]:
    prefixes = [f"{process_id}.".encode(), b"*."]
    for i, c in enumerate(process_id):
        if c == ".":
            prefixes.append(f"{process_id[:i]}.*.".encode())
    return prefixes


def matches(target: str, process_id: str) -> bool:
    if target in (process_id, "*"):
        return True
    if target.endswith(".*"):
        prefix = target[:-1]
        return len(process_id) > len(prefix) and process_id.startswith(prefix)
    return False


def now_us() -> int:
    return time.time_ns() // 1000


Handler = Callable[[Command], Awaitable[None] | None]


class CommandSystem:
    """One named process's command system. Use from one asyncio event loop."""

    def __init__(self, process_id: str, directory: str | None = None, duplicate_window: int = 4096):
        if not process_id or "/" in process_id or "*" in process_id or " " in process_id or len(process_id.encode()) > 51:
            raise ValueError(f"invalid process id '{process_id}'")
        self.process_id = process_id
        self.directory = directory or ipc_dir()
        self.endpoint = f"ipc://{self.directory}/command/{process_id}.ipc"
        self._socket_file = f"{self.directory}/command/{process_id}.ipc"
        self._lock_file = f"{self.directory}/command/{process_id}.lock"
        self._ctx = zmq.asyncio.Context()
        self._pub: zmq.asyncio.Socket | None = None
        self._subs: dict[str, tuple[zmq.asyncio.Socket, asyncio.Task]] = {}
        self._handlers: dict[str, Handler] = {}
        self._catch_all: Handler | None = None
        self._pending: dict[str, asyncio.Future] = {}
        self._welcomed: dict[str, asyncio.Event] = {}
        self._subscribers: set[str] = set()
        self._subscriber_events: dict[str, asyncio.Event] = {}
        self._recent: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._window = duplicate_window
        self._queue: asyncio.Queue[Command] = asyncio.Queue()
        self._tasks: list[asyncio.Task] = []
        self._counter = itertools.count(1)
        self._lock_fd: int | None = None
        self._logged_types: set[str] = set()
        self.statistics = collections.Counter()

    # lifecycle
    async def start(self) -> None:
        prepare(self.directory)
        fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode().strip() or "unknown"
            os.close(fd)
            raise RuntimeError(f"process id '{self.process_id}' is already running (pid {holder})")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock_fd = fd
        if os.path.exists(self._socket_file):
            os.unlink(self._socket_file)  # no live holder of the lock: stale
        pub = self._ctx.socket(zmq.XPUB)
        pub.setsockopt(zmq.LINGER, 0)
        pub.setsockopt(zmq.XPUB_VERBOSE, 1)
        pub.setsockopt(zmq.SNDHWM, 0)
        pub.setsockopt(zmq.RCVHWM, 0)
        pub.bind(self.endpoint)
        os.chmod(self._socket_file, 0o600)
        self._pub = pub
        self._tasks += [asyncio.create_task(self._watch_subscriptions()), asyncio.create_task(self._dispatch())]

    async def stop(self) -> None:
        for sock, task in self._subs.values():
            task.cancel()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*[t for _, t in self._subs.values()], *self._tasks, return_exceptions=True)
        for sock, _ in self._subs.values():
            sock.close(0)
        self._subs.clear()
        if self._pub is not None:
            self._pub.close(0)
            self._pub = None
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(RuntimeError("the command system stopped"))
        for path in (self._socket_file, self._lock_file):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        self._ctx.term()

    # handlers
    def register_handler(self, command_type: str, handler: Handler) -> None:
        self._handlers[command_type] = handler

    def register_catch_all(self, handler: Handler) -> None:
        self._catch_all = handler

    # sending
    def _make(self, target: str, command_type: str, payload: Any) -> Command:
        ts = now_us()
        return Command(f"{self.process_id}_{ts}_{next(self._counter)}", self.process_id, target, command_type, ts,
                       {} if payload is None else payload)

    async def _publish(self, command: Command) -> str:
        if self._pub is None:
            raise RuntimeError("the command system is not running (call start() first)")
        await self._pub.send(encode_topic(command.target_id, command.command_type) + command.to_json().encode())
        self.statistics["sent"] += 1
        return command.command_id

    async def send_command(self, target: str, command_type: str, payload: Any = None) -> str:
        return await self._publish(self._make(target, command_type, payload))

    async def broadcast(self, command_type: str, payload: Any = None) -> str:
        return await self.send_command("*", command_type, payload)

    async def reply(self, request: Command, payload: Any = None, command_type: str | None = None) -> str:
        body = dict(payload) if isinstance(payload, dict) else ({} if payload is None else {"value": payload})
        body[IN_REPLY_TO] = request.command_id
        return await self.send_command(request.sender_id, command_type or request.command_type + "_reply", body)

    async def request(self, target: str, command_type: str, payload: Any = None, timeout: float = 5.0) -> Command:
        command = self._make(target, command_type, payload)
        fut = asyncio.get_running_loop().create_future()
        self._pending[command.command_id] = fut
        try:
            await self._publish(command)
            return await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"no reply to {command_type} {command.command_id} from {target} within {timeout} s")
        finally:
            self._pending.pop(command.command_id, None)

    # connecting
    async def connect_to_process(self, process_id: str, timeout: float = 5.0, wait: bool = True) -> None:
        if process_id not in self._subs:
            sub = self._ctx.socket(zmq.SUB)
            sub.setsockopt(zmq.LINGER, 0)
            sub.setsockopt(zmq.RCVHWM, 0)
            for prefix in subscriptions(self.process_id):
                sub.setsockopt(zmq.SUBSCRIBE, prefix)
            sub.connect(f"ipc://{self.directory}/command/{process_id}.ipc")
            sub.setsockopt(zmq.SUBSCRIBE, f"{self.process_id}.{WELCOME}".encode())  # last: see the module doc
            self._welcomed.setdefault(process_id, asyncio.Event())
            self._subs[process_id] = (sub, asyncio.create_task(self._receive(sub, process_id)))
        if not wait:
            return
        event = self._welcomed[process_id]

        async def probe():
            await asyncio.sleep(0.5)
            while not event.is_set():
                try:
                    await self.request(process_id, PING, {"time": now_us()}, timeout=0.25)
                    event.set()
                except TimeoutError:
                    pass

        prober = asyncio.create_task(probe())
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except asyncio.TimeoutError:
            sock, task = self._subs.pop(process_id)
            task.cancel()
            sock.close(0)
            self._welcomed.pop(process_id, None)
            raise ProcessNotRunning(f"process {process_id} not running at ipc://{self.directory}/command/{process_id}.ipc")
        finally:
            prober.cancel()

    async def wait_for_subscriber(self, process_id: str, timeout: float = 5.0) -> None:
        if process_id in self._subscribers:
            return
        event = self._subscriber_events.setdefault(process_id, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except asyncio.TimeoutError:
            raise ProcessNotRunning(f"process {process_id} did not subscribe to {self.process_id} within {timeout} s")

    # internals
    async def _watch_subscriptions(self) -> None:
        suffix = f".{WELCOME}".encode()
        while True:
            msg = await self._pub.recv()
            if not msg or msg[0] not in (0, 1):
                continue
            prefix = msg[1:]
            if msg[0] == 1 and prefix.endswith(suffix) and len(prefix) > len(suffix):
                await self.send_command(prefix[: -len(suffix)].decode(), WELCOME, {})
                self.statistics["welcomes_sent"] += 1
            elif prefix.endswith(b".") and len(prefix) > 1 and prefix[-2:-1] != b"*":
                peer = prefix[:-1].decode()
                if msg[0] == 1:
                    self._subscribers.add(peer)
                    self._subscriber_events.setdefault(peer, asyncio.Event()).set()
                else:
                    self._subscribers.discard(peer)
                    self._subscriber_events.pop(peer, None)

    def _log_once(self, key: str, text: str) -> None:
        n = self.statistics[key]
        while n >= 10 and n % 10 == 0:
            n //= 10
        if n == 1:
            print(f"hftkit.commands: {text}", file=sys.stderr, flush=True)

    async def _receive(self, sub: zmq.asyncio.Socket, peer: str) -> None:
        while True:
            frame = await sub.recv()
            self.statistics["frames_received"] += 1
            try:
                command = decode_frame(frame)
            except (ValueError, UnicodeDecodeError) as e:
                self.statistics["malformed"] += 1
                self._log_once("malformed", f"malformed command frame from {peer}: {e}; sample: {frame[:120]!r}")
                continue
            if not matches(command.target_id, self.process_id):
                self.statistics["not_for_us"] += 1
                continue
            if command.command_type == WELCOME:
                self.statistics["welcomes_received"] += 1
                self._welcomed.setdefault(command.sender_id, asyncio.Event()).set()
                continue
            if command.command_id in self._recent:
                self.statistics["duplicates"] += 1
                continue
            self._recent[command.command_id] = None
            if len(self._recent) > self._window:
                self._recent.popitem(last=False)
            reply_to = command.in_reply_to
            if reply_to is not None:
                fut = self._pending.get(reply_to)
                if fut is not None and not fut.done():
                    self.statistics["replies_matched"] += 1
                    fut.set_result(command)
                    continue
                if command.command_type not in self._handlers and self._catch_all is None:
                    self.statistics["late_replies"] += 1
                    continue
            if command.command_type in self._handlers:
                self.statistics["dispatched"] += 1
                self._queue.put_nowait(command)
            elif command.command_type == PING:
                self.statistics["pings_answered"] += 1
                body = {IN_REPLY_TO: command.command_id}
                if isinstance(command.payload, dict) and "time" in command.payload:
                    body["time"] = command.payload["time"]
                await self.send_command(command.sender_id, PONG, body)
            elif self._catch_all is not None:
                self.statistics["dispatched"] += 1
                self._queue.put_nowait(command)
            else:
                self.statistics["unhandled"] += 1
                if command.command_type not in self._logged_types:
                    self._logged_types.add(command.command_type)
                    print(f"hftkit.commands: no handler for command type '{command.command_type}' (from "
                          f"{command.sender_id}); sample: {command.to_json()}", file=sys.stderr, flush=True)

    async def _dispatch(self) -> None:
        while True:
            command = await self._queue.get()
            handler = self._handlers.get(command.command_type) or self._catch_all
            try:
                result = handler(command)
                if inspect.isawaitable(result):
                    await result
            except asyncio.CancelledError:
                raise
            except Exception as e:  # a handler's error never stops the dispatcher
                self.statistics["handler_errors"] += 1
                self._log_once("handler_errors", f"handler for '{command.command_type}' failed on {command.to_json()}: {e!r}")


# command line (used by the Swift interop tests, and handy by hand)

async def _listen(args) -> int:
    system = CommandSystem(args.name)
    await system.start()
    remaining = [args.count or -1]
    done = asyncio.Event()

    def show(command: Command):
        print(command.to_json(), flush=True)
        remaining[0] -= 1
        if remaining[0] == 0:
            done.set()

    async def on_ping(command: Command):
        body = {IN_REPLY_TO: command.command_id}
        if isinstance(command.payload, dict) and "time" in command.payload:
            body["time"] = command.payload["time"]
        await system.send_command(command.sender_id, PONG, body)
        show(command)

    system.register_catch_all(show)
    system.register_handler(PING, on_ping)
    peers = [p for p in args.connect.split(",") if p]
    if not args.no_operator and OPERATOR not in peers and args.name != OPERATOR:
        peers.append(OPERATOR)  # like `hft ipc listen`: reachable by `hft ipc send/ping`
    for peer in peers:
        await system.connect_to_process(peer, wait=False)
    loop = asyncio.get_running_loop()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})  # a parent may have blocked them
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, done.set)  # stop cleanly: sockets and lock removed
    print(f"# listening as {args.name} at {system.endpoint}", file=sys.stderr, flush=True)
    try:
        await asyncio.wait_for(done.wait(), args.seconds) if args.seconds else await done.wait()
    except asyncio.TimeoutError:
        pass
    await system.stop()
    return 0


async def _ping(args) -> int:
    system = CommandSystem(args.name)
    await system.start()
    lost = 0
    try:
        await system.connect_to_process(args.process, timeout=args.timeout)
        await system.wait_for_subscriber(args.process, timeout=args.timeout)
        for seq in range(1, args.count + 1):
            start = time.perf_counter_ns()
            try:
                pong = await system.request(args.process, PING, {"time": now_us()}, timeout=args.timeout)
                print(f"pong from {pong.sender_id}: seq={seq} time={(time.perf_counter_ns() - start) / 1000:.1f} µs "
                      f"type={pong.command_type}", flush=True)
            except TimeoutError:
                lost += 1
                print(f"no pong from {args.process}: seq={seq}", flush=True)
    finally:
        await system.stop()
    return 1 if lost else 0


async def _send(args) -> int:
    system = CommandSystem(args.name)
    await system.start()
    try:
        for peer in args.wait_for.split(","):
            if peer:
                await system.wait_for_subscriber(peer, timeout=args.timeout)
        print(await system.send_command(args.target, args.type, json.loads(args.payload)), flush=True)
    finally:
        await system.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m hftkit.commands")
    sub = parser.add_subparsers(dest="command", required=True)
    listen = sub.add_parser("listen", help="print every command received as a JSON line; answer pings")
    listen.add_argument("--as", dest="name", required=True)
    listen.add_argument("--connect", default="")
    listen.add_argument("--count", type=int)
    listen.add_argument("--no-operator", action="store_true", help="do not also connect to 'hft-cli'")
    listen.add_argument("--seconds", type=float)
    ping = sub.add_parser("ping", help="ping a process, print round-trip times")
    ping.add_argument("process")
    ping.add_argument("--as", dest="name", required=True)
    ping.add_argument("--count", type=int, default=3)
    ping.add_argument("--timeout", type=float, default=10.0)
    send = sub.add_parser("send", help="send one command once --wait-for processes subscribed")
    send.add_argument("target")
    send.add_argument("type")
    send.add_argument("payload", nargs="?", default="{}")
    send.add_argument("--as", dest="name", required=True)
    send.add_argument("--wait-for", default="")
    send.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    run = {"listen": _listen, "ping": _ping, "send": _send}[args.command]
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
