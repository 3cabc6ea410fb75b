"""The simulators' shared helpers: contract checks, time conversion, replay lines, load percentiles."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from io import StringIO

import pytest

from carehub_sim.contract import event_problems
from carehub_sim.replay import ReplayWriter, publish_bytes, raw_payload, read_replay, record_of
from carehub_sim.timeutil import LocalClock, Rfc3339, zone
from load import percentile

GOOD = {"id": "h-1", "ts": "2026-11-30T10:15:02.120Z", "type": "motion", "value": True, "room": "hall", "seq": 3}


@pytest.mark.parametrize("payload", [
    GOOD,
    {"id": "x", "ts": "2026-11-30T11:15:02+01:00", "type": "pendant"},
    {"id": "x", "ts": "2026-11-30T10:15:02Z", "type": "temperature", "value": -3.5, "battery": 12},
    {"id": "x", "ts": "2026-11-30T10:15:02Z", "type": "smoke", "value": True, "test": True},
    {"id": "x", "ts": "2026-11-30T10:15:02Z", "type": "door", "value": "closed", "room": None},
    json.dumps(GOOD).encode(),
])
def test_valid_events(payload):
    assert event_problems(payload) == []


@pytest.mark.parametrize("payload, problem", [
    ('{"id":"x","ts":', "invalid_json"),
    (b"\xff\xfe", "invalid_utf8"),
    ("[1,2]", "not_an_object"),
    ({"ts": "2026-11-30T10:15:02Z", "type": "motion", "value": True}, "missing_field: id"),
    ({"id": "x", "ts": 1764497702000, "type": "motion", "value": True}, "wrong_type: ts"),
    ({"id": "x", "ts": "2026-11-30 10:15:02", "type": "motion", "value": True}, "invalid_value: ts"),
    ({"id": "x", "ts": "2026-11-30T10:15:02Z", "type": "teleport"}, "unknown_type: teleport"),
    ({"id": "x", "ts": "2026-11-30T10:15:02Z", "type": "motion", "value": "yes"}, "wrong_type: value"),
    ({"id": "x", "ts": "2026-11-30T10:15:02Z", "type": "door", "value": "ajar"}, "invalid_value: value"),
    ({"id": "x", "ts": "2026-11-30T10:15:02Z", "type": "temperature", "value": 150}, "invalid_value: value"),
    ({"id": "x", "ts": "2026-11-30T10:15:02Z", "type": "power", "value": True}, "wrong_type: value"),
    ({"id": "x", "ts": "2026-11-30T10:15:02Z", "type": "heartbeat", "battery": 120}, "invalid_value: battery"),
    ({"id": "x", "ts": "2026-11-30T10:15:02Z", "type": "heartbeat", "seq": 1.5}, "wrong_type: seq"),
    ({"id": "", "ts": "2026-11-30T10:15:02Z", "type": "heartbeat"}, "invalid_value: id"),
    ("x" * 17000, "too_large"),
])
def test_invalid_events(payload, problem):
    assert problem in event_problems(payload)


def test_local_clock_and_daylight_saving():
    london = zone("Europe/London")
    clock = LocalClock(london, date(2027, 3, 27), 3)
    h = 3_600_000
    # Saturday 10:00 GMT; Sunday 00:30 GMT; Sunday 01:30 does not exist; Sunday 10:00 BST = 09:00 UTC
    assert clock.epoch_ms(10 * h) == int(datetime(2027, 3, 27, 10, tzinfo=timezone.utc).timestamp() * 1000)
    assert clock.epoch_ms(24 * h + 10 * h) == int(datetime(2027, 3, 28, 9, tzinfo=timezone.utc).timestamp() * 1000)
    values = [clock.epoch_ms(t) for t in range(0, 3 * 24 * h, 60_000)]
    assert values == sorted(values), "local to UTC must never go backwards"
    assert clock.constant_offset(0, 24 * h) == clock.epoch_ms(0)
    assert clock.constant_offset(24 * h, 48 * h) is None
    autumn = LocalClock(london, date(2026, 10, 24), 3)
    values = [autumn.epoch_ms(t) for t in range(0, 3 * 24 * h, 60_000)]
    assert values == sorted(values)
    assert autumn.epoch_ms(24 * h + 12 * h) - autumn.epoch_ms(12 * h) == 25 * h  # the long day


def test_rfc3339_formatting():
    fmt = Rfc3339()
    ms = int(datetime(2026, 11, 30, 7, 15, 2, 120000, tzinfo=timezone.utc).timestamp() * 1000)
    assert fmt(ms) == "2026-11-30T07:15:02.120Z"
    assert fmt(ms + 57_880) == "2026-11-30T07:16:00.000Z"


def test_replay_lines_round_trip():
    out = StringIO()
    records = [
        (1_796_000_000_000, "carehub/v1/h/gateway/status", raw_payload("online")),
        (1_796_000_000_500, "carehub/v1/h/p/event", json.dumps(GOOD, separators=(",", ":"))),
        (1_796_000_001_000, "carehub/v1/h/p/event", raw_payload('{"id":"x",')),
    ]
    ReplayWriter(out).write(records)
    parsed = list(read_replay(out.getvalue().splitlines()))
    assert parsed[0] == {"topic": "carehub/v1/h/gateway/status", "payload": "online", "at": "2026-11-30T00:53:20.000Z"}
    assert parsed[1]["payload"] == GOOD
    assert [record_of(p) for p in parsed] == records
    assert publish_bytes(records[0][2]) == b"online"
    assert publish_bytes(records[2][2]) == b'{"id":"x",'
    assert publish_bytes(records[1][2]) == json.dumps(GOOD, separators=(",", ":")).encode()


def test_percentile_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0 and percentile(values, 99) == 99.0 and percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0 and percentile([], 50) is None
