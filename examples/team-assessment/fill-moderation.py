#!/usr/bin/env python3
"""Fills in the example moderation workbook as an illustrative moderation panel would.

ILLUSTRATIVE DATA. `sct moderate` writes the moderation workbook with the moderator's cells
shaded and the agreed level of every capability pre-filled with the raters' median. A
moderator fills it in Excel or LibreOffice; this script does the same for the example, so that
the bundled filled workbook can be made again: it names the moderator and the date, and for
four of the capabilities where the raters were two levels or more apart it records the level
the panel agreed and why, and it settles one capability the raters marked n/a.

    python3 examples/team-assessment/fill-moderation.py moderation.xlsx filled.xlsx

Only the moderator's cells are written (as inline text, or a date serial for the date); every
other part of the workbook is copied byte for byte.
"""

import re
import sys
import zipfile
from datetime import date
from xml.sax.saxutils import escape

MODERATOR = "Dr Helen Price"
ROLE = "Chair of the moderation panel (illustrative)"
AGREED_ON = date(2026, 3, 24)

# (capability id, level agreed, the panel's rationale)
DECISIONS = [
    (
        "data-analytical-teams",
        "Embedding",
        "The analytics work programme shows embedded teams in two of the three places; the "
        "median reflected the third place only (illustrative).",
    ),
    (
        "localgov-joint-commissioning",
        "Embedding",
        "Only two of the section 75 agreements pool budgets; the panel agreed that advancing "
        "needs joint commissioning with all three local authorities (illustrative).",
    ),
    (
        "care-models-and-pathways",
        "Developing",
        "The higher rating rested on the frailty pilot alone; redesigned pathways are not yet "
        "in place across the system (illustrative).",
    ),
    (
        "data-innovation-digital",
        "n/a",
        "Three raters marked it n/a: the service is hosted by Health Innovation West of England "
        "for the West of England ICBs under a 2025-2028 agreement (illustrative).",
    ),
    (
        "three-timeframe-monitoring",
        "Developing",
        "Monthly leading indicators are reported to the board; quarterly KPIs and annual "
        "outcomes are not yet (illustrative).",
    ),
]


def column_name(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def shared_strings(book: zipfile.ZipFile) -> list[str]:
    xml = book.read("xl/sharedStrings.xml").decode()
    items = re.findall(r"<si>(.*?)</si>", xml, re.S)
    return [re.sub(r"<[^>]+>", "", item) for item in items]


def sheet_part(book: zipfile.ZipFile, name: str) -> str:
    """The part holding the sheet called `name`."""
    workbook = book.read("xl/workbook.xml").decode()
    rels = book.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet[^>]*name="{name}"[^>]*r:id="([^"]+)"', workbook).group(1)
    target = re.search(rf'<Relationship[^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels)
    if target is None:
        target = re.search(rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def cell_text(xml: str, ref: str, strings: list[str]) -> str:
    match = re.search(rf'<c r="{ref}"([^>]*?)(?:/>|>(.*?)</c>)', xml, re.S)
    if not match:
        return ""
    value = re.search(r"<v>(.*?)</v>", match.group(2) or "")
    if value and 't="s"' in match.group(1):
        return strings[int(value.group(1))]
    return value.group(1) if value else ""


def set_cell(xml: str, ref: str, content: str) -> str:
    """The cell `ref` with `content` (the XML inside <c>, and its type attribute)."""
    match = re.search(rf'<c r="{ref}"([^>]*?)(/>|>.*?</c>)', xml, re.S)
    style = re.search(r's="\d+"', match.group(1))
    style = f" {style.group(0)}" if style else ""
    return xml[: match.start()] + f'<c r="{ref}"{style}{content}</c>' + xml[match.end() :]


def text(value: str) -> str:
    return f' t="inlineStr"><is><t>{escape(value)}</t></is>'


def fill(xml: str, strings: list[str]) -> str:
    xml = set_cell(xml, "B3", text(MODERATOR))
    xml = set_cell(xml, "B4", text(ROLE))
    serial = (AGREED_ON - date(1899, 12, 30)).days
    xml = set_cell(xml, "B5", f"><v>{serial}</v>")
    header_row = next(r for r in range(1, 30) if cell_text(xml, f"B{r}", strings) == "Capability id")
    headers = {}
    for i in range(60):
        headers[cell_text(xml, f"{column_name(i)}{header_row}", strings)] = column_name(i)
    agreed, rationale = headers["Agreed level"], headers["Rationale"]
    rows = {
        cell_text(xml, f"B{r}", strings): r for r in range(header_row + 1, header_row + 200)
    }
    for capability, level, why in DECISIONS:
        row = rows[capability]
        xml = set_cell(xml, f"{agreed}{row}", text(level))
        xml = set_cell(xml, f"{rationale}{row}", text(why))
    return xml


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    with zipfile.ZipFile(source) as book:
        strings = shared_strings(book)
        part = sheet_part(book, "Moderation")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in book.infolist():
                data = book.read(info.filename)
                if info.filename == part:
                    data = fill(data.decode(), strings).encode()
                # Fixed times, so the same input gives the same bytes.
                info.date_time = (1980, 1, 1, 0, 0, 0)
                out.writestr(info, data)


if __name__ == "__main__":
    main()
