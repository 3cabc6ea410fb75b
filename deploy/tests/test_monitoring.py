"""The shipped monitoring files (deploy/prometheus, deploy/grafana) against each other and the hub's metric names.

promtool (Debian: apt-get install -y prometheus) checks the alert rules, runs their unit tests
(carehub-alerts.test.yml) and parses every PromQL expression of the Grafana dashboard; without promtool those
tests are skipped, and say so. The name checks need nothing: each carehub_* series the alerts or the dashboard
read must be one the hub exports (HubMetrics.Name in Sources/CareHubService/Operations/HubMetrics.swift).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "carehub.json"
HUB_METRICS = ROOT / "Sources" / "CareHubService" / "Operations" / "HubMetrics.swift"

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed (Debian: apt-get install -y prometheus)")

# Series Prometheus adds to a histogram's name, and to every target.
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def exported_names() -> set[str]:
    """The metric names the hub registers, read from HubMetrics.Name."""
    names = set(re.findall(r'static let \w+ = "(carehub_[a-z_]+)"', HUB_METRICS.read_text()))
    assert names, f"no metric names found in {HUB_METRICS}"
    return names


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def carehub_series(text: str) -> set[str]:
    return set(re.findall(r"\bcarehub_[a-z_]+", text))


def promtool(*arguments: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run([PROMTOOL, *arguments], capture_output=True, text=True, timeout=60, cwd=PROMETHEUS)


def test_every_carehub_series_the_alerts_and_dashboard_read_is_exported() -> None:
    exported = exported_names()
    read = carehub_series((PROMETHEUS / "carehub-alerts.yml").read_text())
    read |= carehub_series("\n".join(dashboard_expressions()))
    assert read, "the alerts and the dashboard read no carehub_* series"
    unknown = {name for name in read if name not in exported and not (
        name.endswith(HISTOGRAM_SUFFIXES) and name.rsplit("_", 1)[0] in exported)}
    assert not unknown, f"read but not exported by the hub: {sorted(unknown)}"


def test_the_dashboard_covers_each_alert_and_names_no_home() -> None:
    text = "\n".join(dashboard_expressions())
    for name in ("carehub_broker_connected", "carehub_outbox_oldest_age_seconds", "carehub_homes_silent",
                 "node_filesystem_avail_bytes", 'up{job="carehub"'):
        assert name in text, f"the dashboard does not show {name}"
    personal = re.compile(r"\b(home|home_id|device_id|topic|resident)\b\s*(=~|!~|!=|=|,|\))|\{\{\s*(home|device_id|topic)")
    legends = "\n".join(target.get("legendFormat", "") for panel in json.loads(DASHBOARD.read_text())["panels"] for target in panel["targets"])
    assert not personal.search(text + "\n" + legends), "a panel reads or shows a home, device or topic label"


@needs_promtool
def test_the_alert_rules_are_valid() -> None:
    result = promtool("check", "rules", "carehub-alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_the_alert_rules_fire_as_their_unit_tests_expect() -> None:
    result = promtool("test", "rules", "carehub-alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_the_scrape_example_is_valid() -> None:
    result = promtool("check", "config", "--syntax-only", "prometheus.example.yml")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_every_dashboard_expression_parses(tmp_path: Path) -> None:
    # promtool parses PromQL only in rule files: each expression becomes a recording rule, the dashboard's variables
    # replaced by what Grafana would put there.
    lines = ["groups:", "  - name: dashboard", "    rules:"]
    for index, expression in enumerate(dashboard_expressions()):
        concrete = expression.replace("$instance", ".*")
        lines += [f"      - record: dashboard:expression_{index}", f"        expr: {json.dumps(concrete)}"]
    rules = tmp_path / "dashboard-rules.yml"
    rules.write_text("\n".join(lines) + "\n")
    result = promtool("check", "rules", str(rules))
    assert result.returncode == 0, result.stdout + result.stderr
