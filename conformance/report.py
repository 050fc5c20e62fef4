"""The run's results per backend: terminal counts, and the JSON and markdown report.

Each conformance test carries, in ``user_properties`` (which pytest-xdist sends from
the workers), a ``("retrograd", {...})`` entry naming its backend, its group (``ops``,
``engine``, ``tutorial``, ``meta``), and for op tests the op and the check. The
controller feeds every test report to :class:`Results`, which keeps one outcome per
test and aggregates them per op and check for the report's table.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

PROPERTY = "retrograd"
CHECKS = ("forward", "gradient", "second order", "jvp", "reference")
# When one (op, check) has several tests, the worst outcome is the cell's.
SEVERITY = ("failed", "error", "xpassed", "xfailed", "passed", "skipped")
DISPLAY = ("passed", "failed", "error", "xfailed", "xpassed", "skipped")  # summary order
SYMBOL = {"passed": "pass", "failed": "FAIL", "error": "ERROR", "xfailed": "known failure",
          "xpassed": "XPASS", "skipped": "skip"}  # fmt: skip


def outcome(report: Any) -> str | None:
    """The outcome one phase's report settles for its test, or None if it settles none."""
    xfail = hasattr(report, "wasxfail")
    if report.failed:
        return "failed" if report.when == "call" else "error"
    if report.skipped:
        return "xfailed" if xfail else "skipped"
    if report.when == "call":
        return "xpassed" if xfail else "passed"
    return None


def short_id(nodeid: str) -> str:
    """``test_ops.py::test_x[...]``: a node id without its directory (ids have no ``/``)."""
    return nodeid.rpartition("/")[2]


def properties(report: Any) -> dict[str, Any] | None:
    for name, value in getattr(report, "user_properties", ()):
        if name == PROPERTY:
            return value
    return None


class Results:
    """Outcomes of the conformance tests, by node id."""

    def __init__(self) -> None:
        self.tests: dict[str, tuple[dict[str, Any], str]] = {}
        self.reasons: dict[str, tuple[str, str]] = {}  # known failure id -> backend, reason

    def add(self, report: Any) -> None:
        props, result = properties(report), outcome(report)
        if props is None or result is None:
            return
        if result == "xfailed":
            self.reasons[short_id(report.nodeid)] = (props["backend"], report.wasxfail)
        previous = self.tests.get(report.nodeid)
        if previous is None or previous[1] in ("passed", "xfailed") and result == "error":
            self.tests[report.nodeid] = (props, result)

    def counts(self, backend: str) -> Counter:
        return Counter(r for p, r in self.tests.values() if p["backend"] == backend)

    def backends(self) -> list[str]:
        return sorted({p["backend"] for p, _ in self.tests.values()})

    def failing(self, backend: str) -> list[str]:
        """``op (check)`` or the test id of each failing test of ``backend``."""
        found = []
        for nodeid, (p, r) in self.tests.items():
            if p["backend"] == backend and r in ("failed", "error", "xpassed"):
                label = f"{p['op']} ({p['check']})" if p.get("op") else nodeid.rpartition("::")[2]
                found.append(label)
        return sorted(set(found))

    def table(self) -> dict[str, dict[str, dict[str, str]]]:
        """``{backend: {op: {check: outcome}}}``, the worst outcome per cell."""
        cells: dict[str, dict[str, dict[str, str]]] = {}
        for p, r in self.tests.values():
            if not p.get("op"):
                continue
            row = cells.setdefault(p["backend"], {}).setdefault(p["op"], {})
            old = row.get(p["check"])
            if old is None or SEVERITY.index(r) < SEVERITY.index(old):
                row[p["check"]] = r
        return cells

    def groups(self, backend: str) -> dict[str, dict[str, int]]:
        """Outcome counts per group (ops, engine, tutorial, meta) of ``backend``."""
        out: dict[str, Counter] = {}
        for p, r in self.tests.values():
            if p["backend"] == backend:
                out.setdefault(p["group"], Counter())[r] += 1
        return {g: dict(c) for g, c in sorted(out.items())}

    def to_json(self, kinds: dict[str, str]) -> dict[str, Any]:
        table = self.table()
        return {
            "checks": list(CHECKS),
            "backends": {
                b: {
                    "counts": dict(self.counts(b)),
                    "groups": self.groups(b),
                    "failing": self.failing(b),
                    "known_failures": {
                        i: r for i, (backend, r) in sorted(self.reasons.items()) if backend == b
                    },
                    "ops": {
                        op: {"kind": kind, **table.get(b, {}).get(op, {})}
                        for op, kind in kinds.items()
                    },
                }
                for b in self.backends()
            },
        }


def markdown(data: dict[str, Any]) -> str:
    """The report as markdown: counts per backend, then op x (backend, check)."""
    backends = list(data["backends"])
    lines = ["# retrograd conformance", "", "| backend | group | " + " | ".join(DISPLAY) + " |",
             "|---|---|" + "---|" * len(DISPLAY)]  # fmt: skip
    for b in backends:
        for group, counts in data["backends"][b]["groups"].items():
            cells = " | ".join(str(counts.get(s, 0)) for s in DISPLAY)
            lines.append(f"| {b} | {group} | {cells} |")
    header = [f"{b}: {c}" for b in backends for c in data["checks"]]
    lines += ["", "| op | kind | " + " | ".join(header) + " |", "|---|---|" + "---|" * len(header)]
    ops = data["backends"][backends[0]]["ops"] if backends else {}
    for op, row in ops.items():
        cells = [SYMBOL.get(data["backends"][b]["ops"].get(op, {}).get(c, ""), "n/a")
                 for b in backends for c in data["checks"]]  # fmt: skip
        lines.append(f"| `{op}` | {row['kind']} | " + " | ".join(cells) + " |")
    for b in backends:
        known = data["backends"][b]["known_failures"]
        lines += ["", f"Known failures of `{b}`:", ""] if known else []
        lines += [f"- `{test_id}`: {reason}" for test_id, reason in known.items()]
    return "\n".join(lines) + "\n"


def write(results: Results, kinds: dict[str, str], path: str) -> tuple[Path, Path]:
    """Write the JSON report to ``path`` and the markdown table beside it (``.md``);
    a ``path`` ending in ``.md`` names the markdown file and the JSON goes beside it."""
    data = results.to_json(kinds)
    json_path = Path(path)
    if json_path.suffix == ".md":
        json_path = json_path.with_suffix(".json")
    md_path = json_path.with_suffix(".md")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    md_path.write_text(markdown(data), encoding="utf-8")
    return json_path, md_path
