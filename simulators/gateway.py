#!/usr/bin/env python3
"""CareHub gateway simulator: plays the gateway of one home over MQTT.

It publishes contract v1 events (see the contract, section 1 and 2) to
``carehub/v1/<home>/<device>/event`` with QoS 1, keeps a retained
``online``/``offline`` status on ``carehub/v1/<home>/gateway/status`` (with
``offline`` as its MQTT last will), and re-sends every alarm event with the same
id until the hub's receipt arrives on ``carehub/v1/<home>/receipt``.

Sub-commands: ``send`` (one event), ``demo`` (a short scripted home) and
``stream`` (N events at a steady rate). Run with ``--help`` for the options.

Exit status: 0 all events sent and every alarm receipted; 1 connection or
publish failure; 2 bad command line; 3 an alarm got no receipt in time;
130/143 interrupted by SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

try:
    import paho.mqtt.client as mqtt
except ImportError:  # pragma: no cover - depends on the environment
    sys.stderr.write(
        "gateway.py needs paho-mqtt 2.x: run `bash scripts/python-env.sh` and use .venv/bin/python.\n"
    )
    sys.exit(1)

TOPIC_ROOT = "carehub/v1"
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
RFC3339_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NO_RECEIPT = 3
EXIT_SIGINT = 130
EXIT_SIGTERM = 143

BOOL_TYPES = ("motion", "smoke", "co", "water", "tamper")
ENUM_TYPES = {
    "door": ("open", "closed"),
    "bed": ("occupied", "empty"),
    "chair": ("occupied", "empty"),
}
NUMBER_TYPES = ("temperature", "power", "battery")
NO_VALUE_TYPES = ("pendant", "pullcord", "fall", "heartbeat")
EVENT_TYPES = BOOL_TYPES + tuple(ENUM_TYPES) + NUMBER_TYPES + NO_VALUE_TYPES

# Value used when `send` gets no --value, for the types where one is obvious.
DEFAULT_VALUES: dict[str, Any] = {
    "motion": True,
    "smoke": True,
    "co": True,
    "water": True,
    "tamper": True,
    "door": "open",
    "bed": "occupied",
    "chair": "occupied",
}

ALARM_TYPES = ("pendant", "pullcord", "fall")
ALARM_WHEN_TRUE = ("smoke", "co", "water")

_TRUE_WORDS = ("true", "1", "yes", "on")
_FALSE_WORDS = ("false", "0", "no", "off")


class GatewayError(Exception):
    """A failure that ends the run with one clear sentence on stderr."""


class Interrupted(Exception):
    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


# --------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------


def now_rfc3339() -> str:
    """Current UTC time, RFC 3339 with milliseconds and `Z`."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_name(kind: str, name: str) -> str:
    if not NAME_RE.match(name or ""):
        raise ValueError(f"{kind} {name!r} must be 1 to 64 characters of A-Z a-z 0-9 _ . -")
    return name


def check_ts(text: str) -> str:
    ok = bool(RFC3339_RE.match(text))
    if ok:
        try:
            datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
        except ValueError:
            ok = False
    if not ok:
        raise ValueError(
            f"--ts {text!r} is not an RFC 3339 time with `Z` or an offset, e.g. 2026-11-29T10:15:02.120Z"
        )
    return text


def parse_value(event_type: str, text: str | None) -> Any:
    """The contract value for `event_type` from its command-line text.

    Returns `None` for the types that carry no value. Raises ValueError with a
    readable message when the text does not fit the type.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}; known: {', '.join(EVENT_TYPES)}")
    if event_type in NO_VALUE_TYPES:
        if text is not None:
            raise ValueError(f"a {event_type} event carries no value (drop --value)")
        return None
    if text is None:
        if event_type in DEFAULT_VALUES:
            return DEFAULT_VALUES[event_type]
        raise ValueError(f"a {event_type} event needs --value NUMBER")
    word = text.strip().lower()
    if event_type in BOOL_TYPES:
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise ValueError(f"a {event_type} value is true or false, not {text!r}")
    if event_type in ENUM_TYPES:
        allowed = ENUM_TYPES[event_type]
        if word in allowed:
            return word
        raise ValueError(f"a {event_type} value is {' or '.join(allowed)}, not {text!r}")
    # numbers
    try:
        number: int | float = int(word)
    except ValueError:
        try:
            number = float(word)
        except ValueError:
            raise ValueError(f"a {event_type} value is a number, not {text!r}") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"a {event_type} value must be a finite number, not {text!r}")
    if event_type == "battery" and not 0 <= number <= 100:
        raise ValueError(f"a battery value is 0 to 100, not {text!r}")
    return number


def make_event(
    event_type: str,
    value: Any = None,
    *,
    room: str | None = None,
    event_id: str | None = None,
    ts: str | None = None,
    battery: float | None = None,
    test: bool = False,
    seq: int | None = None,
) -> dict[str, Any]:
    """One contract v1 event payload (section 2), as a dict."""
    event: dict[str, Any] = {
        "id": event_id or uuid.uuid4().hex,
        "ts": ts or now_rfc3339(),
        "type": event_type,
    }
    if value is not None:
        event["value"] = value
    if room:
        event["room"] = room
    if battery is not None:
        event["battery"] = battery
    if seq is not None:
        event["seq"] = seq
    if test:
        event["test"] = True
    return event


def is_alarm(event: dict[str, Any]) -> bool:
    """Alarm events are re-sent until the hub receipts them."""
    kind = event.get("type")
    return kind in ALARM_TYPES or (kind in ALARM_WHEN_TRUE and event.get("value") is True)


def event_topic(home: str, device: str) -> str:
    return f"{TOPIC_ROOT}/{home}/{device}/event"


def status_topic(home: str) -> str:
    return f"{TOPIC_ROOT}/{home}/gateway/status"


def receipt_topic(home: str) -> str:
    return f"{TOPIC_ROOT}/{home}/receipt"


def encode(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# --------------------------------------------------------------------------
# The MQTT gateway
# --------------------------------------------------------------------------


@dataclass
class PendingAlarm:
    event: dict[str, Any]
    topic: str
    payload: str
    deadline: float
    attempt: int = 0
    last_sent: float = 0.0
    copies_acked: int = 0
    first_sent: float = field(default_factory=time.monotonic)


class Gateway:
    """One gateway connection. All waits are bounded by the configured timeouts."""

    def __init__(
        self,
        home: str,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        client_id: str | None = None,
        username: str | None = None,
        password: str | None = None,
        cafile: str | None = None,
        keepalive: int = 30,
        resend_interval: float = 5.0,
        receipt_timeout: float = 60.0,
        publish_timeout: float = 10.0,
        connect_timeout: float = 10.0,
        status_format: str = "plain",
        quiet: bool = False,
        out: Callable[[str], None] | None = None,
    ):
        self.home = home
        self.host = host
        self.port = port
        self.keepalive = keepalive
        self.resend_interval = resend_interval
        self.receipt_timeout = receipt_timeout
        self.publish_timeout = publish_timeout
        self.connect_timeout = connect_timeout
        self.quiet = quiet
        self._out = out or self._print
        self.status_topic = status_topic(home)
        self.receipt_topic = receipt_topic(home)
        if status_format == "json":
            self._online, self._offline = encode({"state": "online"}), encode({"state": "offline"})
        else:
            self._online, self._offline = "online", "offline"

        self._cond = threading.Condition()
        self._out_lock = threading.Lock()
        self._acked: set[int] = set()
        self._receipts: dict[str, dict[str, Any]] = {}
        self._connected = False
        self._fatal: str | None = None
        self._sub_mid: int | None = None
        self._subscribed = False
        self._online_mid: int | None = None
        self._closing = False
        self._started = False
        self.pending: dict[str, PendingAlarm] = {}
        self.unreceipted: list[PendingAlarm] = []

        c = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id or f"gw-{home}",
            clean_session=True,
            protocol=mqtt.MQTTv311,
        )
        c.will_set(self.status_topic, self._offline, qos=1, retain=True)
        if username is not None:
            c.username_pw_set(username, password)
        if cafile:
            c.tls_set(ca_certs=cafile)
        c.reconnect_delay_set(min_delay=1, max_delay=5)
        c.connect_timeout = connect_timeout
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_subscribe = self._on_subscribe
        c.on_publish = self._on_publish
        c.on_message = self._on_message
        self.client = c

    # ---- output -------------------------------------------------------------

    @staticmethod
    def _print(line: str) -> None:
        try:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. piped into `head`
            pass

    def emit(self, obj: dict[str, Any]) -> None:
        if self.quiet:
            return
        with self._out_lock:
            self._out(encode(obj))

    @staticmethod
    def warn(message: str) -> None:
        sys.stderr.write(f"gateway: {message}\n")
        sys.stderr.flush()

    # ---- paho callbacks (network thread) --------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            with self._cond:
                self._fatal = f"the broker at {self.host}:{self.port} refused the connection: {reason_code}"
                self._cond.notify_all()
            return
        # clean_session=True: (re)subscribe and (re)announce on every connect.
        _, sub_mid = client.subscribe(self.receipt_topic, qos=1)
        info = client.publish(self.status_topic, self._online, qos=1, retain=True)
        with self._cond:
            self._connected = True
            self._sub_mid = sub_mid
            self._online_mid = info.mid
            self._cond.notify_all()
        if self._started:
            self.warn("reconnected to the broker")

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        with self._cond:
            self._connected = False
            self._subscribed = False
            self._cond.notify_all()
        if not self._closing:
            self.warn(f"lost the connection to the broker ({reason_code}); reconnecting")

    def _on_subscribe(self, client, userdata, mid, reason_code_list, properties):
        with self._cond:
            if mid == self._sub_mid:
                if any(rc.is_failure for rc in reason_code_list):
                    self._fatal = f"the broker refused the subscription to {self.receipt_topic}"
                else:
                    self._subscribed = True
            self._cond.notify_all()

    def _on_publish(self, client, userdata, mid, reason_code, properties):
        with self._cond:
            self._acked.add(mid)
            self._cond.notify_all()

    def _on_message(self, client, userdata, message):
        try:
            receipt = json.loads(message.payload.decode("utf-8"))
            if not isinstance(receipt, dict) or not isinstance(receipt.get("id"), str):
                raise ValueError("no string id")
        except (UnicodeDecodeError, ValueError):
            self.warn(f"ignored a malformed receipt on {message.topic}: {message.payload[:200]!r}")
            return
        with self._cond:
            self._receipts[receipt["id"]] = receipt
            self._cond.notify_all()
        self.emit({"receipt": receipt})

    # ---- connection -----------------------------------------------------------

    def _wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait (bounded) for predicate under the condition; raise on a fatal error."""
        with self._cond:
            ok = self._cond.wait_for(lambda: self._fatal is not None or predicate(), max(0.0, timeout))
            if self._fatal is not None:
                raise GatewayError(self._fatal)
            return ok

    def start(self) -> None:
        """Connect, subscribe to the receipt topic and publish the retained `online`."""
        # A gateway holding an alarm keeps trying a broker that is down or restarting (bounded by connect_timeout).
        deadline = time.monotonic() + self.connect_timeout
        while True:
            try:
                self.client.connect(self.host, self.port, keepalive=self.keepalive)
                break
            except ValueError as exc:
                raise GatewayError(f"cannot connect to the broker at {self.host}:{self.port}: {exc}") from None
            except OSError as exc:
                if time.monotonic() + 0.5 >= deadline:
                    raise GatewayError(
                        f"cannot connect to the broker at {self.host}:{self.port}: {exc} (kept trying for {self.connect_timeout:g} s)"
                    ) from None
                time.sleep(0.5)
        self.client.loop_start()
        ok = self._wait(
            lambda: self._subscribed and self._online_mid is not None and self._online_mid in self._acked,
            self.connect_timeout,
        )
        if not ok:
            raise GatewayError(
                f"the broker at {self.host}:{self.port} did not complete connect, subscribe and "
                f"status publish within {self.connect_timeout:g} s"
            )
        self._started = True

    def close(self) -> None:
        """Publish the retained `offline` (if connected) and disconnect cleanly."""
        self._closing = True
        try:
            with self._cond:
                connected = self._connected
            if connected:
                info = self.client.publish(self.status_topic, self._offline, qos=1, retain=True)
                try:
                    if not self._wait(lambda: info.mid in self._acked, min(self.publish_timeout, 5.0)):
                        self.warn("no PUBACK for the offline status; the last will covers it")
                except GatewayError:
                    pass
            self.client.disconnect()
        finally:
            self.client.loop_stop()

    # ---- publishing -------------------------------------------------------------

    def _publish(self, topic: str, payload: str, retain: bool = False) -> int:
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        # MQTT_ERR_NO_CONN means queued until the client reconnects: the PUBACK wait bounds it.
        if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            raise GatewayError(f"publishing to {topic} failed: {mqtt.error_string(info.rc)}")
        return info.mid

    def _take_ack(self, mid: int, timeout: float, also: Callable[[], bool] = lambda: False) -> bool:
        ok = self._wait(lambda: mid in self._acked or also(), timeout)
        with self._cond:
            acked = mid in self._acked
            self._acked.discard(mid)
        return ok and (acked or also())

    def send(self, device: str, event: dict[str, Any]) -> None:
        """Publish one event. A plain event waits for its PUBACK; an alarm is
        tracked and re-sent by `service` until its receipt arrives."""
        topic = event_topic(self.home, device)
        payload = encode(event)
        if is_alarm(event):
            now = time.monotonic()
            alarm = PendingAlarm(event, topic, payload, deadline=now + self.receipt_timeout, first_sent=now)
            self.pending[event["id"]] = alarm
            self._send_copy(alarm)
            return
        mid = self._publish(topic, payload)
        if not self._take_ack(mid, self.publish_timeout):
            raise GatewayError(
                f"no PUBACK for event {event['id']} on {topic} within {self.publish_timeout:g} s"
            )
        self.emit({"sent": event, "topic": topic, "attempt": 1})

    def _has_receipt(self, event_id: str) -> bool:
        with self._cond:
            return event_id in self._receipts

    def _send_copy(self, alarm: PendingAlarm) -> None:
        alarm.attempt += 1
        alarm.last_sent = time.monotonic()
        mid = self._publish(alarm.topic, alarm.payload)
        event_id = alarm.event["id"]
        wait = min(self.publish_timeout, max(0.0, alarm.deadline - time.monotonic()))
        if self._take_ack(mid, wait, also=lambda: event_id in self._receipts):
            alarm.copies_acked += 1
            self.emit({"sent": alarm.event, "topic": alarm.topic, "attempt": alarm.attempt})
        else:
            self.warn(f"no PUBACK for copy {alarm.attempt} of alarm {event_id}; will re-send")

    def service(self, until: float | None = None) -> None:
        """Re-send pending alarms until each is receipted or times out.

        With `until` (a time.monotonic() value) return then, pending or not;
        without it return once no alarm is pending.
        """
        while True:
            now = time.monotonic()
            for event_id, alarm in list(self.pending.items()):
                if self._has_receipt(event_id):
                    del self.pending[event_id]
                elif now >= alarm.deadline:
                    del self.pending[event_id]
                    self.unreceipted.append(alarm)
                    self.warn(
                        f"error: no receipt for alarm event {event_id} ({alarm.event['type']}) on "
                        f"{self.receipt_topic} within {self.receipt_timeout:g} s, after "
                        f"{alarm.attempt} cop{'y' if alarm.attempt == 1 else 'ies'}"
                    )
                elif now >= alarm.last_sent + self.resend_interval:
                    self._send_copy(alarm)
            now = time.monotonic()
            if until is None and not self.pending:
                return
            if until is not None and now >= until:
                return
            wake = [until] if until is not None else []
            for alarm in self.pending.values():
                wake.append(min(alarm.deadline, alarm.last_sent + self.resend_interval))
            delay = max(0.0, min(wake) - now) if wake else 0.0
            ids = set(self.pending)
            self._wait(lambda: any(i in self._receipts for i in ids), delay)

    def pause(self, seconds: float) -> None:
        """Sleep while still re-sending pending alarms."""
        self.service(until=time.monotonic() + max(0.0, seconds))


# --------------------------------------------------------------------------
# Sub-commands
# --------------------------------------------------------------------------


def cmd_send(gw: Gateway, args: argparse.Namespace) -> None:
    gw.send(args.device, args.event)
    gw.service()


# (delay before, device, type, value, room): a morning in a small flat, then a pendant press.
DEMO_SCRIPT: list[tuple[float, str, str, Any, str]] = [
    (0.0, "pir-bedroom", "motion", True, "bedroom"),
    (0.3, "pir-hall", "motion", True, "hall"),
    (0.3, "pir-bathroom", "motion", True, "bathroom"),
    (0.3, "pir-kitchen", "motion", True, "kitchen"),
    (0.3, "door-front", "door", "open", "front_door"),
    (0.3, "door-front", "door", "closed", "front_door"),
    (0.2, "pir-hall", "motion", True, "hall"),
    (0.3, "temp-lounge", "temperature", 19.5, "lounge"),
    (0.2, "pir-lounge", "motion", True, "lounge"),
    (0.2, "pir-bedroom", "heartbeat", None, "bedroom"),
    (0.4, "pendant-1", "pendant", None, "lounge"),
]


def cmd_demo(gw: Gateway, args: argparse.Namespace) -> None:
    for delay, device, event_type, value, room in DEMO_SCRIPT:
        gw.pause(delay / args.speed)
        gw.send(device, make_event(event_type, value, room=room))
    gw.service()


MOTION_ROOMS = ("hall", "kitchen", "lounge", "bedroom", "bathroom", "toilet")
DOOR_ROOMS = ("fridge", "back_door", "front_door")


def stream_devices(count: int) -> list[tuple[str, str, str]]:
    """(device, type, room) for `count` devices: motion and door sensors alternating."""
    devices = []
    for i in range(count):
        if i % 2 == 0:
            devices.append((f"pir-{i + 1}", "motion", MOTION_ROOMS[(i // 2) % len(MOTION_ROOMS)]))
        else:
            devices.append((f"door-{i + 1}", "door", DOOR_ROOMS[(i // 2) % len(DOOR_ROOMS)]))
    return devices


def cmd_stream(gw: Gateway, args: argparse.Namespace) -> None:
    devices = stream_devices(args.devices)
    per_device = [0] * len(devices)
    prefix = args.id_prefix or gw.home
    start = time.monotonic()
    for n in range(1, args.count + 1):
        target = start + (n - 1) / args.rate
        delay = target - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        k = (n - 1) % len(devices)
        device, event_type, room = devices[k]
        per_device[k] += 1
        on = per_device[k] % 2 == 1
        value = on if event_type == "motion" else ("open" if on else "closed")
        event = make_event(
            event_type, value, room=room, event_id=f"{prefix}-{n}",
            seq=per_device[k] if args.seq else None,
        )
        gw.send(device, event)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def _positive(kind: type) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
        return value

    return convert


def _add_common(p: argparse.ArgumentParser, suppress: bool) -> None:
    """Connection options; accepted before or after the sub-command."""

    def d(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    g = p.add_argument_group("connection and gateway options")
    g.add_argument("--host", default=d("127.0.0.1"), help="broker host (default 127.0.0.1)")
    g.add_argument("--port", type=int, default=d(None), help="broker port (default 1883, or 8883 with --cafile)")
    g.add_argument("--home", default=d(None), help="home id (required): 1-64 of A-Z a-z 0-9 _ . -")
    g.add_argument("--client-id", default=d(None), help="MQTT client id (default gw-<home>)")
    g.add_argument("--username", default=d(None), help="MQTT user name")
    g.add_argument(
        "--password", default=d(None),
        help="MQTT password (default: the CAREHUB_MQTT_PASSWORD environment variable)",
    )
    g.add_argument("--cafile", default=d(None), help="CA certificate file: connect with TLS")
    g.add_argument("--keepalive", type=int, default=d(30), help="MQTT keepalive in s (default 30)")
    g.add_argument(
        "--resend-interval", type=_positive(float), default=d(5.0),
        help="re-send an unreceipted alarm every S s (default 5)",
    )
    g.add_argument(
        "--receipt-timeout", type=_positive(float), default=d(60.0),
        help="give up on an alarm's receipt after S s and exit 3 (default 60)",
    )
    g.add_argument(
        "--publish-timeout", type=_positive(float), default=d(10.0),
        help="wait at most S s for a PUBACK (default 10)",
    )
    g.add_argument(
        "--connect-timeout", type=_positive(float), default=d(10.0),
        help="wait at most S s to connect (default 10)",
    )
    g.add_argument(
        "--status-format", choices=("plain", "json"), default=d("plain"),
        help='status payload: online/offline (plain, default) or {"state":"online"} (json)',
    )
    g.add_argument("--quiet", action="store_true", default=d(False), help="print no JSON lines")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gateway.py",
        description="Play the MQTT gateway of one CareHub home (contract v1).",
        epilog="Exit status: 0 ok; 1 connection or publish failure; 2 bad arguments; "
        "3 an alarm was not receipted in time.",
    )
    _add_common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{send,demo,stream}")

    s = sub.add_parser("send", help="publish one event", description="Publish one contract event.")
    s.add_argument("--type", required=True, choices=EVENT_TYPES, metavar="TYPE",
                   help=f"event type: {', '.join(EVENT_TYPES)}")
    s.add_argument("--device", required=True, help="device id")
    s.add_argument("--room", help="room of the device (bedroom, hall, front_door, ...)")
    s.add_argument(
        "--value",
        help="true/false (motion smoke co water tamper; default true), open/closed (door; default open), "
        "occupied/empty (bed chair; default occupied), a number (temperature power battery); "
        "none for pendant pullcord fall heartbeat",
    )
    s.add_argument("--id", help="event id (default: a random uuid4 hex)")
    s.add_argument("--ts", help="event time, RFC 3339 (default: now, UTC, milliseconds)")
    s.add_argument("--battery", type=float, help="battery level 0-100")
    s.add_argument("--seq", type=int, help="per-device sequence number")
    s.add_argument("--test", action="store_true", help='add "test": true (a smoke alarm self-test)')
    _add_common(s, suppress=True)

    dm = sub.add_parser("demo", help="a short scripted home ending with a pendant press",
                        description="A short scripted home: motion in several rooms, the front door, "
                        "a temperature, a heartbeat, then pendant-1 pressed in the lounge.")
    dm.add_argument("--speed", type=_positive(float), default=1.0, help="time factor (default 1; 2 = twice as fast)")
    _add_common(dm, suppress=True)

    st = sub.add_parser("stream", help="N motion/door events at a steady rate",
                        description="N motion and door events over M devices at R events/s, ids <home>-<n>.")
    st.add_argument("--count", type=_positive(int), required=True, help="number of events")
    st.add_argument("--rate", type=_positive(float), required=True, help="events per second (an upper bound)")
    st.add_argument("--devices", type=_positive(int), default=4, help="number of devices (default 4)")
    st.add_argument("--id-prefix", help="event ids are <prefix>-<n> (default: the home id)")
    st.add_argument("--seq", action="store_true", help="add a per-device seq counting from 1")
    _add_common(st, suppress=True)
    return parser


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.home is None:
            raise ValueError("--home is required")
        check_name("home", args.home)
        if args.port is None:
            args.port = 8883 if args.cafile else 1883
        if not 0 < args.port < 65536:
            raise ValueError(f"--port {args.port} is not a TCP port")
        if not 0 <= args.keepalive <= 65535:
            raise ValueError(f"--keepalive {args.keepalive} must be 0 to 65535")
        if args.password is None:
            args.password = os.environ.get("CAREHUB_MQTT_PASSWORD")
        if args.cafile and not os.path.isfile(args.cafile):
            raise ValueError(f"--cafile {args.cafile} is not a file")
        if args.command == "send":
            check_name("device", args.device)
            if args.id is not None and not args.id.strip():
                raise ValueError("--id must not be empty")
            if args.ts is not None:
                check_ts(args.ts)
            if args.battery is not None and not 0 <= args.battery <= 100:
                raise ValueError("--battery must be 0 to 100")
            battery = args.battery
            if battery is not None and battery == int(battery):
                battery = int(battery)
            args.event = make_event(
                args.type, parse_value(args.type, args.value), room=args.room, event_id=args.id,
                ts=args.ts, battery=battery, test=args.test, seq=args.seq,
            )
        if args.command == "stream" and args.id_prefix is not None and not args.id_prefix:
            raise ValueError("--id-prefix must not be empty")
    except ValueError as exc:
        parser.error(str(exc))
    return args


COMMANDS = {"send": cmd_send, "demo": cmd_demo, "stream": cmd_stream}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def on_signal(signum, frame):
        raise Interrupted(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    gw = Gateway(
        args.home, host=args.host, port=args.port, client_id=args.client_id,
        username=args.username, password=args.password, cafile=args.cafile,
        keepalive=args.keepalive, resend_interval=args.resend_interval,
        receipt_timeout=args.receipt_timeout, publish_timeout=args.publish_timeout,
        connect_timeout=args.connect_timeout, status_format=args.status_format, quiet=args.quiet,
    )
    code = EXIT_OK
    started = False
    try:
        gw.start()
        started = True
        COMMANDS[args.command](gw, args)
        if gw.unreceipted:
            code = EXIT_NO_RECEIPT
    except GatewayError as exc:
        Gateway.warn(f"error: {exc}")
        code = EXIT_ERROR
    except Interrupted as exc:
        Gateway.warn(f"stopped by {exc}")
        code = EXIT_SIGINT if exc.signum == signal.SIGINT else EXIT_SIGTERM
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if started or gw._connected:
            gw.close()
        else:
            gw.client.loop_stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
