"""bench/evaluate.py finds every real home in its folder, in whatever format the hub reads, and names the ones it cannot
evaluate: a held-out home dropped into ../shared/data/homes/ must be evaluated, or said not to be, never left out silently.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_evaluate():
    spec = importlib.util.spec_from_file_location("carehub_evaluate", ROOT / "bench" / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["carehub_evaluate"] = module
    spec.loader.exec_module(module)
    return module


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_every_home_folder_is_evaluated_or_named_with_its_reason(tmp_path: Path) -> None:
    evaluate = load_evaluate()
    homes = tmp_path / "homes"
    raw = "2012-07-18 12:54:45.126257  D002    OutsideDoor FrontDoor   OPEN    Control4-Door\r\n" * 50
    data = write(homes / "hh777" / "data", raw)
    write(homes / "hh777" / "README.txt", "2012-07-18 12:54:45 M001 ON\n")  # a document, not a recording
    # The largest recording is the home, not a short sample beside it.
    big = write(homes / "casas-old" / "annotated.txt", "2010-11-04 00:03:50.209589 M003 ON Sleeping begin\n" * 40)
    write(homes / "casas-old" / "sample.txt", "2010-11-04 00:03:50.209589 M003 ON\n")
    for day in range(1, 4):  # the same days again, a file a day, in a subfolder: not read twice
        write(homes / "casas-old" / "daily" / f"2010-11-0{day}.txt", "2010-11-04 00:03:50.209589 M003 ON Sleeping begin\n" * 20)
    nested = write(homes / "hh778" / "raw" / "data", raw)  # a recording only in a subfolder is found there
    ha = write(homes / "ha-home9" / "home9.csv", "2017-03-01T08:00:00.000;MotionD_K;1\n")
    contract = write(homes / "flat-4" / "events.jsonl", '{"topic":"carehub/v1/flat-4/pir/event","payload":{}}\n')
    write(homes / "notes-only" / "SOURCE.md", "# nothing to replay\n")
    # A recording split into months: all of it, in order, not its largest month.
    write(homes / "ha-split" / "home-2017-02.csv", "2017-02-01T08:00:00.000;MotionD_K;1\n" * 30)
    write(homes / "ha-split" / "home-2017-01.csv", "2017-01-01T08:00:00.000;MotionD_K;1\n" * 20)
    write(homes / "ha-split" / "home-2017-03.csv", "2017-03-01T08:00:00.000;MotionD_K;1\n" * 25)

    (tmp_path / "work").mkdir()
    found, skipped = evaluate.real_homes(tmp_path / "work", homes)

    assert dict(found) == {
        "casas-old": ["--input-format", "casas", "--input", str(big), "--home", "casas-old"],
        "flat-4": ["--input", str(contract)],
        "ha-home9": ["--input-format", "homeassist", "--input", str(ha), "--home", "ha-home9"],
        "ha-split": ["--input-format", "homeassist", "--input", str(tmp_path / "work" / "ha-split-joined.csv"), "--home", "ha-split"],
        "hh777": ["--input-format", "casas", "--input", str(data), "--home", "hh777"],
        "hh778": ["--input-format", "casas", "--input", str(nested), "--home", "hh778"],
    }
    assert len(skipped) == 1 and skipped[0][0] == "notes-only" and "no recording" in skipped[0][1]
    joined = (tmp_path / "work" / "ha-split-joined.csv").read_text().splitlines()
    assert len(joined) == 75 and joined[0].startswith("2017-01") and joined[-1].startswith("2017-03")


def test_the_shipped_homes_are_read_through_their_mappings(tmp_path: Path) -> None:
    evaluate = load_evaluate()
    shared = ROOT.parent / "shared" / "data" / "homes"
    if not (shared / "homeassist-home1").is_dir():
        pytest.skip("the shared recordings are not beside this checkout")
    found, skipped = evaluate.real_homes(tmp_path, shared)
    arguments = dict(found)
    assert arguments["homeassist-home1"][-2:] == ["--mapping", str(ROOT / "deploy/mappings/homeassist-home1.yaml")]
    assert arguments["casas-hh109"][1:4] == ["casas", "--input", str(shared / "casas-hh109" / "hh109_2012-06_motion_on.csv")]
    assert arguments["casas-hh109"][-2:] == ["--mapping", str(ROOT / "deploy/mappings/casas-hh109.yaml")]
    assert {"Ordonez A", "Ordonez B"} <= set(arguments)
    assert skipped == []


def test_a_header_row_or_a_title_before_the_events_does_not_hide_a_recording(tmp_path: Path) -> None:
    evaluate = load_evaluate()
    ha = write(tmp_path / "home7.csv", "time;sensor;value\n2017-03-01T08:00:00.000;MotionD_K;1\n")
    casas = write(tmp_path / "data", "# hh120, exported 2013-01-02\n\n2012-07-18 12:54:45.126257 M003 ON\n")
    prose = write(tmp_path / "notes.txt", "".join(f"line {n} of a letter\n" for n in range(20)) + "2012-07-18 12:54:45 M001 ON\n")
    assert evaluate.sniff(ha) == "homeassist"
    assert evaluate.sniff(casas) == "casas"
    assert evaluate.sniff(prose) is None  # ten lines of no recording: not one
    zoned = write(tmp_path / "home8.csv", "2017-03-01T07:00:00.000Z;MotionD_K;1\n")
    assert evaluate.sniff(zoned) == "homeassist"  # a time with its zone is still a HomeAssist line


def fake_carehub(tmp_path: Path, status: int, stdout: str, stderr: str) -> str:
    """An executable standing in for carehub: prints `stdout` and `stderr` and exits with `status`."""
    path = tmp_path / f"carehub-{status}"
    path.write_text(f"#!{sys.executable}\nimport sys\nsys.stdout.write({stdout!r})\nsys.stderr.write({stderr!r})\nsys.exit({status})\n")
    path.chmod(0o755)
    return str(path)


def test_a_recording_the_hub_refuses_is_named_with_its_reason_and_warnings_are_kept(tmp_path: Path) -> None:
    evaluate = load_evaluate()
    refusing = fake_carehub(tmp_path, 1, "", "carehub: No line of x.csv could be read as a CASAS recording (check --input-format): "
                            "Line 1 is not a CASAS event (date and time, sensor, value).\n")
    with pytest.raises(evaluate.EvaluationFailed, match=r"^No line of x.csv could be read as a CASAS recording"):
        evaluate.carehub_evaluate(refusing, ["--input", "x.csv"], 5, 1)
    warning = "carehub: skipped 1 line it could not read: Line 7 is not JSON: unexpected character at byte 0.\n"
    reading = fake_carehub(tmp_path, 0, '[{"home": "x", "mode": "learned"}]', warning)
    said: list[str] = []
    assert evaluate.carehub_evaluate(reading, ["--input", "x.jsonl"], 5, 1, warnings=said) == [{"home": "x", "mode": "learned"}]
    assert said == ["skipped 1 line it could not read: Line 7 is not JSON: unexpected character at byte 0."]


def test_the_trend_summary_counts_each_change_over_its_seeds():
    evaluate = load_evaluate()
    rise = lambda day: {"kind": "night_visits_rising", "at": f"{day}T00:00:00.000Z"}  # noqa: E731
    trends = [
        ("none", 1, []),
        ("none", 2, [rise("2026-12-30")]),
        ("infection", 1, [rise("2026-12-29")]),                                          # 8 days after the onset
        ("infection", 2, [rise("2026-12-20"), rise("2027-01-05")]),                      # one before it does not count
        ("infection", 3, [{"kind": "activity_falling", "at": "2026-12-24T00:00:00.000Z"}]),  # missed, another trend
    ]
    lines = evaluate.trend_lines(trends)
    assert "| none | – | – | – | 1 of 2 (seeds 2) |" in lines, lines
    assert "| infection | 1 of 3 | 11.5 (15) | 1 | 1 |" in lines, lines
    assert "| infection | 3 | missed | activity_falling 2026-12-24 |" in lines, lines
