#!/usr/bin/env python3
"""`make evaluate`: `carehub evaluate` over every real home in ../shared/data/homes/ and over simulated homes, fixed and
learned rules side by side, written as one dated Markdown table to bench/results/evaluate-<date>.md.

Each home: false urgent incidents after its routine was learned (the recordings hold no real emergency) and the
detection delays of simulated daytime collapses (`--collapses`, drawn with `--seed`). The real recordings are read as
they are: every folder of --homes (default ../shared/data/homes) is one home, read in the format its largest recording is in
(HomeAssist and CASAS through deploy/mappings/<folder>.yaml when there is one, else by their own sensor names, location
words and types; Ordonez converted by simulators/recording.py; contract JSON lines as they are). A folder that
cannot be evaluated is named, with the reason, on stderr and in the table. The simulated homes come from
simulators/resident.py.

The same homes are also cut at night (00:00-06:00) and in the evening (20:00-23:30), outside the issue's daytime
protocol, because those are the longest waits (`carehub evaluate --cut-hours`).

Trends: simulated homes with a slow change of fixed size from day 21 (resident.py --scenario infection: night toilet visits
doubling over 7 days; decline: activity down 30 % over 14 days; later: up 60 min later over 7 days) and without one, over
--trend-seeds seeds each: the days from onset to the first trend incident of the right kind, and every other trend raised.

Usage: .venv/bin/python bench/evaluate.py [--collapses N] [--seed S] [--sim-homes N] [--sim-days D] [--trend-seeds N] [--carehub PATH]
                                          [--homes DIR] [--trends-only]
"""

import argparse
import datetime as dt
import json
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOMES = ROOT.parent / "shared" / "data" / "homes"
PYTHON = sys.executable


class EvaluationFailed(Exception):
    """`carehub evaluate` refused a recording; the message is its own sentence from stderr."""


def carehub_evaluate(carehub: str, arguments: list[str], collapses: int, seed: int, cut_hours: str | None = None,
                     warnings: list[str] | None = None) -> list[dict]:
    """The evaluation's rows; what carehub said on stderr (lines it skipped, sensors it does not read) is added to
    `warnings`, and a recording it refuses raises `EvaluationFailed` with its reason."""
    command = [carehub, "evaluate", *arguments, "--collapses", str(collapses), "--seed", str(seed), "--format", "json"]
    if cut_hours:
        command += ["--cut-hours", cut_hours]
    run = subprocess.run(command, capture_output=True, text=True)
    said = [line.removeprefix("carehub: ") for line in run.stderr.splitlines() if line.strip()]
    if run.returncode != 0:
        raise EvaluationFailed(" ".join(said) or f"carehub evaluate exited with status {run.returncode}")
    if warnings is not None:
        warnings.extend(said)
    return json.loads(run.stdout)


# The first line of each recording format the hub reads (`carehub evaluate --input-format`).
HOMEASSIST_LINE = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)?;[^;]+;")
CASAS_LINE = re.compile(r"^\d{4}-\d\d-\d\d[ T][\d:.]+(,|\s+)[A-Za-z][A-Za-z0-9_]*(,|\s+)\S")
NOT_RECORDINGS = re.compile(r"(?i)^(readme|source|upstream|licen[cs]e)|_adls\.txt$|_description\.txt$|\.(md|yaml|yml|py|zip|gz)$")


def sniff(path: Path, lines: int = 10) -> str | None:
    """The recording format of `path` from its first line in a format the hub reads among its first `lines` non-empty
    ones (a header row or a title before the events is passed over): homeassist, casas, contract, or None."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            looked = 0
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                if line.startswith("{"):
                    return "contract"
                if HOMEASSIST_LINE.match(line):
                    return "homeassist"
                if CASAS_LINE.match(line):
                    return "casas"
                looked += 1
                if looked >= lines:
                    return None
    except OSError:
        return None
    return None


def recordings(paths) -> list[tuple[int, Path, str]]:
    """(size, path, format) of each file among `paths` in a format the hub reads, documents left out."""
    return [(p.stat().st_size, p, fmt) for p in paths if p.is_file() and not NOT_RECORDINGS.search(p.name) and (fmt := sniff(p))]


def real_homes(workdir: Path, homes_dir: Path = HOMES) -> tuple[list[tuple[str, list[str]]], list[tuple[str, str]]]:
    """(label, carehub evaluate arguments) for each real home under `homes_dir`, one a folder (Ordonez: one a
    `*_Sensors.txt`), and (folder, reason) for each folder that could not be evaluated: a home added to the folder is
    evaluated without a change here, or said not to be.

    A folder's recording is its largest file in a format the hub reads (a short sample beside it is not a home), or, when
    that file is smaller than the others of its format together, all of them joined in name order (a recording split
    into parts);
    `deploy/mappings/<folder>.yaml` is its mapping when there is one; without one, a CASAS recording is read by its own
    location words and sensor types and a HomeAssist export by its platform's sensor names."""
    homes: list[tuple[str, list[str]]] = []
    skipped: list[tuple[str, str]] = []
    if not homes_dir.is_dir():
        return homes, [(str(homes_dir), "no such folder")]
    for folder in sorted(p for p in homes_dir.iterdir() if p.is_dir()):
        ordonez = sorted(folder.glob("*_Sensors.txt"))
        if ordonez:
            for sensors in ordonez:
                name = sensors.name.removesuffix("_Sensors.txt")
                letter = name.removeprefix("Ordonez")
                home = f"ordonez-{letter.lower()}" if name.startswith("Ordonez") else f"{folder.name}-{name.lower()}"
                converted = workdir / f"{home}.jsonl"
                subprocess.run([PYTHON, str(ROOT / "simulators/recording.py"), "--format", "ordonez", "--home", home,
                                str(sensors), "--output", str(converted), "--quiet"], check=True)
                homes.append((f"Ordonez {letter}" if name.startswith("Ordonez") else f"{folder.name} {name}",
                              ["--input", str(converted), "--timezone", "Europe/Madrid"]))
            continue
        # The folder's own files first: a subfolder (hh109's daily/ files beside their concatenation) only when it has none.
        found = recordings(folder.iterdir()) or recordings(folder.rglob("*"))
        if not found:
            skipped.append((folder.name, "no recording in a format the hub reads (HomeAssist, CASAS, Ordonez, contract JSON lines)"))
            continue
        size, recording, fmt = max(found, key=lambda f: (f[0], str(f[1])))
        same_format = [(other_size, p) for other_size, p, other in found if other == fmt]
        if len(same_format) > 1 and 2 * size < sum(other_size for other_size, _ in same_format):
            # A recording split into parts (a month a file), not one whole file beside a sample: all of them, in name order.
            recording = workdir / f"{folder.name}-joined{recording.suffix}"
            with recording.open("wb") as joined:
                for part in sorted((p for _, p in same_format), key=str):
                    data = part.read_bytes()
                    joined.write(data if data.endswith(b"\n") or not data else data + b"\n")
        mapping = ROOT / "deploy" / "mappings" / f"{folder.name}.yaml"
        arguments = ["--input", str(recording)]
        if fmt != "contract":
            # A recording names its home through its mapping, else after its folder.
            arguments = ["--input-format", fmt, *arguments, *(["--mapping", str(mapping)] if mapping.exists() else ["--home", folder.name])]
        homes.append((folder.name, arguments))
    return homes, skipped


def simulated_homes(workdir: Path, homes: int, days: int, seed: int) -> tuple[str, list[str]]:
    recording = workdir / "simulated.jsonl"
    subprocess.run([PYTHON, str(ROOT / "simulators/resident.py"), "--homes", str(homes), "--days", str(days), "--seed", str(seed),
                    "--output", str(recording), "--quiet"], check=True)
    return (f"simulated ({homes} homes × {days} days, resident.py seed {seed})", ["--input", str(recording)])


# Collapses outside the daytime protocol, measured because they are the longest waits: (when, local hours, why).
OFF_HOURS = [
    ("at night", "00:00-06:00", "a night on the floor is the longest wait"),
    ("in the evening", "20:00-23:30", "a fall after supper is found by the next morning's checks"),
]
ONSET = "2026-12-21"  # day 21 of resident.py's default start, 2026-11-30
EXPECTED = {"infection": "night_visits_rising", "decline": "activity_falling", "later": "rising_later"}


def trend_recording(workdir: Path, scenario: str, seed: int, *options: str, reuse: bool = False) -> Path:
    """One simulated trend home of 42 days (resident.py seed `seed`, with `options`), with `scenario`'s slow change from
    `ONSET`, or without any for "none"; with `reuse`, a recording of it already in `workdir` is taken as it is (the
    replicas' cache, bench/*_replica.py)."""
    recording = workdir / f"trend-{scenario}-{seed}.jsonl"
    if reuse and recording.exists():
        return recording
    change = [] if scenario == "none" else ["--scenario", f"{scenario}@{ONSET}"]
    subprocess.run([PYTHON, str(ROOT / "simulators/resident.py"), "--homes", "1", "--days", "42", "--seed", str(seed), *change, *options,
                    "--output", str(recording), "--quiet"], check=True)
    return recording


def trend_runs(carehub: str, workdir: Path, seeds: int) -> list[tuple[str, int, list[dict]]]:
    """(scenario or "none", seed, the learned run's trends) for each simulated trend home, two homes at a time."""
    def one(scenario: str, seed: int) -> tuple[str, int, list[dict]]:
        recording = trend_recording(workdir, scenario, seed)
        results = carehub_evaluate(carehub, ["--input", str(recording)], 0, 1)
        recording.unlink()
        return scenario, seed, next(r for r in results if r["mode"] == "learned")["trends"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda run: one(*run), [(scenario, seed) for scenario in ("none", *EXPECTED) for seed in range(1, seeds + 1)]))


def first_trend(scenario: str, found: list[dict]) -> int | None:
    """Days from the onset to the first trend of the kind `scenario` should raise, or None."""
    onset = dt.date.fromisoformat(ONSET)
    hits = [t for t in found if t["kind"] == EXPECTED[scenario] and dt.date.fromisoformat(t["at"][:10]) >= onset]
    return (dt.date.fromisoformat(hits[0]["at"][:10]) - onset).days if hits else None


def trend_lines(trends: list[tuple[str, int, list[dict]]]) -> list[str]:
    """The trends' summary over the seeds, then each home."""
    seeds = len({seed for _, seed, _ in trends})
    lines = ["", f"Trends on simulated homes (onset {ONSET}, day 21 of 42; learned mode; seeds 1–{seeds}):", "",
             "| change | flagged within 10 days | days from onset, median (max) | missed (none in 21 days) | homes raising another trend |",
             "|---|---|---|---|---|"]
    for scenario in ("none", *EXPECTED):
        runs = [(seed, found) for name, seed, found in trends if name == scenario]
        if scenario == "none":
            raised = [seed for seed, found in runs if found]
            lines.append(f"| none | – | – | – | {len(raised)} of {len(runs)}{' (seeds ' + ', '.join(map(str, raised)) + ')' if raised else ''} |")
            continue
        days = [first_trend(scenario, found) for _, found in runs]
        found_days = [d for d in days if d is not None]
        others = sum(1 for _, found in runs if any(t["kind"] != EXPECTED[scenario] for t in found))
        lines.append(f"| {scenario} | {sum(1 for d in found_days if d <= 10)} of {len(runs)} | "
                     f"{statistics.median(found_days) if found_days else '–'} ({max(found_days) if found_days else '–'}) | "
                     f"{days.count(None)} | {others} |")
    lines += ["", "| change | seed | days from onset to the trend | other trends raised |", "|---|---|---|---|"]
    for scenario, seed, found in trends:
        expected = EXPECTED.get(scenario)
        delay = first_trend(scenario, found) if expected else None
        others = [f"{t['kind']} {t['at'][:10]}" for t in found if t["kind"] != expected]
        lines.append(f"| {scenario} | {seed} | {'–' if expected is None else (delay if delay is not None else 'missed')} | "
                     f"{', '.join(others) or '–'} |")
    return lines


def named(label: str, result: dict) -> str:
    """The row's home: its folder, or the source and the home in it ("Ordonez A: ordonez-a")."""
    return label if label == result["home"] else f"{label}: {result['home']}"


def delays(result: dict | None) -> str:
    """A result's detection delays, "median / p90 / max, found/collapses", or – when it cut nothing."""
    if result is None or not result["collapses"]:
        return "–"
    return (f"{hours(result['delay_median_seconds'])} / {hours(result['delay_p90_seconds'])} / {hours(result['delay_max_seconds'])}, "
            f"{result['detected']}/{result['collapses']}")


def settings_text(values: dict, none: str = "none (no kind raised more than once)") -> str:
    """Suggested settings as the configuration writes them, or `none` when there are none."""
    return ", ".join(f"`{k}: {v}`" for k, v in sorted(values.items())) or none


def hours(seconds) -> str:
    return "–" if seconds is None else f"{seconds / 3600:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collapses", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sim-homes", type=int, default=3)
    parser.add_argument("--sim-days", type=int, default=42)
    parser.add_argument("--trend-seeds", type=int, default=4)
    parser.add_argument("--trends-only", action="store_true",
                        help="only the trends on simulated homes, to bench/results/evaluate-trends-<date>.md (with many --trend-seeds)")
    parser.add_argument("--carehub", default=str(ROOT / ".build/debug/carehub"))
    parser.add_argument("--homes", type=Path, default=HOMES, help="folder of real homes, one a folder (default: ../shared/data/homes)")
    arguments = parser.parse_args()

    if arguments.trends_only:
        return trends_only(arguments)
    rows = []
    warned: list[tuple[str, str]] = []
    off_hours: dict[str, list[tuple[str, dict]]] = {window: [] for _, window, _ in OFF_HOURS}
    with tempfile.TemporaryDirectory(prefix="carehub-evaluate-") as directory:
        workdir = Path(directory)
        found, skipped = real_homes(workdir, arguments.homes)
        for folder, reason in skipped:
            print(f"not evaluated: {folder}: {reason}", file=sys.stderr, flush=True)
        sources = [(label, args, True) for label, args in found]
        sources.append((*simulated_homes(workdir, arguments.sim_homes, arguments.sim_days, arguments.seed), False))
        for label, args, real in sources:
            print(f"evaluating {label} …", flush=True)
            said: list[str] = []
            try:
                results = carehub_evaluate(arguments.carehub, args, arguments.collapses, arguments.seed, warnings=said)
            except EvaluationFailed as failure:
                # One home the hub cannot read is named, with its reason; the others are still evaluated.
                print(f"not evaluated: {label}: {failure}", file=sys.stderr, flush=True)
                skipped.append((label, str(failure)))
                continue
            rows += [(label, real, result) for result in results]
            warned += [(label, line) for line in said]
            for _, window, _ in OFF_HOURS:
                for result in carehub_evaluate(arguments.carehub, args, arguments.collapses, arguments.seed, window):
                    if result["mode"] in ("fixed", "learned"):
                        off_hours[window].append((label, result))
        print("trends on simulated homes …", flush=True)
        trends = trend_runs(arguments.carehub, workdir, arguments.trend_seeds)

    today = dt.date.today().isoformat()
    lines = [
        f"# `make evaluate`, {today}",
        "",
        f"Machine: {platform.node()}, {platform.machine()}; command: `.venv/bin/python bench/evaluate.py --collapses {arguments.collapses} "
        f"--seed {arguments.seed} --sim-homes {arguments.sim_homes} --sim-days {arguments.sim_days} --trend-seeds {arguments.trend_seeds}`.",
        "",
        "False urgent incidents count every urgent incident (`no_data` included) raised after the home's routine was learned "
        "(7 days of its own activity), in a recording with no real emergency; the days they are counted over leave out every "
        "stretch of more than a day in which the recording holds nothing at all (the platform down, or nobody at home). "
        "Collapses are drawn uniformly from the daytime minutes (08:00–20:00) when the resident was at home after learning; "
        "after each cut only heartbeats and gateway statuses go on; the delay runs from the cut to the first urgent incident "
        "(0 when one was already open); a miss is none within 24 h.",
        "",
        "`learned+suggested` (homes with 35 days or more after learning) is learned mode with the per-home thresholds "
        "`carehub homes suggest` draws from the first 28 days after learning, as if a lead took them then; its false alarms "
        "count only after that, its collapses are the same as the other modes'. `learned+reviewed` (homes with two such "
        "reviews or more) looks again every 28 days and takes each new suggestion on top of those before, as a lead reviewing "
        "each home monthly would; each period between reviews counts its false alarms and its collapses with the thresholds "
        "taken at its start.",
        "",
        "| home | mode | days counted | false urgent | per home-month | by kind | collapses found | delay median h | p90 h | max h | trend incidents |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, _, result in rows:
        kinds: dict[str, int] = {}
        for incident in result["false_urgent_incidents"]:
            kinds[incident["kind"]] = kinds.get(incident["kind"], 0) + 1
        per_month = result["false_urgent_per_month"]
        lines.append(
            f"| {named(label, result)} | {result['mode']} | {result['days_counted']:.1f} | {result['false_urgent']} | "
            f"{'–' if per_month is None else f'{per_month:.2f}'} | {', '.join(f'{k} {v}' for k, v in sorted(kinds.items())) or '–'} | "
            f"{result['detected']}/{result['collapses']} | {hours(result['delay_median_seconds'])} | {hours(result['delay_p90_seconds'])} | "
            f"{hours(result['delay_max_seconds'])} | {len(result['trends']) if result['mode'] == 'learned' else '–'} |")
    without_data = [(label, r) for label, _, r in rows if r["mode"] == "learned" and r.get("days_without_data", 0) >= 0.05]
    if without_data:
        lines += ["", "Days without any data, left out of the days counted (learned mode, after learning):", ""]
        lines += [f"- {named(label, r)}: {r['days_without_data']:.1f}" for label, r in without_data]
    if skipped:
        lines += ["", "Not evaluated:", ""] + [f"- {folder}: {reason}" for folder, reason in skipped]
    if warned:
        lines += ["", "Read with warnings (`carehub evaluate` on stderr):", ""] + [f"- {label}: {line}" for label, line in warned]
    lines += ["", "Spread across the real homes (per home-month; median delay h):", ""]
    for mode in ("fixed", "learned", "learned+suggested", "learned+reviewed"):
        real = [r for _, is_real, r in rows if is_real and r["mode"] == mode and r["false_urgent_per_month"] is not None]
        if real:
            rates = [r["false_urgent_per_month"] for r in real]
            medians = [r["delay_median_seconds"] / 3600 for r in real if r["delay_median_seconds"] is not None]
            lines.append(f"- {mode}: false urgent {min(rates):.2f} – {statistics.median(rates):.2f} – {max(rates):.2f} (min – median – max); "
                         f"median delay {min(medians):.2f} – {statistics.median(medians):.2f} – {max(medians):.2f}")
    taken = [(label, r) for label, _, r in rows if r["mode"] == "learned+suggested"]
    if taken:
        lines += ["", "Thresholds suggested after the first 28 days learned, and taken at each later review (`learned+reviewed`):", ""]
        reviewed = {(label, r["home"]): r for label, _, r in rows if r["mode"] == "learned+reviewed"}
        for label, r in taken:
            line = f"- {named(label, r)}: {settings_text(r['suggested_settings'])}"
            if (label, r["home"]) in reviewed:
                later = [f"{review['at'][:10]} {settings_text(review['taken'], 'nothing')}" for review in reviewed[(label, r["home"])]["reviews"][1:]]
                line += f"; then {'; '.join(later)}"
            lines.append(line)
    for when, window, why in OFF_HOURS:
        lines += ["", f"Collapses {when} ({window}, the resident at home; outside the issue's daytime protocol, measured because "
                  f"{why}): detection delay, median / p90 / max h, and collapses found.", "",
                  "| home | fixed | learned |", "|---|---|---|"]
        by_home: dict[str, dict[str, dict]] = {}
        for label, result in off_hours[window]:
            by_home.setdefault(named(label, result), {})[result["mode"]] = result
        for home, modes in by_home.items():
            lines.append(f"| {home} | {delays(modes.get('fixed'))} | {delays(modes.get('learned'))} |")
    lines += trend_lines(trends)
    return written(lines, f"evaluate-{today}.md")


def trends_only(arguments: argparse.Namespace) -> int:
    """`--trends-only`: the trends over many seeds, in a file of their own."""
    with tempfile.TemporaryDirectory(prefix="carehub-evaluate-") as directory:
        trends = trend_runs(arguments.carehub, Path(directory), arguments.trend_seeds)
    today = dt.date.today().isoformat()
    lines = [f"# `make evaluate` trends, {today}", "",
             f"Machine: {platform.node()}, {platform.machine()}; command: `.venv/bin/python bench/evaluate.py --trends-only "
             f"--trend-seeds {arguments.trend_seeds}`."]
    return written(lines + trend_lines(trends), f"evaluate-trends-{today}.md")


def written(lines: list[str], name: str) -> int:
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / name
    path.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
