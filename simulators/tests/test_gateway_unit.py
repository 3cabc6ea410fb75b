"""gateway.py pieces that need no broker: value parsing, events, the command line."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import gateway
from conftest import GATEWAY


@pytest.mark.parametrize(
    "kind, text, value",
    [
        ("motion", "true", True),
        ("motion", "False", False),
        ("motion", None, True),
        ("tamper", "0", False),
        ("smoke", "on", True),
        ("door", "open", "open"),
        ("door", "CLOSED", "closed"),
        ("door", None, "open"),
        ("bed", "empty", "empty"),
        ("chair", "occupied", "occupied"),
        ("temperature", "19.5", 19.5),
        ("temperature", "-3", -3),
        ("power", "2000", 2000),
        ("battery", "15", 15),
        ("pendant", None, None),
        ("heartbeat", None, None),
    ],
)
def test_parse_value(kind, text, value):
    parsed = gateway.parse_value(kind, text)
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize(
    "kind, text",
    [
        ("motion", "maybe"),
        ("door", "ajar"),
        ("bed", "open"),
        ("temperature", None),
        ("temperature", "warm"),
        ("temperature", "nan"),
        ("battery", "120"),
        ("pendant", "true"),
        ("fall", "1"),
        ("teleport", None),
    ],
)
def test_parse_value_rejects(kind, text):
    with pytest.raises(ValueError):
        gateway.parse_value(kind, text)


def test_is_alarm():
    mk = gateway.make_event
    assert gateway.is_alarm(mk("pendant"))
    assert gateway.is_alarm(mk("pullcord"))
    assert gateway.is_alarm(mk("fall"))
    for kind in ("smoke", "co", "water"):
        assert gateway.is_alarm(mk(kind, True))
        assert not gateway.is_alarm(mk(kind, False))
    for kind, value in (("motion", True), ("tamper", True), ("door", "open"), ("heartbeat", None)):
        assert not gateway.is_alarm(mk(kind, value))


def test_make_event_defaults():
    event = gateway.make_event("motion", True, room="hall")
    assert re.fullmatch(r"[0-9a-f]{32}", event["id"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", event["ts"])
    assert event == {"id": event["id"], "ts": event["ts"], "type": "motion", "value": True, "room": "hall"}
    assert gateway.make_event("pendant")["id"] != gateway.make_event("pendant")["id"]
    smoke = gateway.make_event("smoke", True, test=True, battery=80, seq=4, event_id="x", ts="2026-01-01T00:00:00Z")
    assert smoke == {"id": "x", "ts": "2026-01-01T00:00:00Z", "type": "smoke", "value": True,
                     "battery": 80, "seq": 4, "test": True}


@pytest.mark.parametrize("ts", ["2026-11-29T10:15:02Z", "2026-11-29T10:15:02.120Z", "2026-11-29T11:15:02.5+01:00"])
def test_check_ts_accepts(ts):
    assert gateway.check_ts(ts) == ts


@pytest.mark.parametrize("ts", ["2026-11-29 10:15", "2026-11-29T10:15:02", "yesterday", "2026-13-29T10:15:02Z"])
def test_check_ts_rejects(ts):
    with pytest.raises(ValueError):
        gateway.check_ts(ts)


def test_stream_devices_alternate_motion_and_door():
    devices = gateway.stream_devices(4)
    assert [d[1] for d in devices] == ["motion", "door", "motion", "door"]
    assert len({d[0] for d in devices}) == 4


@pytest.mark.parametrize(
    "argv, message",
    [
        (["send", "--type", "motion", "--device", "p"], "--home is required"),
        (["--home", "a/b", "send", "--type", "motion", "--device", "p"], "home 'a/b'"),
        (["--home", "h", "send", "--type", "motion", "--device", "p+"], "device 'p+'"),
        (["--home", "h", "send", "--type", "temperature", "--device", "t"], "needs --value"),
        (["--home", "h", "send", "--type", "motion", "--device", "p", "--ts", "now"], "RFC 3339"),
        (["--home", "h", "--resend-interval", "0", "send", "--type", "fall", "--device", "f"], "greater than 0"),
        (["--home", "h", "stream", "--count", "5"], "--rate"),
        (["--home", "h"], "required"),
    ],
)
def test_bad_command_lines_exit_2_without_connecting(argv, message):
    # port 9 (discard) on loopback: nothing there; a usage error must come first
    done = subprocess.run([sys.executable, str(GATEWAY), "--port", "9", *argv],
                          capture_output=True, text=True, timeout=15, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_options_after_the_subcommand():
    args = gateway.parse_args(["send", "--home", "h1", "--port", "1999", "--type", "door",
                               "--device", "d1", "--value", "closed", "--quiet"])
    assert (args.home, args.port, args.quiet, args.event["value"]) == ("h1", 1999, True, "closed")
    args = gateway.parse_args(["--home", "h1", "demo"])
    assert (args.host, args.port, args.resend_interval, args.receipt_timeout, args.keepalive) == (
        "127.0.0.1", 1883, 5.0, 60.0, 30)
