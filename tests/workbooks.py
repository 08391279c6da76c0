"""Hostile uploads for the tests and benchmarks: workbooks written part by part, and wide CSVs.

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


def row(number: int, cells: list[str], more: str = "") -> bytes:
    """A sheet row of shared-string indices (``s3``) and numbers (``7``), from column A on, then
    the cells' XML ``more``."""
    out = []
    for column, cell in zip("ABCDEFGH", cells):
        kind, value = (' t="s"', cell[1:]) if cell.startswith("s") else ("", cell)
        out.append(f'<c r="{column}{number}"{kind}><v>{value}</v></c>')
    return f'<row r="{number}">{"".join(out)}{more}</row>'.encode()


def strings(texts: list[str]) -> bytes:
    """Shared strings: ``s0`` is ``texts[0]`` …"""
    return STRINGS_START + "".join(f"<si><t>{text}</t></si>" for text in texts).encode() + STRINGS_END


def write_workbook(
    path: Path,
    sheet: Part,
    shared_strings: Part,
    sheet_at: str = "xl/worksheets/sheet1.xml",
    strings_at: str = "xl/sharedStrings.xml",
) -> None:
    """A one-sheet workbook (sheet ``Accounts``) of these two parts, deflated, stored at these
    paths in the archive (Excel's own by default; any path under ``xl/`` is read the same)."""
    fixed = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_KINDS}.sheet.main+xml"/>'
            f'<Override PartName="/{sheet_at}" ContentType="{_KINDS}.worksheet+xml"/>'
            f'<Override PartName="/{strings_at}" ContentType="{_KINDS}.sharedStrings+xml"/></Types>'
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
            f'<Relationship Id="rId1" Type="{_RELATIONS}/worksheet" Target="/{sheet_at}"/>'
            f'<Relationship Id="rId2" Type="{_RELATIONS}/sharedStrings" Target="/{strings_at}"/></Relationships>'
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in fixed.items():
            archive.writestr(name, content)
        for name, part in ((sheet_at, sheet), (strings_at, shared_strings)):
            with archive.open(name, "w", force_zip64=True) as member:
                part(member) if callable(part) else member.write(part)


def _letters(member: IO[bytes], megabytes: int) -> None:
    for _ in range(megabytes):
        member.write(b"A" * (1 << 20))


def with_a_long_id(path: Path, megabytes: int, strings_at: str = "xl/sharedStrings.xml") -> None:
    """One account whose id, a shared string, is ``megabytes`` MB of the letter A."""

    def shared_strings(member: IO[bytes]) -> None:
        member.write(strings(["Merchant ID", "Quarter", "Commission", "2025Q3"]).removesuffix(STRINGS_END))
        member.write(b"<si><t>")
        _letters(member, megabytes)
        member.write(b"</t></si>" + STRINGS_END)

    sheet = SHEET_START + row(1, ["s0", "s1", "s2"]) + row(2, ["s4", "s3", "1"]) + SHEET_END
    write_workbook(path, sheet, shared_strings, strings_at=strings_at)


def with_a_long_inline_id(path: Path, megabytes: int) -> None:
    """One account whose id, a text stored in the sheet itself (``t="inlineStr"``), is
    ``megabytes`` MB of the letter A."""

    def sheet(member: IO[bytes]) -> None:
        member.write(SHEET_START + row(1, ["s0", "s1", "s2"]) + b'<row r="2"><c r="A2" t="inlineStr"><is><t>')
        _letters(member, megabytes)
        member.write(b'</t></is></c><c r="B2" t="s"><v>3</v></c><c r="C2"><v>1</v></c></row>' + SHEET_END)

    write_workbook(path, sheet, strings(["Merchant ID", "Quarter", "Commission", "2025Q3"]))


def with_rows(path: Path, rows: int, sheet_at: str = "xl/worksheets/sheet1.xml", last_column: bool = False) -> None:
    """``rows`` accounts (ids as numbers), one quarter, one amount each; with ``last_column``, each
    row also holds a 1 in column XFD, the last Excel has (so openpyxl yields 16,384 cells a row)."""
    far = '<c r="XFD{}"><v>1</v></c>' if last_column else ""

    def sheet(member: IO[bytes]) -> None:
        member.write(SHEET_START + row(1, ["s0", "s1", "s2"]))
        for start in range(2, rows + 2, 10_000):
            member.write(
                b"".join(
                    row(n, [str(n), "s3", str(n % 97)], far.format(n))
                    for n in range(start, min(start + 10_000, rows + 2))
                )
            )
        member.write(SHEET_END)

    write_workbook(path, sheet, strings(["Merchant ID", "Quarter", "Commission", "2025Q3"]), sheet_at=sheet_at)


def wide_csv(columns: int, quarter: str = "2025Q3") -> bytes:
    """A CSV of four accounts in ``quarter`` with ``columns`` numeric metric columns (m0, m1 …)."""
    header = ["Merchant ID", "Quarter", "Commission", *(f"m{i}" for i in range(columns))]
    rows = [[f"M{a}", quarter, str(a), *(str((a * i) % 97) for i in range(columns))] for a in range(4)]
    return "\n".join(",".join(row) for row in [header, *rows]).encode() + b"\n"
