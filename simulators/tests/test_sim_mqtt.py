"""resident.py --mqtt, load.py and recording.py --mqtt against a real mosquitto (conftest's broker)."""

from __future__ import annotations

import csv
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from carehub_sim.contract import event_problems
from conftest import retained_status
from sim_helpers import HOMEASSIST_CSV, LOAD, RECORDING, RESIDENT, read_lines, run


def broker_args(broker) -> list[str]:
    return ["--host", broker.host, "--port", str(broker.port)]


def test_resident_mqtt_delivers_the_same_events_as_the_replay_file(broker, probes, tmp_path: Path):
    args = ["--home", "mq-1", "--days", "1", "--seed", "21", "--scenario", "pendant@09:30"]
    out = tmp_path / "same.jsonl"
    done = run(RESIDENT, *args, "--output", str(out))
    assert done.returncode == 0, done.stderr
    expected = [ln for ln in read_lines(out) if ln.is_event]
    assert len(expected) > 2000

    probe = probes(broker, ["carehub/v1/mq-1/#"])
    started = time.monotonic()
    # one simulated day in about half a second
    done = run(RESIDENT, *args, "--mqtt", *broker_args(broker), "--speed", "172800", timeout=30)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "published" in done.stderr
    assert probe.wait_for(lambda ms: sum(m.topic.endswith("/event") for m in ms) >= len(expected), 10), (
        f"{sum(m.topic.endswith('/event') for m in probe.snapshot())} of {len(expected)} events arrived"
    )
    assert 0.4 < elapsed < 20, f"paced run took {elapsed:.1f} s"
    got = [m for m in probe.snapshot() if m.topic.endswith("/event")]
    assert len(got) == len(expected)
    assert all(m.qos == 1 for m in got)
    assert [(m.topic, m.json()) for m in got] == [(ln.topic, ln.payload) for ln in expected]
    assert all(event_problems(m.payload) == [] for m in got)
    status = [m.text for m in probe.snapshot() if m.topic.endswith("/gateway/status")]
    assert status[0] == "online" and status[-1] == "offline"
    retained = retained_status(broker, "mq-1")
    assert retained is not None and retained.retain and retained.text == "offline"


def test_resident_mqtt_z2m_sets_bridge_state_and_last_will(broker, probes):
    probe = probes(broker, ["z2m/zz-1/#"])
    done = run(RESIDENT, "--home", "zz-1", "--days", "0.25", "--seed", "2", "--dialect", "z2m", "--mqtt",
               *broker_args(broker), "--speed", "0", timeout=30)
    assert done.returncode == 0, done.stderr
    assert probe.wait_for(lambda ms: any(m.topic == "z2m/zz-1/bridge/state" and m.text == '{"state":"offline"}'
                                         for m in ms), 10)
    topics = {m.topic for m in probe.snapshot()}
    assert "z2m/zz-1/pir-hall" in topics and "z2m/zz-1/pir-hall/availability" in topics
    avail = [m for m in probe.snapshot() if m.topic.endswith("/availability")]
    assert avail and all(m.json() == {"state": "online"} for m in avail)


def test_load_sends_exactly_the_count_and_reports_it(broker, probes, tmp_path: Path):
    probe = probes(broker, ["carehub/v1/+/+/event"])
    record = tmp_path / "sent.csv"
    done = run(LOAD, *broker_args(broker), "--homes", "3", "--devices", "4", "--rate", "2000", "--count", "600",
               "--record", str(record), "--id-prefix", "t1", "--window", "50", timeout=30)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["sent"] == 600 and report["acknowledged"] == 600 and report["unacknowledged"] == 0
    assert report["requested"] == 600 and report["homes"] == 3 and report["devices_per_home"] == 4
    assert report["max_in_flight"] <= 50
    lat = report["latency_ms"]
    assert 0 < lat["p50"] <= lat["p99"] <= lat["max"] < 30_000
    assert 0 < report["achieved_rate"] <= 2000 * 1.05
    assert probe.wait_for(lambda ms: len(ms) >= 600, 10), f"{len(probe.snapshot())} of 600 arrived"
    time.sleep(0.2)
    msgs = probe.snapshot()
    assert len(msgs) == 600
    events = [m.json() for m in msgs]
    assert all(event_problems(m.payload) == [] for m in msgs)
    assert {e["id"] for e in events} == {f"t1-{n}" for n in range(1, 601)}
    assert {m.topic.split("/")[2] for m in msgs} == {"load-001", "load-002", "load-003"}
    assert len({m.topic for m in msgs}) == 12
    with open(record, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["id", "home", "published_at"]
    assert len(rows) == 601
    by_id = {m.json()["id"]: m.topic.split("/")[2] for m in msgs}
    now = datetime.now(timezone.utc)
    for rid, home, published in rows[1:]:
        assert by_id[rid] == home
        t = datetime.fromisoformat(published.replace("Z", "+00:00"))
        assert now - timedelta(seconds=60) < t <= now


def test_load_is_paced_by_rate_and_duration(broker):
    started = time.monotonic()
    done = run(LOAD, *broker_args(broker), "--homes", "2", "--rate", "40", "--duration", "0.5", timeout=30)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["sent"] == 20 and report["acknowledged"] == 20
    assert report["send_duration_s"] >= 0.45  # 19 gaps of 25 ms
    assert 30 <= report["achieved_rate"] <= 45
    assert elapsed < 10


def test_load_fails_clearly_without_a_broker(broker):
    broker.proc.terminate()
    broker.proc.wait(timeout=5)
    done = run(LOAD, *broker_args(broker), "--rate", "10", "--count", "5", "--connect-timeout", "2", timeout=20)
    assert done.returncode == 1
    assert "cannot connect to the broker" in done.stderr


def test_recording_publishes_a_slice_with_fresh_timestamps(broker, probes):
    probe = probes(broker, ["carehub/v1/ha-live/#"])
    before = datetime.now(timezone.utc)
    done = run(RECORDING, "--format", "homeassist", str(HOMEASSIST_CSV), "--home", "ha-live", "--mqtt",
               *broker_args(broker), "--start", "2017-02-23T08:00", "--limit", "40", "--speed", "0", timeout=30)
    assert done.returncode == 0, done.stderr
    assert probe.wait_for(lambda ms: sum(m.topic.endswith("/event") for m in ms) >= 40, 10)
    events = [m for m in probe.snapshot() if m.topic.endswith("/event")]
    assert len(events) == 40
    for m in events:
        assert event_problems(m.payload) == []
        ts = datetime.fromisoformat(m.json()["ts"].replace("Z", "+00:00"))
        assert before - timedelta(seconds=1) <= ts <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert [m.text for m in probe.snapshot() if m.topic.endswith("/gateway/status")][0] == "online"
