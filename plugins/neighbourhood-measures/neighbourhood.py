#!/usr/bin/env python3
"""Example sct command plugin (Python standard library only): neighbourhood-level measures.

A template for plugin authors. sct runs it as `python3 neighbourhood.py VERB`:

  handshake  prints {"protocol": 1}
  describe   prints {"protocol": 1, "ok": {name, version, measures...}}
  compute    reads a request on standard input, prints {"protocol": 1, "ok": {...}}
             or {"protocol": 1, "error": {"message": "..."}}

The data (see sample/proactive-care.csv) has one row per neighbourhood per month:
month,organisation,neighbourhood,eligible_patients,patients_with_care_plan

Measures:
  care-plan-coverage     per month, the percentage of eligible patients with a care plan,
                         summed over the neighbourhoods (or one, --param neighbourhood=NAME)
  neighbourhood-spread   per month, the gap in percentage points between the neighbourhoods
                         with the highest and the lowest coverage (lower is fairer)
"""

import csv
import json
import sys

PROTOCOL = 1
NAME = "neighbourhood-measures"
COLUMNS = ["month", "organisation", "neighbourhood", "eligible_patients", "patients_with_care_plan"]


def describe():
    return {
        "name": NAME,
        "version": "0.1.0",
        "protocol": PROTOCOL,
        "description": "Neighbourhood-level proactive care measures from a local monthly CSV.",
        "measures": [
            {
                "id": "care-plan-coverage",
                "title": "Eligible patients with a proactive care plan",
                "kind": "series",
                "unit": "%",
                "timeframe": "leading",
                "period": "month",
                "direction": "increase",
                "parameters": [
                    {"name": "neighbourhood", "description": "Only this neighbourhood (default: all of them).", "required": False}
                ],
            },
            {
                "id": "neighbourhood-spread",
                "title": "Gap in care-plan coverage between neighbourhoods",
                "kind": "series",
                "unit": "percentage points",
                "timeframe": "leading",
                "period": "month",
                "direction": "decrease",
                "parameters": [],
            },
        ],
    }


class Fail(Exception):
    """A failure to report to sct as an error reply."""


def read_rows(path, organisation):
    try:
        f = open(path, newline="", encoding="utf-8")
    except OSError as e:
        raise Fail(f"cannot read {path}: {e.strerror}")
    with f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise Fail(f"{path}:1: no column {', '.join(missing)}; expected columns {','.join(COLUMNS)}")
        for row in reader:
            line = reader.line_num
            if organisation and row["organisation"] != organisation:
                continue
            try:
                eligible = int(row["eligible_patients"])
                planned = int(row["patients_with_care_plan"])
            except ValueError:
                raise Fail(f"{path}:{line}: eligible_patients and patients_with_care_plan must be whole numbers")
            if planned > eligible or eligible < 0 or planned < 0:
                raise Fail(f"{path}:{line}: {planned} patients with a care plan out of {eligible} eligible; expected 0 <= with plan <= eligible")
            yield row["month"], row["neighbourhood"], eligible, planned


def compute(request):
    data = request.get("data") or []
    if len(data) != 1:
        raise Fail(f"{NAME} needs exactly one --data file (a monthly neighbourhood CSV), got {len(data)}")
    params = request.get("parameters") or {}
    measure = request["measure"]
    allowed = {"care-plan-coverage": {"neighbourhood"}, "neighbourhood-spread": set()}
    if measure not in allowed:
        raise Fail(f"no measure \"{measure}\"; expected care-plan-coverage or neighbourhood-spread")
    for key in params:
        if key not in allowed[measure]:
            raise Fail(f"unknown parameter \"{key}\" for {measure}")
    only = params.get("neighbourhood")
    months = {}  # month -> neighbourhood -> [eligible, planned]
    for month, hood, eligible, planned in read_rows(data[0], request.get("organisation")):
        if only and hood != only:
            continue
        cell = months.setdefault(month, {}).setdefault(hood, [0, 0])
        cell[0] += eligible
        cell[1] += planned
    lo, hi = request.get("period_from"), request.get("period_to")
    series, notes = [], []
    for month in sorted(months):
        if (lo and month < lo) or (hi and month > hi):
            continue
        hoods = months[month]
        if measure == "care-plan-coverage":
            eligible = sum(c[0] for c in hoods.values())
            planned = sum(c[1] for c in hoods.values())
            if eligible == 0:
                notes.append(f"{month}: no eligible patients; left out")
                continue
            series.append({"period": month, "value": 100.0 * planned / eligible,
                           "numerator": planned, "denominator": eligible})
        else:
            rates = [100.0 * p / e for e, p in hoods.values() if e > 0]
            if len(rates) < 2:
                notes.append(f"{month}: fewer than two neighbourhoods with eligible patients; left out")
                continue
            series.append({"period": month, "value": max(rates) - min(rates)})
    if not series:
        notes.append("no rows matched" + (f" neighbourhood {only}" if only else ""))
    return {"measure": measure, "series": series, "evidence": [], "notes": notes}


def main():
    verb = sys.argv[1] if len(sys.argv) > 1 else ""
    if verb == "handshake":
        reply = {"protocol": PROTOCOL}
    elif verb == "describe":
        reply = {"protocol": PROTOCOL, "ok": describe()}
    elif verb == "compute":
        try:
            reply = {"protocol": PROTOCOL, "ok": compute(json.load(sys.stdin))}
        except Fail as e:
            reply = {"protocol": PROTOCOL, "error": {"message": str(e)}}
    else:
        print(f"usage: {sys.argv[0]} handshake|describe|compute", file=sys.stderr)
        return 2
    json.dump(reply, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
