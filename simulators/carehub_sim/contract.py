"""Contract v1 (contract.md sections 1-2, with the limits of docs/events.md): constants and checks.

``event_problems(payload)`` lists why a payload is not a valid event (an empty list when it is);
the simulators' tests use it, and ``recording.py`` checks what it converts.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .timeutil import parse_rfc3339

TOPIC_ROOT = "carehub/v1"
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
EVENT_TOPIC_RE = re.compile(r"^carehub/v1/([A-Za-z0-9_.-]{1,64})/([A-Za-z0-9_.-]{1,64})/event$")
STATUS_TOPIC_RE = re.compile(r"^carehub/v1/([A-Za-z0-9_.-]{1,64})/gateway/status$")

BOOL_TYPES = ("motion", "smoke", "co", "water", "tamper")
ENUM_TYPES = {"door": ("open", "closed"), "bed": ("occupied", "empty"), "chair": ("occupied", "empty")}
NUMBER_RANGES = {"temperature": (-60.0, 100.0), "power": (0.0, 100000.0), "battery": (0.0, 100.0)}
NO_VALUE_TYPES = ("pendant", "pullcord", "fall", "heartbeat")
EVENT_TYPES = BOOL_TYPES + tuple(ENUM_TYPES) + tuple(NUMBER_RANGES) + NO_VALUE_TYPES
ALARM_TYPES = ("pendant", "pullcord", "fall", "smoke", "co", "water")

# Activity in the sense of contract section 3 (power changes need the previous reading).
ACTIVITY_TYPES = ("door", "bed", "chair")

MAX_PAYLOAD = 16 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def event_topic(home: str, device: str) -> str:
    return f"{TOPIC_ROOT}/{home}/{device}/event"


def status_topic(home: str) -> str:
    return f"{TOPIC_ROOT}/{home}/gateway/status"


def check_name(kind: str, name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ValueError(f"{kind} {name!r} must be 1 to 64 characters of A-Z a-z 0-9 _ . -")
    return name


def encode(obj: Any) -> str:
    """Compact JSON, the way the simulators publish it."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def event_problems(payload: Any) -> list[str]:
    """Reasons why ``payload`` (bytes, str or an already-decoded object) is not a valid event."""
    if isinstance(payload, (bytes, bytearray)):
        if len(payload) > MAX_PAYLOAD:
            return ["too_large"]
        try:
            payload = payload.decode("utf-8")
        except UnicodeDecodeError:
            return ["invalid_utf8"]
    if isinstance(payload, str):
        if len(payload.encode("utf-8")) > MAX_PAYLOAD:
            return ["too_large"]
        try:
            payload = json.loads(payload)
        except ValueError:
            return ["invalid_json"]
    if not isinstance(payload, dict):
        return ["not_an_object"]
    ev = {k: v for k, v in payload.items() if v is not None}  # null counts as absent
    problems: list[str] = []
    for name in ("id", "type", "ts"):
        if name not in ev:
            problems.append(f"missing_field: {name}")
        elif not isinstance(ev[name], str):
            problems.append(f"wrong_type: {name}")
    if problems:
        return problems
    if not ev["id"] or len(ev["id"].encode("utf-8")) > 128 or _CONTROL.search(ev["id"]):
        problems.append("invalid_value: id")
    try:
        parse_rfc3339(ev["ts"])
    except ValueError:
        problems.append("invalid_value: ts")
    kind = ev["type"]
    if kind not in EVENT_TYPES:
        return problems + [f"unknown_type: {kind}"]
    value = ev.get("value")
    if kind in BOOL_TYPES:
        if "value" not in ev:
            problems.append("missing_field: value")
        elif not isinstance(value, bool):
            problems.append("wrong_type: value")
    elif kind in ENUM_TYPES:
        if "value" not in ev:
            problems.append("missing_field: value")
        elif value not in ENUM_TYPES[kind]:
            problems.append("invalid_value: value")
    elif kind in NUMBER_RANGES:
        lo, hi = NUMBER_RANGES[kind]
        if "value" not in ev:
            problems.append("missing_field: value")
        elif not _is_number(value):
            problems.append("wrong_type: value")
        elif not lo <= value <= hi:
            problems.append("invalid_value: value")
    if "room" in ev:
        room = ev["room"]
        if not isinstance(room, str):
            problems.append("wrong_type: room")
        elif not room or len(room.encode("utf-8")) > 64 or _CONTROL.search(room):
            problems.append("invalid_value: room")
    if "battery" in ev:
        if not _is_number(ev["battery"]):
            problems.append("wrong_type: battery")
        elif not 0 <= ev["battery"] <= 100:
            problems.append("invalid_value: battery")
    if "seq" in ev:
        seq = ev["seq"]
        if not _is_number(seq) or (isinstance(seq, float) and not seq.is_integer()):
            problems.append("wrong_type: seq")
        elif not 0 <= seq <= 2**53 - 1:
            problems.append("invalid_value: seq")
    if "test" in ev and not isinstance(ev["test"], bool):
        problems.append("wrong_type: test")
    return problems


def is_valid_event(payload: Any) -> bool:
    return not event_problems(payload)


def is_alarm(event: dict[str, Any]) -> bool:
    kind = event.get("type")
    return kind in ("pendant", "pullcord", "fall") or (kind in ("smoke", "co", "water") and event.get("value") is True)
