"""recording.py: HomeAssist, CASAS and Ordonez recordings converted to contract events."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest

from carehub_sim.contract import event_problems
from sim_helpers import (
    CASAS_CSV,
    CASAS_RAW_SAMPLE,
    HOMEASSIST_CSV,
    ORDONEZ_A,
    RECORDING,
    read_lines,
    run,
)


def convert(tmp_path: Path, fmt: str, path: Path, *args: str):
    out = tmp_path / f"{fmt}-{len(list(tmp_path.iterdir()))}.jsonl"
    done = run(RECORDING, "--format", fmt, str(path), "--output", str(out), *args)
    assert done.returncode == 0, done.stderr
    lines = read_lines(out)
    return [ln for ln in lines if ln.is_event], lines, done.stderr


def check_events(events, home: str) -> None:
    ids = set()
    ats = [ln.at for ln in events]
    assert ats == sorted(ats)
    seqs = defaultdict(list)
    for ln in events:
        assert ln.topic.startswith(f"carehub/v1/{home}/"), ln.raw
        assert event_problems(ln.payload) == [], ln.raw
        assert ln.event["id"] not in ids
        ids.add(ln.event["id"])
        assert ln.at > ln.ts
        seqs[ln.device].append(ln.event["seq"])
    for dev, s in seqs.items():
        assert s == sorted(s) and len(set(s)) == len(s), dev


def source_lines(path: Path, n: int) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [next(f).rstrip("\n") for _ in range(n)]


def test_homeassist_first_lines(tmp_path: Path):
    events, lines, summary = convert(tmp_path, "homeassist", HOMEASSIST_CSV, "--limit", "300")
    assert len(events) == 300
    assert lines[0].topic == "carehub/v1/homeassist-home1/gateway/status" and lines[0].payload == "online"
    check_events(events, "homeassist-home1")
    first = events[0].event
    # 2017-01-16T17:49:25.864;EMeter_Coffeemaker;0.0 in Paris (UTC+1)
    assert first == {"id": "homeassist-home1-1", "ts": "2017-01-16T16:49:25.864Z", "type": "power", "value": 0.0,
                     "room": "kitchen", "seq": 1}
    # device ids and rooms as in the hub's deploy/mappings/homeassist-home1.yaml
    rooms = {ln.device: ln.event.get("room") for ln in events}
    assert rooms["pir-toilet"] == "toilet" and rooms["pir-living"] == "lounge" and rooms["pir-kitchen"] == "kitchen"
    assert rooms["pir-bedroom"] == "bedroom" and rooms["pir-s"] == "other" and rooms["door-entrance"] == "front_door"
    assert rooms["pir-entrance"] == "hall" and rooms["plug-coffeemaker"] == "kitchen"
    devices = {"MotionD_K": "pir-kitchen", "MotionD_E": "pir-entrance", "MotionD_L": "pir-living",
               "MotionD_Ba": "pir-bathroom", "MotionD_T": "pir-toilet", "MotionD_B": "pir-bedroom",
               "MotionD_S": "pir-s", "ContactS_E": "door-entrance", "ContactS_Fridge": "fridge-door",
               "ContactS_Cupboard": "cupboard-door", "EMeter_L": "plug-living", "EMeter_Coffeemaker": "plug-coffeemaker"}
    # every converted line matches its source line: motion 1/0 -> true/false, contact 1 -> open
    src = {n: line.split(";") for n, line in enumerate(source_lines(HOMEASSIST_CSV, 400), 1)}
    for ln in events:
        n = int(ln.event["id"].rsplit("-", 1)[1])
        when, sensor, value = src[n]
        assert ln.device == devices[sensor.split(".")[0]]
        local = datetime.fromisoformat(when)
        assert ln.ts.astimezone(timezone.utc).replace(tzinfo=None) == local.replace(hour=local.hour - 1)
        if sensor.startswith("MotionD_") and "." not in sensor:
            assert ln.event["value"] is (value == "1")
        if sensor.startswith("ContactS_") and "." not in sensor:
            assert ln.event["value"] == ("open" if value == "1" else "closed")
    assert Counter(ln.type for ln in events)["door"] > 0


def test_homeassist_device_health_lines(tmp_path: Path):
    window = ("--start", "2017-02-22T00:00", "--end", "2017-03-20T00:00")
    events, _, summary = convert(tmp_path, "homeassist", HOMEASSIST_CSV, *window)
    check_events(events, "homeassist-home1")
    types = Counter(ln.type for ln in events)
    assert types["battery"] >= 3 and types["heartbeat"] == 0
    assert all(0 <= ln.event["value"] <= 100 for ln in events if ln.type == "battery")
    assert all(ln.event["value"] >= 0 for ln in events if ln.type == "power")
    assert ".CommFailure" in summary and "negative power" in summary
    with_beats, _, _ = convert(tmp_path, "homeassist", HOMEASSIST_CSV, *window, "--commfailure", "heartbeat")
    check_events(with_beats, "homeassist-home1")
    beats = [ln for ln in with_beats if ln.type == "heartbeat"]
    assert len(beats) >= 20 and {ln.device for ln in beats} <= {ln.device for ln in events} | {"cupboard-door"}


def test_slices_keep_ids_and_payloads(tmp_path: Path):
    whole, _, _ = convert(tmp_path, "homeassist", HOMEASSIST_CSV, "--limit", "2000")
    part, _, _ = convert(tmp_path, "homeassist", HOMEASSIST_CSV, "--start", whole[1000].event["ts"], "--limit", "100")
    assert [ln.payload for ln in part] == [ln.payload for ln in whole[1000:1100]]


def test_casas_first_lines(tmp_path: Path):
    events, _, _ = convert(tmp_path, "casas", CASAS_CSV, "--limit", "200")
    assert len(events) == 200
    check_events(events, "casas-hh109")
    # 2012-06-01 05:52:21.084337,M012,ON in Pacific daylight time (UTC-7)
    assert events[0].event == {"id": "casas-hh109-1", "ts": "2012-06-01T12:52:21.084Z", "type": "motion",
                               "value": True, "room": "other", "seq": 1}
    assert {ln.type for ln in events} == {"motion"} and all(ln.event["value"] is True for ln in events)
    assert {ln.device for ln in events} <= {"pir-m012", "pir-m014", "pir-m015", "pir-m016"}  # as the hub's mapping


def test_casas_room_map_and_time_zone(tmp_path: Path):
    events, _, _ = convert(tmp_path, "casas", CASAS_CSV, "--limit", "20", "--room-map", "M012=kitchen,pir-m015=hall",
                           "--timezone", "UTC", "--home", "hh")
    check_events(events, "hh")
    assert events[0].event["ts"] == "2012-06-01T05:52:21.084Z"
    rooms = {ln.device: ln.event["room"] for ln in events}
    assert rooms["pir-m012"] == "kitchen" and rooms["pir-m015"] == "hall"


def test_casas_raw_format(tmp_path: Path):
    events, _, summary = convert(tmp_path, "casas", CASAS_RAW_SAMPLE)
    check_events(events, "casas-hh109")
    by_dev = {ln.device: ln.event for ln in events}
    assert by_dev["door-d002"]["type"] == "door" and by_dev["door-d002"]["value"] == "open"
    assert by_dev["door-d002"]["room"] == "front_door"
    assert by_dev["pir-m009"] == {**by_dev["pir-m009"], "type": "motion", "value": True, "room": "bedroom"}
    assert by_dev["batp102"]["type"] == "battery" and by_dev["batp102"]["value"] == 85
    assert "temperature" in summary


def test_ordonez_intervals(tmp_path: Path):
    events, _, _ = convert(tmp_path, "ordonez", ORDONEZ_A, "--home", "ord-a")
    check_events(events, "ord-a")
    bed = [ln.event["value"] for ln in events if ln.type == "bed"]
    assert bed[:2] == ["occupied", "empty"] and len(bed) % 2 == 0
    doors = [ln for ln in events if ln.device == "Maindoor_Magnetic_Entrance"]
    assert doors and all(ln.event["room"] == "front_door" for ln in doors)
    assert {ln.type for ln in events} >= {"motion", "door", "bed", "chair", "power"}


@pytest.mark.parametrize("args, message", [
    (["--limit", "0"], "--limit"),
    (["--start", "yesterday"], "not a local time"),
    (["--room-map", "M012"], "DEVICE=ROOM"),
])
def test_bad_arguments(tmp_path: Path, args, message):
    done = run(RECORDING, "--format", "casas", str(CASAS_CSV), "--output", str(tmp_path / "x.jsonl"), *args)
    assert done.returncode == 2 and message in done.stderr


def test_missing_file_is_a_clear_error(tmp_path: Path):
    done = run(RECORDING, "--format", "casas", str(tmp_path / "nope.csv"), "--output", str(tmp_path / "x.jsonl"))
    assert done.returncode == 1 and "is not a file" in done.stderr
