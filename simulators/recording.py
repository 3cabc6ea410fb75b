#!/usr/bin/env python3
"""Publish a real smart-home recording as CareHub contract events, or convert it to a replay file.

Formats (see simulators/README.md for every mapping decision):

- ``homeassist``: HomeAssist (Bordeaux) ``local-time;sensor;value``, Europe/Paris local time.
- ``casas``: WSU CASAS; the pre-processed hh109 CSV ``YYYY-MM-DD HH:MM:SS.ffffff,SENSOR,ON``, or
  the raw whitespace-separated format ``date time sensor location location value type``.
- ``ordonez``: UCI Ordonez ADL ``*_Sensors.txt`` intervals (an ON at the start, an OFF at the end).

Every emitted event is a valid contract v1 event: ``id`` is ``<home>-<line>`` (plus ``-on``/``-off``
for Ordonez intervals), stable whatever slice is published; ``seq`` counts each device's events from
the top of the file; ``ts`` is the recorded local time converted to UTC.

``--output FILE.jsonl`` writes a replay file (contract section 5; ``at`` = ``ts`` + 100 ms, never
going backwards), ``--mqtt`` publishes with QoS 1 at ``--speed`` (recorded time / speed), keeping the
gateway's retained status and last will like gateway.py.

Exit status: 0 ok; 1 failure; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from carehub_sim.contract import check_name, encode, event_problems, event_topic  # noqa: E402
from carehub_sim.replay import Record, ReplayWriter, open_output, raw_payload  # noqa: E402
from carehub_sim.timeutil import (  # noqa: E402
    parse_local_datetime,
    parse_rfc3339,
    rfc3339_ms,
    to_epoch_ms,
    zone,
)

DEFAULT_TZ = {"homeassist": "Europe/Paris", "casas": "America/Los_Angeles", "ordonez": "Europe/Madrid"}
DEFAULT_HOME = {"homeassist": "homeassist-home1", "casas": "casas-hh109", "ordonez": "ordonez-a"}


@dataclass
class Ev:
    line: int
    local: datetime  # naive, the recording's local time
    device: str
    type: str
    value: Any
    room: str | None
    id_suffix: str = ""


class Skip(Exception):
    """A line that is deliberately not converted; the message is the reason, counted in the summary."""


# --------------------------------------------------------------------------------------------
# HomeAssist
# --------------------------------------------------------------------------------------------

# Sensor -> (device id, room). The device ids and rooms are those of the hub's shipped mapping
# (deploy/mappings/homeassist-home1.yaml), so that this replay file and
# `carehub replay --input-format homeassist` give the same devices.
HA_SENSORS = {
    "MotionD_K": ("pir-kitchen", "kitchen"),
    "MotionD_E": ("pir-entrance", "hall"),
    "MotionD_L": ("pir-living", "lounge"),
    "MotionD_Ba": ("pir-bathroom", "bathroom"),
    "MotionD_T": ("pir-toilet", "toilet"),
    "MotionD_B": ("pir-bedroom", "bedroom"),
    "MotionD_S": ("pir-s", "other"),  # S is not identified in SOURCE.md
    # ContactS_*: 1 = open, 0 = closed (see README: open spells last seconds, closed ones hours).
    "ContactS_E": ("door-entrance", "front_door"),
    "ContactS_Fridge": ("fridge-door", "fridge"),
    "ContactS_Cupboard": ("cupboard-door", "cupboard"),
    "EMeter_L": ("plug-living", "lounge"),
    "EMeter_Coffeemaker": ("plug-coffeemaker", "kitchen"),
}


def _number(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise Skip("value is not a number") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise Skip("value is not a number")
    return v


def _num_value(v: float) -> int | float:
    return int(v) if v.is_integer() else v


def homeassist_event(n: int, line: str, room_map: dict[str, str], commfailure: str = "skip") -> Ev:
    parts = line.rstrip("\r\n").split(";")
    if len(parts) != 3:
        raise Skip("not local-time;sensor;value")
    when, sensor, value = parts
    try:
        local = datetime.fromisoformat(when)
    except ValueError:
        raise Skip("bad time") from None
    if local.tzinfo is not None:
        raise Skip("time carries a zone (expected local time)")
    base, _, attr = sensor.partition(".")
    if base not in HA_SENSORS:
        raise Skip(f"sensor {base} not mapped")
    device, room = HA_SENSORS[base]
    room = room_map.get(base) or room_map.get(device) or room
    if attr == "BatteryLevel":
        v = _number(value)
        if not 0 <= v <= 100:
            raise Skip("battery outside 0-100")
        return Ev(n, local, device, "battery", _num_value(v), room)
    if attr == "CommFailure":
        if commfailure == "heartbeat" and value.strip() == "0":
            # The platform heard from the device again: evidence that it is alive.
            return Ev(n, local, device, "heartbeat", None, room)
        raise Skip(".CommFailure (the platform's health, not the home's)")
    if attr:
        raise Skip(f".{attr} (not mapped)")
    kind = base.partition("_")[0]
    if kind == "MotionD":
        if value not in ("0", "1"):
            raise Skip("motion value is not 0/1")
        return Ev(n, local, device, "motion", value == "1", room)
    if kind == "ContactS":
        if value not in ("0", "1"):
            raise Skip("contact value is not 0/1")
        return Ev(n, local, device, "door", "open" if value == "1" else "closed", room)
    v = _number(value)
    if v < 0:
        raise Skip("negative power (meter fault)")
    if v > 100000:
        raise Skip("power over 100 kW (meter fault)")
    return Ev(n, local, device, "power", round(v, 1), room)


# --------------------------------------------------------------------------------------------
# CASAS
# --------------------------------------------------------------------------------------------

CASAS_ROOM_WORDS = [
    ("bathroom", "bathroom"), ("toilet", "toilet"), ("bedroom", "bedroom"), ("kitchen", "kitchen"),
    ("living", "lounge"), ("lounge", "lounge"), ("dining", "lounge"), ("frontdoor", "front_door"),
    ("backdoor", "back_door"), ("entry", "hall"), ("hall", "hall"), ("fridge", "fridge"),
]


def casas_room(words: list[str]) -> str:
    for w in words:
        lw = w.lower()
        for key, room in CASAS_ROOM_WORDS:
            if key in lw:
                return room
    return "other"


def casas_event(n: int, line: str, room_map: dict[str, str]) -> Ev:
    text = line.strip()
    if not text:
        raise Skip("blank line")
    if "," in text:  # hh109 pre-processed: time,sensor,value
        parts = [p.strip() for p in text.split(",")]
        if len(parts) < 3:
            raise Skip("not time,sensor,value")
        when, sensor, value = parts[0], parts[1], parts[2]
        words: list[str] = []
        sensor_type = ""
    else:  # raw CASAS: date time sensor location location value type
        parts = text.split()
        if len(parts) < 4:
            raise Skip("too few fields")
        when, sensor = parts[0] + " " + parts[1], parts[2]
        if len(parts) >= 7:
            words, value, sensor_type = parts[3:5], parts[5], parts[6]
        else:
            words, value, sensor_type = [], parts[3], ""
    try:
        local = datetime.fromisoformat(when)
    except ValueError:
        raise Skip("bad time") from None
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", sensor):
        raise Skip("sensor id is not a valid device id")
    v = value.upper()
    room = room_map.get(sensor)
    st = sensor_type.lower()
    low = sensor.lower()
    # Device ids as in deploy/mappings/casas-hh109.yaml: M012 -> pir-m012 (doors door-d002, batteries batp102).
    if "door" in st or (not st and sensor.startswith("D") and v in ("OPEN", "CLOSE", "CLOSED")):
        if v not in ("OPEN", "CLOSE", "CLOSED"):
            raise Skip("door value is not OPEN/CLOSE")
        return Ev(n, local, f"door-{low}", "door", "open" if v == "OPEN" else "closed",
                  room or room_map.get(f"door-{low}") or casas_room(words))
    if "batterypercent" in st:
        b = _number(value)
        if not 0 <= b <= 100:
            raise Skip("battery outside 0-100")
        return Ev(n, local, low, "battery", _num_value(b), room)
    if "temperature" in st:
        raise Skip("temperature (unit not stated)")
    if "motion" in st or (not st and sensor[:1] == "M") or sensor.startswith("MA"):
        if v not in ("ON", "OFF"):
            raise Skip("motion value is not ON/OFF")
        return Ev(n, local, f"pir-{low}", "motion", v == "ON",
                  room or room_map.get(f"pir-{low}") or casas_room(words))
    raise Skip(f"sensor type {sensor_type or sensor} not mapped")


# --------------------------------------------------------------------------------------------
# Ordonez
# --------------------------------------------------------------------------------------------

ORDONEZ_PLACES = {"bathroom": "bathroom", "kitchen": "kitchen", "bedroom": "bedroom", "living": "lounge",
                  "entrance": "hall"}
ORDONEZ_CONTACT_ROOMS = {"maindoor": "front_door", "fridge": "fridge", "cupboard": "cupboard", "cabinet": "cabinet"}
ORDONEZ_ELECTRIC_WATTS = 1000.0  # nominal: the dataset only says on/off


def ordonez_events(n: int, line: str, room_map: dict[str, str]) -> list[Ev]:
    parts = line.split()
    if len(parts) < 6 or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", parts[0]):
        raise Skip("not an interval line")
    try:
        start = datetime.fromisoformat(parts[0] + " " + parts[1])
        end = datetime.fromisoformat(parts[2] + " " + parts[3])
    except ValueError:
        raise Skip("bad time") from None
    location, stype = parts[4], parts[5]
    place = parts[6] if len(parts) > 6 else ""
    device = f"{location}_{stype}_{place}" if place else f"{location}_{stype}"  # home B has 3 "Door PIR"s
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", device):
        raise Skip("sensor name is not a valid device id")
    room = room_map.get(device) or ORDONEZ_PLACES.get(place.lower(), "other")
    t = stype.lower()
    if t == "pir":
        on, off = ("motion", True), ("motion", False)
    elif t == "magnetic":
        room = room_map.get(device) or ORDONEZ_CONTACT_ROOMS.get(location.lower(), room)
        on, off = ("door", "open"), ("door", "closed")
    elif t == "pressure":
        kind = "bed" if location.lower() == "bed" else "chair"
        if kind == "bed":
            room = room_map.get(device) or "bedroom"
        on, off = (kind, "occupied"), (kind, "empty")
    elif t == "flush":
        room = room_map.get(device) or "toilet"
        on, off = ("motion", True), ("motion", False)
    elif t == "electric":
        on, off = ("power", ORDONEZ_ELECTRIC_WATTS), ("power", 0.0)
    else:
        raise Skip(f"sensor type {stype} not mapped")
    return [Ev(n, start, device, on[0], on[1], room, "-on"), Ev(n, end, device, off[0], off[1], room, "-off")]


# --------------------------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------------------------


def read_events(path: str, fmt: str, room_map: dict[str, str], skipped: Counter[str],
                commfailure: str = "skip") -> list[Ev]:
    encoding = "iso-8859-1" if fmt == "ordonez" else "utf-8"
    events: list[Ev] = []
    with open(path, encoding=encoding, errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                if fmt == "homeassist":
                    events.append(homeassist_event(n, line, room_map, commfailure))
                elif fmt == "casas":
                    events.append(casas_event(n, line, room_map))
                else:
                    if n <= 2 and not re.match(r"^\d{4}-", line):
                        continue  # the two header lines
                    events.extend(ordonez_events(n, line, room_map))
            except Skip as reason:
                skipped[str(reason)] += 1
    events.sort(key=lambda e: (e.local, e.line, e.id_suffix == "-on"))
    return events


@dataclass
class Converted:
    records: list[Record]
    counts: Counter[str]
    first_ts: int | None
    last_ts: int | None


def parse_bound(text: str | None, tz) -> int | None:
    """Epoch ms of a --start/--end: RFC 3339 with a zone, or a local time of the recording."""
    if text is None:
        return None
    try:
        return int(parse_rfc3339(text).timestamp() * 1000)
    except ValueError:
        pass
    return to_epoch_ms(parse_local_datetime(text), tz)


def convert(events: list[Ev], home: str, tz, start: int | None, end: int | None, limit: int | None) -> Converted:
    seq: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    records: list[Record] = []
    last_at = 0
    first_ts = last_ts = None
    for ev in events:
        seq[ev.device] += 1
        ts = to_epoch_ms(ev.local, tz)
        if start is not None and ts < start:
            continue
        if end is not None and ts >= end:
            break
        if limit is not None and len(records) >= limit:
            break
        payload: dict[str, Any] = {"id": f"{home}-{ev.line}{ev.id_suffix}", "ts": rfc3339_ms(ts), "type": ev.type}
        if ev.value is not None:
            payload["value"] = ev.value
        if ev.room:
            payload["room"] = ev.room
        payload["seq"] = seq[ev.device]
        at = max(ts + 100, last_at + 1)
        last_at = at
        records.append((at, event_topic(home, ev.device), encode(payload)))
        counts[ev.type] += 1
        first_ts = ts if first_ts is None else first_ts
        last_ts = ts
    if records:
        records.insert(0, (records[0][0] - 1000, f"carehub/v1/{home}/gateway/status", raw_payload("online")))
    return Converted(records, counts, first_ts, last_ts)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="recording.py",
        description="Publish a recorded home (HomeAssist, CASAS, Ordonez) as CareHub contract events over "
        "MQTT at a speed factor, or convert it to a replay file.",
        epilog="Exit status: 0 ok; 1 failure; 2 bad arguments.",
    )
    p.add_argument("--format", required=True, choices=("homeassist", "casas", "ordonez"), help="input format")
    p.add_argument("file", help="the recording")
    p.add_argument("--home", help="home id (default: homeassist-home1, casas-hh109 or ordonez-a)")
    p.add_argument("--timezone", help="the recording's local time zone (default: Europe/Paris for homeassist, "
                   "America/Los_Angeles for casas, Europe/Madrid for ordonez)")
    p.add_argument("--room-map", metavar="DEV=ROOM,...",
                   help="override rooms by sensor or device id, e.g. M012=kitchen,pir-m014=bedroom")
    p.add_argument("--commfailure", choices=("skip", "heartbeat"), default="skip",
                   help="HomeAssist .CommFailure lines: skip them (default, as the hub's shipped mapping does) "
                   "or turn each 0 (the platform heard from the device again) into a heartbeat")
    p.add_argument("--start", help="first event time: local time of the recording, or RFC 3339 with a zone")
    p.add_argument("--end", help="end (exclusive), like --start")
    p.add_argument("--limit", type=int, help="at most N events")
    p.add_argument("--output", metavar="FILE.jsonl", help="write a replay file ('-' = standard output)")
    p.add_argument("--mqtt", action="store_true", help="publish over MQTT")
    g = p.add_argument_group("MQTT options")
    g.add_argument("--speed", type=float, default=1.0,
                   help="time factor: 60 = one recorded minute per second (default 1; 0 = no pacing)")
    g.add_argument("--ts", choices=("publish", "recorded"), default="publish",
                   help="event ts when publishing: the publish time (default; what a live hub accepts, whatever "
                   "the speed) or the recorded time")
    g.add_argument("--host", default="127.0.0.1", help="broker host (default 127.0.0.1)")
    g.add_argument("--port", type=int, help="broker port (default 1883, 8883 with --cafile)")
    g.add_argument("--username", help="MQTT user name")
    g.add_argument("--password", help="MQTT password (default: $CAREHUB_MQTT_PASSWORD)")
    g.add_argument("--cafile", help="CA certificate: connect with TLS")
    g.add_argument("--window", type=int, default=10_000, help="max unacknowledged messages (default 10000)")
    g.add_argument("--publish-timeout", type=float, default=30, help="PUBACK wait in s (default 30)")
    g.add_argument("--connect-timeout", type=float, default=10, help="connect wait in s (default 10)")
    p.add_argument("--quiet", action="store_true", help="no summary on standard error")
    return p


def summary(args, home: str, conv: Converted, skipped: Counter[str], elapsed: float, where: str) -> str:
    lines = [
        f"recording.py: {args.format} {args.file} as home {home}: {sum(conv.counts.values())} event(s) {where} "
        f"in {elapsed:.1f} s",
    ]
    if conv.first_ts is not None:
        lines.append(f"  recorded from {rfc3339_ms(conv.first_ts)} to {rfc3339_ms(conv.last_ts)}")
    lines.append("events per type:")
    for k, v in sorted(conv.counts.items()):
        lines.append(f"  {k:12s} {v}")
    if skipped:
        lines.append("lines not converted (whole file):")
        for k, v in skipped.most_common():
            lines.append(f"  {v:7d}  {k}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if bool(args.output) == bool(args.mqtt):
        parser.error("give exactly one of --output FILE or --mqtt")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.speed < 0:
        parser.error("--speed must be 0 or more")
    home = args.home or DEFAULT_HOME[args.format]
    try:
        check_name("home", home)
        tz = zone(args.timezone or DEFAULT_TZ[args.format])
        start, end = parse_bound(args.start, tz), parse_bound(args.end, tz)
        room_map: dict[str, str] = {}
        if args.room_map:
            for item in args.room_map.split(","):
                dev, sep, room = item.partition("=")
                if not sep or not dev.strip() or not room.strip():
                    raise ValueError(f"--room-map item {item!r} is not DEVICE=ROOM")
                room_map[dev.strip()] = room.strip()
    except ValueError as exc:
        parser.error(str(exc))
    if not os.path.isfile(args.file):
        sys.stderr.write(f"recording.py: error: {args.file} is not a file\n")
        return 1
    t0 = time.monotonic()
    skipped: Counter[str] = Counter()
    events = read_events(args.file, args.format, room_map, skipped, args.commfailure)
    conv = convert(events, home, tz, start, end, args.limit)
    bad = [r for r in conv.records if r[1].endswith("/event") and event_problems(r[2])]
    if bad:  # a bug, not a data problem: every converted event must be valid
        sys.stderr.write(f"recording.py: error: {len(bad)} converted event(s) break the contract, e.g. {bad[0][2]}\n")
        return 1
    if args.output:
        out = open_output(args.output)
        try:
            ReplayWriter(out).write(conv.records)
        finally:
            if out is not sys.stdout:
                out.close()
        where = f"written to {args.output}"
    else:
        from carehub_sim.mqttpub import BrokerOptions, PublishError, StatusSpec, StreamPublisher

        port = args.port if args.port is not None else (8883 if args.cafile else 1883)
        opts = BrokerOptions(
            host=args.host, port=port, username=args.username,
            password=args.password if args.password is not None else os.environ.get("CAREHUB_MQTT_PASSWORD"),
            cafile=args.cafile, connect_timeout=args.connect_timeout, publish_timeout=args.publish_timeout,
        )
        pub = StreamPublisher(
            opts, {home: StatusSpec(f"carehub/v1/{home}/gateway/status", "online", "offline")},
            lambda topic: topic.split("/", 3)[2], args.speed, window=args.window, client_prefix="recording",
        )
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda s, f: stop.set())
        signal.signal(signal.SIGTERM, lambda s, f: stop.set())
        started = False
        try:
            pub.start()
            started = True
            # the status is published on connect; skip the replay file's status line
            pub.run((r for r in conv.records if r[1].endswith("/event")), stop=stop, restamp=args.ts == "publish")
            if not pub.drain():
                raise PublishError(f"{pub.sent - pub.acked} event(s) got no PUBACK within {opts.publish_timeout:g} s")
        except PublishError as exc:
            sys.stderr.write(f"recording.py: error: {exc}\n")
            return 1
        finally:
            if started:
                pub.close()
            else:
                for c in pub.conns.values():
                    c.client.loop_stop()
        where = f"published to {args.host}:{port}" + (" (stopped by a signal)" if stop.is_set() else "")
    if not args.quiet:
        sys.stderr.write(summary(args, home, conv, skipped, time.monotonic() - t0, where))
    return 0


if __name__ == "__main__":
    sys.exit(main())
