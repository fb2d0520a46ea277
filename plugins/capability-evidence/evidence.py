#!/usr/bin/env python3
"""Example sct command plugin (Python standard library only): capability evidence.

Checks that the documents each milestone needs (listed in checklist.toml, beside this file)
exist in the folder given with --data, and reports one evidence item per document: present
(with the file found) or missing. A template for plugins that supply evidence rather than a
series. Protocol as in ../neighbourhood-measures/neighbourhood.py.
"""

import glob
import json
import os
import sys
import tomllib

PROTOCOL = 1
NAME = "capability-evidence"


def describe():
    return {
        "name": NAME,
        "version": "0.1.0",
        "protocol": PROTOCOL,
        "description": "Checks that the documents each milestone needs exist in an evidence folder.",
        "measures": [
            {
                "id": "milestone-documents",
                "title": "Documents each milestone needs, found or missing",
                "kind": "evidence",
                "parameters": [
                    {"name": "milestone", "description": "Only this milestone (default: every milestone in the checklist).", "required": False},
                    {"name": "checklist", "description": "A checklist TOML file (default: checklist.toml beside the plugin).", "required": False},
                ],
            }
        ],
    }


class Fail(Exception):
    """A failure to report to sct as an error reply."""


def load_checklist(path):
    try:
        with open(path, "rb") as f:
            checklist = tomllib.load(f)
    except OSError as e:
        raise Fail(f"cannot read the checklist {path}: {e.strerror}")
    except tomllib.TOMLDecodeError as e:
        raise Fail(f"the checklist {path} is not valid TOML: {e}")
    milestones = checklist.get("milestones")
    if not isinstance(milestones, list) or not milestones:
        raise Fail(f"the checklist {path} has no [[milestones]]; expected [[milestones]] with id and documents")
    return milestones


def compute(request):
    if request["measure"] != "milestone-documents":
        raise Fail(f"no measure \"{request['measure']}\"; expected milestone-documents")
    params = request.get("parameters") or {}
    unknown = set(params) - {"milestone", "checklist"}
    if unknown:
        raise Fail(f"unknown parameter \"{sorted(unknown)[0]}\"; expected milestone or checklist")
    data = request.get("data") or []
    if len(data) != 1 or not os.path.isdir(data[0]):
        raise Fail(f"{NAME} needs exactly one --data folder holding the evidence documents, got {data}")
    folder = data[0]
    here = os.environ.get("SCT_PLUGIN_DIR") or os.path.dirname(os.path.abspath(__file__))
    milestones = load_checklist(params.get("checklist") or os.path.join(here, "checklist.toml"))
    only = params.get("milestone")
    if only and not any(m.get("id") == only for m in milestones):
        raise Fail(f"milestone \"{only}\" is not in the checklist; it lists {', '.join(m.get('id', '?') for m in milestones)}")
    items = []
    for m in milestones:
        if only and m.get("id") != only:
            continue
        for doc in m.get("documents", []):
            found = sorted(glob.glob(os.path.join(folder, doc["pattern"]), recursive=True))
            found = [f for f in found if os.path.isfile(f)]
            item = {"id": doc["id"], "title": doc["title"], "supports": m["id"]}
            if found:
                item["status"] = "present"
                item["path"] = os.path.relpath(found[0], folder).replace(os.sep, "/")
                if len(found) > 1:
                    item["note"] = f"{len(found)} files match; the first is shown"
            else:
                item["status"] = "missing"
                item["note"] = f"nothing matches {doc['pattern']}"
            items.append(item)
    present = sum(1 for i in items if i["status"] == "present")
    notes = [f"{present} of {len(items)} documents found in {folder}"]
    return {"measure": "milestone-documents", "series": [], "evidence": items, "notes": notes}


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
