#!/usr/bin/env python3
"""`make evaluate`: `carehub evaluate` over every real home in ../shared/data/homes/ and over simulated homes, fixed and
learned rules side by side, written as one dated Markdown table to bench/results/evaluate-<date>.md.

Each home: false urgent incidents after its routine was learned (the recordings hold no real emergency) and the
detection delays of simulated daytime collapses (`--collapses`, drawn with `--seed`). The real recordings are read as
they are (HomeAssist and CASAS through their mappings; Ordonez converted by simulators/recording.py); the simulated
homes come from simulators/resident.py.

Trends: simulated homes with a slow change of fixed size from day 21 (resident.py --scenario infection: night toilet visits
doubling over 7 days; decline: activity down 30 % over 14 days; later: up 60 min later over 7 days) and without one, over
--trend-seeds seeds each: the days from onset to the first trend incident of the right kind, and every other trend raised.

Usage: .venv/bin/python bench/evaluate.py [--collapses N] [--seed S] [--sim-homes N] [--sim-days D] [--trend-seeds N] [--carehub PATH]
"""

import argparse
import datetime as dt
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOMES = ROOT.parent / "shared" / "data" / "homes"
PYTHON = sys.executable


def carehub_evaluate(carehub: str, arguments: list[str], collapses: int, seed: int) -> list[dict]:
    command = [carehub, "evaluate", *arguments, "--collapses", str(collapses), "--seed", str(seed), "--format", "json"]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def real_homes(workdir: Path) -> list[tuple[str, list[str]]]:
    """(label, carehub evaluate arguments) for each real recording present."""
    homes = []
    homeassist = sorted((HOMES / "homeassist-home1").glob("*.csv"))
    if homeassist:
        homes.append(("HomeAssist home1 (Bordeaux)", ["--input-format", "homeassist", "--mapping",
                                                       str(ROOT / "deploy/mappings/homeassist-home1.yaml"), "--input", str(homeassist[0])]))
    casas = HOMES / "casas-hh109" / "hh109_2012-06_motion_on.csv"
    if casas.exists():
        homes.append(("CASAS hh109", ["--input-format", "casas", "--mapping", str(ROOT / "deploy/mappings/casas-hh109.yaml"),
                                      "--input", str(casas)]))
    for letter in "AB":
        sensors = HOMES / "ordonez" / f"Ordonez{letter}_Sensors.txt"
        if not sensors.exists():
            continue
        converted = workdir / f"ordonez-{letter.lower()}.jsonl"
        subprocess.run([PYTHON, str(ROOT / "simulators/recording.py"), "--format", "ordonez", "--home", f"ordonez-{letter.lower()}",
                        str(sensors), "--output", str(converted), "--quiet"], check=True)
        homes.append((f"Ordonez {letter}", ["--input", str(converted), "--timezone", "Europe/Madrid"]))
    return homes


def simulated_homes(workdir: Path, homes: int, days: int, seed: int) -> tuple[str, list[str]]:
    recording = workdir / "simulated.jsonl"
    subprocess.run([PYTHON, str(ROOT / "simulators/resident.py"), "--homes", str(homes), "--days", str(days), "--seed", str(seed),
                    "--output", str(recording), "--quiet"], check=True)
    return (f"simulated ({homes} homes × {days} days, resident.py seed {seed})", ["--input", str(recording)])


ONSET = "2026-12-21"  # day 21 of resident.py's default start, 2026-11-30
EXPECTED = {"infection": "night_visits_rising", "decline": "activity_falling", "later": "rising_later"}


def trend_runs(carehub: str, workdir: Path, seeds: int) -> list[tuple[str, int, list[dict]]]:
    """(scenario or "none", seed, the learned run's trends) for each simulated trend home."""
    runs = []
    for scenario in ("none", *EXPECTED):
        for seed in range(1, seeds + 1):
            recording = workdir / f"trend-{scenario}-{seed}.jsonl"
            extra = [] if scenario == "none" else ["--scenario", f"{scenario}@{ONSET}"]
            subprocess.run([PYTHON, str(ROOT / "simulators/resident.py"), "--homes", "1", "--days", "42", "--seed", str(seed), *extra,
                            "--output", str(recording), "--quiet"], check=True)
            results = carehub_evaluate(carehub, ["--input", str(recording)], 0, 1)
            runs.append((scenario, seed, next(r for r in results if r["mode"] == "learned")["trends"]))
            recording.unlink()
    return runs


def hours(seconds) -> str:
    return "–" if seconds is None else f"{seconds / 3600:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collapses", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sim-homes", type=int, default=3)
    parser.add_argument("--sim-days", type=int, default=42)
    parser.add_argument("--trend-seeds", type=int, default=4)
    parser.add_argument("--carehub", default=str(ROOT / ".build/debug/carehub"))
    arguments = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="carehub-evaluate-") as directory:
        workdir = Path(directory)
        sources = [(label, args, True) for label, args in real_homes(workdir)]
        sources.append((*simulated_homes(workdir, arguments.sim_homes, arguments.sim_days, arguments.seed), False))
        for label, args, real in sources:
            print(f"evaluating {label} …", flush=True)
            for result in carehub_evaluate(arguments.carehub, args, arguments.collapses, arguments.seed):
                rows.append((label, real, result))
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
        "(7 days of its own activity), in a recording with no real emergency. Collapses are drawn uniformly from the daytime "
        "minutes (08:00–20:00) when the resident was at home after learning; after each cut only heartbeats and gateway statuses "
        "go on; the delay runs from the cut to the first urgent incident (0 when one was already open); a miss is none within 24 h.",
        "",
        "`learned+suggested` (homes with 35 days or more after learning) is learned mode with the per-home thresholds "
        "`carehub homes suggest` draws from the first 28 days after learning, as if a lead took them then; its false alarms "
        "count only after that, its collapses are the same as the other modes'.",
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
            f"| {label}: {result['home']} | {result['mode']} | {result['days_counted']:.1f} | {result['false_urgent']} | "
            f"{'–' if per_month is None else f'{per_month:.2f}'} | {', '.join(f'{k} {v}' for k, v in sorted(kinds.items())) or '–'} | "
            f"{result['detected']}/{result['collapses']} | {hours(result['delay_median_seconds'])} | {hours(result['delay_p90_seconds'])} | "
            f"{hours(result['delay_max_seconds'])} | {len(result['trends']) if result['mode'] == 'learned' else '–'} |")
    lines += ["", "Spread across the real homes (per home-month; median delay h):", ""]
    for mode in ("fixed", "learned", "learned+suggested"):
        real = [r for _, is_real, r in rows if is_real and r["mode"] == mode and r["false_urgent_per_month"] is not None]
        if real:
            rates = [r["false_urgent_per_month"] for r in real]
            medians = [r["delay_median_seconds"] / 3600 for r in real if r["delay_median_seconds"] is not None]
            lines.append(f"- {mode}: false urgent {min(rates):.2f} – {statistics.median(rates):.2f} – {max(rates):.2f} (min – median – max); "
                         f"median delay {min(medians):.2f} – {statistics.median(medians):.2f} – {max(medians):.2f}")
    taken = [(label, r) for label, _, r in rows if r.get("suggested_settings") is not None]
    if taken:
        lines += ["", "Thresholds suggested after the first 28 days learned:", ""]
        for label, r in taken:
            values = ", ".join(f"`{k}: {v}`" for k, v in sorted(r["suggested_settings"].items())) or "none (no kind raised more than once)"
            lines.append(f"- {label}: {r['home']}: {values}")
    lines += ["", f"Trends on simulated homes (onset {ONSET}, day 21 of 42; learned mode):", "",
              "| change | seed | days from onset to the trend | other trends raised |", "|---|---|---|---|"]
    onset = dt.date.fromisoformat(ONSET)
    for scenario, seed, found in trends:
        expected = EXPECTED.get(scenario)
        hits = [t for t in found if t["kind"] == expected and dt.date.fromisoformat(t["at"][:10]) >= onset]
        delay = (dt.date.fromisoformat(hits[0]["at"][:10]) - onset).days if hits else None
        others = [f"{t['kind']} {t['at'][:10]}" for t in found if t not in hits[:1] and t["kind"] != expected]
        lines.append(f"| {scenario} | {seed} | {'–' if expected is None else (delay if delay is not None else 'missed')} | "
                     f"{', '.join(others) or '–'} |")
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"evaluate-{today}.md"
    path.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
