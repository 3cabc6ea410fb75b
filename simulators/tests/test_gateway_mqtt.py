"""gateway.py against a real mosquitto broker; the test plays the hub."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from datetime import datetime, timedelta, timezone

from conftest import json_lines, retained_status, run_gateway

RFC3339_MS_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
EVENT_TOPIC = re.compile(r"^carehub/v1/([A-Za-z0-9_.-]{1,64})/([A-Za-z0-9_.-]{1,64})/event$")
KNOWN_FIELDS = {"id", "ts", "type", "value", "room", "battery", "seq", "test"}


def check_contract_event(payload: bytes) -> dict:
    """Asserts the payload is a contract v1 event (section 2) and returns it."""
    assert len(payload) <= 16 * 1024
    event = json.loads(payload.decode("utf-8"))
    assert isinstance(event, dict)
    assert set(event) <= KNOWN_FIELDS, f"unexpected fields {set(event) - KNOWN_FIELDS}"
    assert isinstance(event["id"], str) and event["id"]
    assert RFC3339_MS_Z.match(event["ts"]), event["ts"]
    value = event.get("value")
    kind = event["type"]
    if kind in ("motion", "smoke", "co", "water", "tamper"):
        assert isinstance(value, bool)
    elif kind == "door":
        assert value in ("open", "closed")
    elif kind in ("bed", "chair"):
        assert value in ("occupied", "empty")
    elif kind in ("temperature", "power", "battery"):
        assert isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind in ("pendant", "pullcord", "fall", "heartbeat"):
        assert "value" not in event
    else:
        raise AssertionError(f"unknown type {kind!r}")
    if "battery" in event:
        assert 0 <= event["battery"] <= 100
    return event


def events_of(probe, home: str):
    return probe.snapshot(lambda t: t.startswith(f"carehub/v1/{home}/") and t.endswith("/event"))


def receipt_for(event_id: str) -> str:
    stored = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"id": event_id, "stored_at": stored})


# (a) ------------------------------------------------------------------------


def test_send_motion_arrives_as_contract_event(broker, probes):
    home = "home-a"
    probe = probes(broker, [f"carehub/v1/{home}/+/event"])
    before = datetime.now(timezone.utc)
    done = run_gateway(broker, home, "send", "--type", "motion", "--device", "pir-hall",
                       "--room", "hall", "--value", "true", "--battery", "87")
    assert done.returncode == 0, done.stderr
    assert probe.wait_for(lambda ms: len(ms) >= 1), "no event arrived"
    time.sleep(0.2)  # a duplicate would show up now
    msgs = events_of(probe, home)
    assert len(msgs) == 1
    msg = msgs[0]
    assert msg.topic == f"carehub/v1/{home}/pir-hall/event"
    assert msg.qos == 1 and not msg.retain
    event = check_contract_event(msg.payload)
    assert event["type"] == "motion" and event["value"] is True
    assert event["room"] == "hall" and event["battery"] == 87
    assert re.fullmatch(r"[0-9a-f]{32}", event["id"])
    ts = datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))
    assert before - timedelta(seconds=1) <= ts <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert json_lines(done.stdout) == [{"sent": event, "topic": msg.topic, "attempt": 1}]


def test_send_keeps_given_id_ts_and_typed_values(broker, probes):
    home = "home-a2"
    probe = probes(broker, [f"carehub/v1/{home}/+/event"])
    cases = [
        (["--type", "door", "--device", "door-front", "--room", "front_door", "--value", "closed"], "door", "closed"),
        (["--type", "temperature", "--device", "t-1", "--value", "15.5"], "temperature", 15.5),
        (["--type", "bed", "--device", "bed-1", "--value", "empty"], "bed", "empty"),
        (["--type", "heartbeat", "--device", "pir-2"], "heartbeat", None),
    ]
    for n, (args, kind, value) in enumerate(cases):
        done = run_gateway(broker, home, "--quiet", "send", *args, "--id", f"fixed-{n}",
                           "--ts", "2026-11-29T10:15:02.120Z")
        assert done.returncode == 0, done.stderr
        assert done.stdout == ""
    assert probe.wait_for(lambda ms: len(ms) >= len(cases))
    for n, (msg, (args, kind, value)) in enumerate(zip(events_of(probe, home), cases)):
        event = check_contract_event(msg.payload)
        assert event["id"] == f"fixed-{n}" and event["ts"] == "2026-11-29T10:15:02.120Z"
        assert event["type"] == kind and event.get("value") == value
        assert msg.topic == f"carehub/v1/{home}/{args[3]}/event"


# (b) ------------------------------------------------------------------------


def test_alarm_is_resent_with_same_id_until_receipt(broker, probes):
    home = "home-b"
    copies: list = []

    def hub(probe, msg):
        if msg.topic.endswith("/event"):
            copies.append(msg)
            if len(copies) == 2:  # receipt only once the second copy arrived
                probe.publish(f"carehub/v1/{home}/receipt", receipt_for(json.loads(msg.payload)["id"]))

    probes(broker, [f"carehub/v1/{home}/+/event"], on_message=hub)
    started = time.monotonic()
    done = run_gateway(broker, home, "send", "--type", "pendant", "--device", "pendant-1", "--room", "lounge",
                       "--resend-interval", "0.2", "--receipt-timeout", "10")
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert elapsed < 5, "the gateway did not stop re-sending when the receipt came"
    assert 2 <= len(copies) <= 3
    assert len({c.payload for c in copies}) == 1, "a re-sent copy must be byte-identical"
    event = check_contract_event(copies[0].payload)
    assert event["type"] == "pendant" and event["room"] == "lounge"
    assert copies[1].at - copies[0].at >= 0.15
    lines = json_lines(done.stdout)
    sent = [line for line in lines if "sent" in line]
    assert [line["attempt"] for line in sent] == list(range(1, len(sent) + 1))
    assert all(line["sent"] == event and line["topic"] == copies[0].topic for line in sent)
    receipts = [line["receipt"] for line in lines if "receipt" in line]
    assert receipts and receipts[0]["id"] == event["id"] and "stored_at" in receipts[0]


def test_receipt_for_another_id_does_not_stop_resending(broker, probes):
    home = "home-b2"
    copies: list = []

    def hub(probe, msg):
        if msg.topic.endswith("/event"):
            copies.append(msg)
            event_id = json.loads(msg.payload)["id"]
            if len(copies) == 1:
                probe.publish(f"carehub/v1/{home}/receipt", receipt_for("some-other-event"))
                probe.publish(f"carehub/v1/{home}/receipt", "not json")
            if len(copies) == 3:
                probe.publish(f"carehub/v1/{home}/receipt", receipt_for(event_id))

    probes(broker, [f"carehub/v1/{home}/+/event"], on_message=hub)
    done = run_gateway(broker, home, "send", "--type", "smoke", "--value", "true", "--device", "smoke-1",
                       "--resend-interval", "0.2", "--receipt-timeout", "10")
    assert done.returncode == 0, done.stderr
    assert 3 <= len(copies) <= 4
    assert len({c.payload for c in copies}) == 1
    assert "malformed receipt" in done.stderr


# (c) ------------------------------------------------------------------------


def test_alarm_without_receipt_fails_after_timeout(broker, probes):
    home = "home-c"
    probe = probes(broker, [f"carehub/v1/{home}/+/event"])
    started = time.monotonic()
    done = run_gateway(broker, home, "send", "--type", "fall", "--device", "fall-1",
                       "--receipt-timeout", "1", "--resend-interval", "0.2")
    elapsed = time.monotonic() - started
    assert done.returncode != 0
    assert done.returncode == 3
    assert "no receipt" in done.stderr
    assert 1.0 <= elapsed < 8
    time.sleep(0.1)
    copies = events_of(probe, home)
    assert len(copies) >= 3
    ids = {check_contract_event(c.payload)["id"] for c in copies}
    assert len(ids) == 1
    assert len({c.payload for c in copies}) == 1
    assert len([line for line in json_lines(done.stdout) if "sent" in line]) == len(copies)


def test_non_alarm_values_are_not_waited_for(broker, probes):
    # smoke false is not an alarm: one copy, no receipt needed, exit 0 at once.
    home = "home-c2"
    probe = probes(broker, [f"carehub/v1/{home}/+/event"])
    done = run_gateway(broker, home, "send", "--type", "smoke", "--value", "false", "--device", "smoke-1",
                       "--receipt-timeout", "1", "--resend-interval", "0.2")
    assert done.returncode == 0, done.stderr
    time.sleep(0.4)
    assert len(events_of(probe, home)) == 1


# (d) ------------------------------------------------------------------------


def test_status_online_offline_and_last_will(broker, probes, spawn):
    home = "home-d"
    status_topic = f"carehub/v1/{home}/gateway/status"
    watch = probes(broker, [status_topic])

    def last_status(ms):
        return ms[-1].text if ms else None

    # A gateway kept busy by an unreceipted alarm stays connected.
    gw = spawn(broker, home, "--keepalive", "1", "send", "--type", "pullcord", "--device", "cord-1",
               "--id", "cord-alarm-1", "--resend-interval", "5", "--receipt-timeout", "20")
    assert watch.wait_for(lambda ms: last_status(ms) == "online", 10), "no online status"
    retained = retained_status(broker, home)
    assert retained is not None and retained.retain and retained.text == "online"
    assert retained.qos == 1

    # Clean exit: the receipt ends the run, the gateway publishes a retained offline.
    watch.publish(f"carehub/v1/{home}/receipt", receipt_for("cord-alarm-1"))
    out, err = gw.communicate(timeout=10)
    assert gw.returncode == 0, err
    assert watch.wait_for(lambda ms: last_status(ms) == "offline", 5)
    retained = retained_status(broker, home)
    assert retained is not None and retained.retain and retained.text == "offline"

    # Killed: the broker publishes the last will, a retained offline.
    gw = spawn(broker, home, "--keepalive", "1", "stream", "--count", "1000", "--rate", "2")
    assert watch.wait_for(lambda ms: last_status(ms) == "online", 10), "no online status the second time"
    assert retained_status(broker, home).text == "online"
    gw.send_signal(signal.SIGKILL)
    gw.wait(timeout=5)
    killed = time.monotonic()
    assert watch.wait_for(lambda ms: last_status(ms) == "offline", 10), "no last will after SIGKILL"
    assert time.monotonic() - killed < 10
    retained = retained_status(broker, home)
    assert retained is not None and retained.retain and retained.text == "offline"


def test_status_json_form(broker, probes):
    home = "home-d2"
    watch = probes(broker, [f"carehub/v1/{home}/gateway/status"])
    done = run_gateway(broker, home, "--status-format", "json", "send", "--type", "motion", "--device", "p")
    assert done.returncode == 0, done.stderr
    assert watch.wait_for(lambda ms: len(ms) >= 2)
    assert [json.loads(m.payload) for m in watch.snapshot()] == [{"state": "online"}, {"state": "offline"}]


# (e) ------------------------------------------------------------------------


def test_stream_delivers_distinct_ids(broker, probes):
    home = "home-e"
    probe = probes(broker, [f"carehub/v1/{home}/+/event"])
    done = run_gateway(broker, home, "stream", "--count", "50", "--rate", "500", "--devices", "5")
    assert done.returncode == 0, done.stderr
    assert probe.wait_for(lambda ms: len(ms) >= 50), f"only {len(probe.snapshot())} events arrived"
    time.sleep(0.2)
    msgs = events_of(probe, home)
    assert len(msgs) == 50
    events = [check_contract_event(m.payload) for m in msgs]
    assert {e["id"] for e in events} == {f"{home}-{n}" for n in range(1, 51)}
    assert {e["type"] for e in events} == {"motion", "door"}
    assert len({m.topic for m in msgs}) == 5
    assert len([line for line in json_lines(done.stdout) if "sent" in line]) == 50


def test_stream_is_paced(broker, probes):
    home = "home-e2"
    probe = probes(broker, [f"carehub/v1/{home}/+/event"])
    done = run_gateway(broker, home, "--quiet", "stream", "--count", "6", "--rate", "10", "--devices", "2", "--seq")
    assert done.returncode == 0, done.stderr
    assert probe.wait_for(lambda ms: len(ms) >= 6)
    msgs = events_of(probe, home)
    assert msgs[-1].at - msgs[0].at >= 0.45  # 5 gaps of 0.1 s
    seqs = {}
    for m in msgs:
        seqs.setdefault(m.topic, []).append(json.loads(m.payload)["seq"])
    assert sorted(seqs.values()) == [[1, 2, 3], [1, 2, 3]]


# demo and failures ------------------------------------------------------------


def test_demo_plays_a_home_and_ends_with_a_receipted_pendant(broker, probes):
    home = "home-demo"

    def hub(probe, msg):
        if msg.topic.endswith("/event"):
            event = json.loads(msg.payload)
            if event["type"] in ("pendant", "pullcord", "fall") or (
                event["type"] in ("smoke", "co", "water") and event.get("value") is True
            ):
                probe.publish(f"carehub/v1/{home}/receipt", receipt_for(event["id"]))

    probe = probes(broker, [f"carehub/v1/{home}/+/event"], on_message=hub)
    started = time.monotonic()
    done = run_gateway(broker, home, "demo", "--speed", "4")
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 5
    msgs = events_of(probe, home)
    events = [check_contract_event(m.payload) for m in msgs]
    assert len({e["id"] for e in events}) == len(events)
    assert len({e["room"] for e in events if e["type"] == "motion"}) >= 3
    assert [e["value"] for e in events if e["type"] == "door"] == ["open", "closed"]
    assert any(e["type"] == "temperature" for e in events)
    assert any(e["type"] == "heartbeat" for e in events)
    assert events[-1]["type"] == "pendant" and events[-1]["room"] == "lounge"
    assert msgs[-1].topic == f"carehub/v1/{home}/pendant-1/event"
    assert any("receipt" in line for line in json_lines(done.stdout))


def test_unreachable_broker_is_a_clear_error(broker):
    broker.proc.terminate()
    broker.proc.wait(timeout=5)
    done = run_gateway(broker, "home-f", "send", "--type", "motion", "--device", "p", timeout=15)
    assert done.returncode == 1
    assert "cannot connect to the broker" in done.stderr
    assert done.stdout == ""


def test_sigterm_publishes_offline(broker, probes, spawn):
    home = "home-g"
    watch = probes(broker, [f"carehub/v1/{home}/gateway/status"])
    gw = spawn(broker, home, "--keepalive", "30", "stream", "--count", "1000", "--rate", "2")
    assert watch.wait_for(lambda ms: ms and ms[-1].text == "online", 10)
    gw.send_signal(signal.SIGTERM)
    try:
        gw.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        raise AssertionError("the gateway did not stop on SIGTERM")
    assert gw.returncode == 143
    # keepalive is 30 s: an offline this fast is the gateway's own, not the will
    assert watch.wait_for(lambda ms: ms[-1].text == "offline", 3)
