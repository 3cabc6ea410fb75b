"""MQTT publishing for the simulators (paho-mqtt 2.x).

``Connection`` is one gateway's MQTT session: QoS 1 publishing with PUBACK tracking, and optionally
the retained gateway status (``online`` on connect, ``offline`` as last will and on close), as
gateway.py does. ``StreamPublisher`` plays a time-ordered record stream (see ``replay``) over one
connection per home, paced by the records' ``at`` times divided by a speed factor, with a bounded
window of unacknowledged messages (paho numbers in-flight messages with 16-bit ids).
"""

from __future__ import annotations

import re
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable

try:
    import paho.mqtt.client as mqtt
except ImportError:  # pragma: no cover - depends on the environment
    sys.stderr.write("the MQTT mode needs paho-mqtt 2.x: run `bash scripts/python-env.sh` and use .venv/bin/python.\n")
    raise SystemExit(1)

from .replay import Record, is_retained_topic, publish_bytes
from .timeutil import rfc3339_ms

_TS_FIELD = re.compile(r'"ts":"[^"]*"')


class PublishError(Exception):
    """A failure that ends the run with one clear sentence."""


@dataclass
class BrokerOptions:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    cafile: str | None = None
    keepalive: int = 30
    connect_timeout: float = 10.0
    publish_timeout: float = 30.0


@dataclass
class StatusSpec:
    """A gateway's retained status: topic, online and offline payloads (``None``: no status)."""

    topic: str
    online: str
    offline: str


class Connection:
    """One MQTT client. ``on_ack(conn, mid, monotonic_time)`` runs on paho's network thread."""

    def __init__(
        self,
        client_id: str,
        opts: BrokerOptions,
        status: StatusSpec | None = None,
        on_ack: Callable[["Connection", int, float], None] | None = None,
        max_inflight: int = 1000,
    ):
        self.client_id = client_id
        self.opts = opts
        self.status = status
        self._on_ack = on_ack
        self.cond = threading.Condition()
        self.connected = False
        self.fatal: str | None = None
        self.closing = False
        self._status_mid: int | None = None
        self._acked: set[int] = set()
        self.acks = 0
        c = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True, protocol=mqtt.MQTTv311
        )
        if status is not None:
            c.will_set(status.topic, status.offline, qos=1, retain=True)
        if opts.username is not None:
            c.username_pw_set(opts.username, opts.password)
        if opts.cafile:
            c.tls_set(ca_certs=opts.cafile)
        c.max_inflight_messages_set(max_inflight)
        c.reconnect_delay_set(min_delay=1, max_delay=5)
        c.connect_timeout = opts.connect_timeout
        c.on_connect = self._cb_connect
        c.on_disconnect = self._cb_disconnect
        c.on_publish = self._cb_publish
        self.client = c

    # paho callbacks (network thread)
    def _cb_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            with self.cond:
                self.fatal = f"the broker at {self.opts.host}:{self.opts.port} refused {self.client_id}: {reason_code}"
                self.cond.notify_all()
            return
        mid = None
        if self.status is not None:
            mid = client.publish(self.status.topic, self.status.online, qos=1, retain=True).mid
        with self.cond:
            self.connected = True
            self._status_mid = mid
            self.cond.notify_all()

    def _cb_disconnect(self, client, userdata, flags, reason_code, properties):
        with self.cond:
            self.connected = False
            self.cond.notify_all()
        if not self.closing:
            sys.stderr.write(f"{self.client_id}: lost the connection to the broker ({reason_code}); reconnecting\n")

    def _cb_publish(self, client, userdata, mid, reason_code, properties):
        # Runs while paho holds its out-message lock: never call publish() from here, and
        # never hold a lock of ours while calling publish() (see StreamPublisher.run).
        now = time.monotonic()
        with self.cond:
            if mid == self._status_mid or self.closing:
                self._acked.add(mid)
                self.cond.notify_all()
                return
            self.acks += 1
        if self._on_ack is not None:
            self._on_ack(self, mid, now)

    # control
    def wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        with self.cond:
            ok = self.cond.wait_for(lambda: self.fatal is not None or predicate(), max(0.0, timeout))
            if self.fatal is not None:
                raise PublishError(self.fatal)
            return ok

    def connect_async(self) -> None:
        try:
            self.client.connect(self.opts.host, self.opts.port, keepalive=self.opts.keepalive)
        except (OSError, ValueError) as exc:
            raise PublishError(f"cannot connect to the broker at {self.opts.host}:{self.opts.port}: {exc}") from None
        self.client.loop_start()

    def wait_ready(self, deadline: float) -> None:
        def ready() -> bool:
            if not self.connected:
                return False
            return self.status is None or (self._status_mid is not None and self._status_mid in self._acked)

        if not self.wait(ready, deadline - time.monotonic()):
            raise PublishError(
                f"{self.client_id}: the broker at {self.opts.host}:{self.opts.port} did not complete the "
                f"connection within {self.opts.connect_timeout:g} s"
            )

    def publish(self, topic: str, payload: bytes | str, retain: bool = False) -> int:
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            raise PublishError(f"{self.client_id}: publish to {topic} failed: {mqtt.error_string(info.rc)}")
        return info.mid

    def close(self, send_offline: bool = True, timeout: float = 5.0) -> None:
        self.closing = True
        try:
            with self.cond:
                connected = self.connected
            if connected and send_offline and self.status is not None:
                mid = self.client.publish(self.status.topic, self.status.offline, qos=1, retain=True).mid
                try:
                    self.wait(lambda: mid in self._acked, timeout)
                except PublishError:
                    pass
            self.client.disconnect()
        finally:
            self.client.loop_stop()


class StreamPublisher:
    """Publishes records in ``at`` order over one connection per home, in scaled real time."""

    def __init__(
        self,
        opts: BrokerOptions,
        statuses: dict[str, StatusSpec | None],
        home_of: Callable[[str], str],
        speed: float,
        window: int = 10_000,
        client_prefix: str = "sim",
        log: Callable[[str], None] | None = None,
    ):
        self.opts = opts
        self.home_of = home_of
        self.speed = speed
        self.window = window
        self._sem = threading.Semaphore(window)
        self.log = log or (lambda s: None)
        self.sent = 0
        self.acked = 0
        self._lock = threading.Lock()
        self.conns: dict[str, Connection] = {}
        per_conn = max(20, min(window, 65_000))
        for home, status in statuses.items():
            self.conns[home] = Connection(
                f"{client_prefix}-{home}"[:128], opts, status, on_ack=self._on_ack, max_inflight=per_conn
            )
        # Data message ids awaiting their PUBACK, and PUBACKs that arrived before publish() returned.
        self._pending: dict[str, set[int]] = {conn.client_id: set() for conn in self.conns.values()}
        self._early: dict[str, set[int]] = {conn.client_id: set() for conn in self.conns.values()}

    def _on_ack(self, conn: Connection, mid: int, t: float) -> None:
        with self._lock:
            pending = self._pending[conn.client_id]
            if mid in pending:
                pending.discard(mid)
                self.acked += 1
                self._sem.release()
            else:
                self._early[conn.client_id].add(mid)

    def start(self) -> None:
        for conn in self.conns.values():
            conn.connect_async()
        deadline = time.monotonic() + self.opts.connect_timeout
        for conn in self.conns.values():
            conn.wait_ready(deadline)

    def run(self, records: Iterable[Record], stop: threading.Event | None = None, restamp: bool = False) -> None:
        """Publishes the records, pacing them by ``at`` / speed. With ``restamp`` the ``ts`` of every
        JSON-object payload is replaced by the publish time (so a live hub accepts old recordings)."""
        t0: float | None = None
        base = 0
        for at, topic, payload in records:
            if stop is not None and stop.is_set():
                break
            if t0 is None:
                t0, base = time.monotonic(), at
            if self.speed > 0:
                due = t0 + (at - base) / 1000.0 / self.speed
                delay = due - time.monotonic()
                if delay > 0:
                    if stop is not None:
                        if stop.wait(delay):
                            break
                    else:
                        time.sleep(delay)
            home = self.home_of(topic)
            conn = self.conns.get(home)
            if conn is None:
                raise PublishError(f"no gateway connection for home {home!r} (topic {topic})")
            if not self._sem.acquire(timeout=self.opts.publish_timeout):
                raise PublishError(
                    f"{self.window} messages stayed unacknowledged for {self.opts.publish_timeout:g} s; "
                    "is the broker overloaded?"
                )
            if restamp and payload.startswith("{"):
                now = rfc3339_ms(int(time.time() * 1000))
                payload = _TS_FIELD.sub(lambda m: f'"ts":"{now}"', payload, count=1)
            mid = conn.publish(topic, publish_bytes(payload), retain=is_retained_topic(topic))
            with self._lock:
                self.sent += 1
                early = self._early[conn.client_id]
                if mid in early:
                    early.discard(mid)
                    self.acked += 1
                    self._sem.release()
                else:
                    self._pending[conn.client_id].add(mid)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait (bounded) until every published message is acknowledged."""
        deadline = time.monotonic() + (self.opts.publish_timeout if timeout is None else timeout)
        while time.monotonic() < deadline:
            with self._lock:
                if self.acked >= self.sent:
                    return True
            time.sleep(0.01)
        with self._lock:
            return self.acked >= self.sent

    def close(self, send_offline: bool = True) -> None:
        for conn in self.conns.values():
            try:
                conn.close(send_offline=send_offline)
            except Exception as exc:  # pragma: no cover - best effort
                self.log(f"closing {conn.client_id}: {exc}")
