#!/usr/bin/env python3
"""Writes four raters' illustrative responses for the team-assessment example.

ILLUSTRATIVE DATA. Each rater starts from the bundled BNSSG example baseline
(examples/baseline-2026-03/bnssg-illustrative.toml) and departs from it the way a working group
of directors does: some rate a capability a level higher or lower, some leave a capability to
colleagues, some rate without citing evidence. The departures are chosen by a fixed hash of the
rater and capability, so the same files come out every time (a test checks the checked-in files
against this script).

    python3 examples/team-assessment/generate-raters.py [OUT_DIR]

writes rater-*.toml into OUT_DIR (default: the raters/ folder beside this script). The fourth
rater's response is published as a workbook: `sct convert raters/rater-digital.toml -o
raters/rater-digital.xlsx` (see README.md).
"""

import hashlib
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASELINE = HERE.parent / "baseline-2026-03" / "bnssg-illustrative.toml"
LEVELS = ["starting-out", "developing", "embedding", "advancing", "mastering"]

# (file stem, name, role, email, submitted on, how the rater leans: -1 harsher, +1 kinder)
RATERS = [
    ("rater-strategy", "Amira Khan", "Director of Strategy and Transformation", "", "2026-03-13", 0),
    ("rater-finance", "Tom Reed", "Chief Finance Officer", "", "2026-03-16", -1),
    ("rater-nursing", "Grace Mensah", "Chief Nursing Officer", "", "2026-03-17", 1),
    ("rater-digital", "Owen Price", "Chief Digital and Information Officer", "", "2026-03-17", 0),
]

NOTICE = "ILLUSTRATIVE DATA: a made-up team assessment for sct's examples."


def draw(stem: str, cap: str, salt: str) -> int:
    """A number from 0 to 99, fixed for a rater, capability and purpose."""
    digest = hashlib.sha256(f"{stem}/{cap}/{salt}".encode()).digest()
    return digest[0] * 100 // 256


def rated_level(stem: str, lean: int, cap: str, base: str) -> str:
    """The baseline's level moved as this rater would move it."""
    if base not in LEVELS:
        return base
    roll = draw(stem, cap, "level")
    step = 0
    if roll < 9:
        step = -1
    elif roll < 18:
        step = 1
    elif roll < 21:
        # A sharp difference of view: two levels from the baseline, in the rater's lean.
        step = 2 if lean >= 0 else -2
    step += lean if draw(stem, cap, "lean") < 10 else 0
    index = min(max(LEVELS.index(base) + step, 0), len(LEVELS) - 1)
    return LEVELS[index]


def toml_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def answer_lines(stem: str, lean: int, cap: str, base: dict) -> list[str]:
    """One capability's answer as this rater gives it."""
    lines = [f"[capabilities.{cap}]"]
    base_level = base.get("level", "")
    if draw(stem, cap, "skip") < 8 or base_level == "":
        lines.append('level = ""  # left to colleagues')
        return lines
    level = rated_level(stem, lean, cap, base_level)
    lines.append(f"level = {toml_string(level)}")
    if level == "n/a":
        lines.append(f"reason = {toml_string(base.get('reason', ''))}")
        return lines
    confidence = ["low", "medium", "high"][draw(stem, cap, "confidence") % 3]
    lines.append(f"confidence = {toml_string(confidence)}")
    evidence = base.get("evidence", [])
    if draw(stem, cap, "evidence") < 15:
        evidence = []
    elif len(evidence) > 1 and draw(stem, cap, "evidence-part") < 50:
        evidence = evidence[:1]
    if evidence:
        lines.append("evidence = [" + ", ".join(toml_string(e) for e in evidence) + "]")
    target = base.get("target_level", "")
    if target in LEVELS and LEVELS.index(target) > LEVELS.index(level):
        lines.append(f"target_level = {toml_string(target)}")
        if "target_date" in base:
            lines.append(f"target_date = {base['target_date']}")
    return lines


def response(stem: str, name: str, role: str, email: str, on: str, lean: int, base: dict) -> str:
    head = [
        "# ILLUSTRATIVE DATA: one rater's view for sct's team-assessment example, written by",
        "# examples/team-assessment/generate-raters.py. Not a real person's or ICB's assessment.",
        "",
        'type = "organisation"',
        f"round = {toml_string(base['round'])}",
        f"framework_version = {toml_string(base['framework_version'])}",
        f"assessed = {on}",
        f"notice = {toml_string(NOTICE)}",
        "",
        "[organisation]",
        f"name = {toml_string(base['organisation']['name'])}",
        f"ods_code = {toml_string(base['organisation']['ods_code'])}",
        "",
        "[rater]",
        f"name = {toml_string(name)}",
        f"role = {toml_string(role + ' (illustrative)')}",
    ]
    if email:
        head.append(f"email = {toml_string(email)}")
    head += [
        "",
        "[status]",
        'stage = "submitted"',
        f"by = {toml_string(name)}",
        f"on = {on}",
    ]
    body = []
    for cap, answer in base["capabilities"].items():
        body.append("")
        body += answer_lines(stem, lean, cap, answer)
    for milestone, report in base.get("milestones", {}).items():
        body.append("")
        body += milestone_lines(stem, milestone, report)
    return "\n".join(head + body) + "\n"


def milestone_lines(stem: str, milestone: str, report: dict) -> list[str]:
    """A milestone as this rater reports it: as the baseline does, except that the baseline
    assessment itself is still under way when they rate, and the finance director sees the
    co-production methodology as not started (so the panel must settle it)."""
    status = report.get("status", "")
    completed = report.get("completed_on", "")
    note = report.get("note", "")
    if milestone == "baseline-assessment":
        status, completed, note = "on-track", "", "Raters' views submitted; moderation on 24 March."
    if milestone == "co-production-methodology" and stem == "rater-finance":
        status, note = "not-started", "No funding agreed, so no work has begun."
    lines = [f"[milestones.{milestone}]", f"status = {toml_string(status)}"]
    if completed:
        lines.append(f"completed_on = {completed}")
    if note:
        lines.append(f"note = {toml_string(note)}")
    return lines


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "raters"
    out.mkdir(parents=True, exist_ok=True)
    base = tomllib.loads(BASELINE.read_text(encoding="utf-8"))
    for stem, name, role, email, on, lean in RATERS:
        text = response(stem, name, role, email, on, lean, base)
        (out / f"{stem}.toml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
