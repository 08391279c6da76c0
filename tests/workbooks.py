"""Workbooks written part by part, for the tests and benchmarks of hostile uploads.

A part is bytes, or a function that writes it into the open zip member: so a sheet of a million
rows, or a shared string that unpacks to 400 MB, is never held in memory while it is written.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

Part = bytes | Callable[[IO[bytes]], None]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_KINDS = "application/vnd.openxmlformats-officedocument.spreadsheetml"
SHEET_START = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
SHEET_END = b"</sheetData></worksheet>"
STRINGS_START = f'<?xml version="1.0"?><sst xmlns="{MAIN}">'.encode()
STRINGS_END = b"</sst>"


def row(number: int, cells: list[str]) -> bytes:
    """A sheet row of shared-string indices (``s3``) and numbers (``7``), from column A on."""
    out = []
    for column, cell in zip("ABCDEFGH", cells):
        kind, value = (' t="s"', cell[1:]) if cell.startswith("s") else ("", cell)
        out.append(f'<c r="{column}{number}"{kind}><v>{value}</v></c>')
    return f'<row r="{number}">{"".join(out)}</row>'.encode()


def strings(texts: list[str]) -> bytes:
    """Shared strings: ``s0`` is ``texts[0]`` …"""
    return STRINGS_START + "".join(f"<si><t>{text}</t></si>" for text in texts).encode() + STRINGS_END


def write_workbook(path: Path, sheet: Part, shared_strings: Part) -> None:
    """A one-sheet workbook (sheet ``Accounts``) of these two parts, deflated."""
    fixed = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_KINDS}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_KINDS}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_KINDS}.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" '
            f'Type="{_RELATIONS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{_RELATIONS}"><sheets>'
            '<sheet name="Accounts" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{_PACKAGE}">'
            f'<Relationship Id="rId1" Type="{_RELATIONS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_RELATIONS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in fixed.items():
            archive.writestr(name, content)
        for name, part in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared_strings)):
            with archive.open(name, "w", force_zip64=True) as member:
                part(member) if callable(part) else member.write(part)


def with_a_long_id(path: Path, megabytes: int) -> None:
    """One account whose id, a shared string, is ``megabytes`` MB of the letter A."""

    def shared_strings(member: IO[bytes]) -> None:
        member.write(strings(["Merchant ID", "Quarter", "Commission", "2025Q3"]).removesuffix(STRINGS_END))
        member.write(b"<si><t>")
        for _ in range(megabytes):
            member.write(b"A" * (1 << 20))
        member.write(b"</t></si>" + STRINGS_END)

    sheet = SHEET_START + row(1, ["s0", "s1", "s2"]) + row(2, ["s4", "s3", "1"]) + SHEET_END
    write_workbook(path, sheet, shared_strings)


def with_rows(path: Path, rows: int) -> None:
    """``rows`` accounts (ids as numbers), one quarter, one amount each."""

    def sheet(member: IO[bytes]) -> None:
        member.write(SHEET_START + row(1, ["s0", "s1", "s2"]))
        for start in range(2, rows + 2, 10_000):
            member.write(
                b"".join(row(n, [str(n), "s3", str(n % 97)]) for n in range(start, min(start + 10_000, rows + 2)))
            )
        member.write(SHEET_END)

    write_workbook(path, sheet, strings(["Merchant ID", "Quarter", "Commission", "2025Q3"]))
