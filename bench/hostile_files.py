"""Hostile uploads: time and peak memory of ``read_upload`` on the worst files found so far.

Run: ``python bench/hostile_files.py [--only NAME ...] [--seconds 300] [--memory-gb 6]``

Each case's file is built in a temporary folder, then read by ``read_upload`` in a fresh Python
process of its own, so that every peak is the case's own. Per case it prints the file size, the
wall time and CPU time (user + system) of the call, the peak resident memory the call added (the
process's peak, VmHWM, after the call minus its resident memory before it, the file's bytes already
loaded), that peak divided by the file size, and whether it is within the bound the README states
(``BOUND``: 10 x the file size + 250 MB). A case still running after ``--seconds`` CPU-seconds, or
holding more than ``--memory-gb``, is stopped and reported as such.

The cases:

* ``one id, 20k rows``: 20,000 rows of one account id with differing values (350 KB);
* ``one id, 50 MB``: the same, 2,650,000 rows;
* ``wrong id column, 1M rows``: an ordinary 1,000,000-row export with ``account_id`` mapped to its
  Segment column (a handful of values, so every row repeats another);
* ``3,000 numeric columns``: four accounts and 3,000 metric columns (45 KB);
* ``400 MB shared string``: a workbook whose one shared string (an account id) unpacks to 400 MB;
* ``1M-row workbook``: a workbook of 1,000,000 accounts (14 MB packed, 120 MB unpacked);
* ``largest workbook read``: 666,000 accounts, just under the cells a workbook may hold;
* ``1M rows, sheet elsewhere``: the 1M-row workbook with its sheet stored as ``xl/data/sheet1.xml``;
* ``250 MB string elsewhere``: a 250 MB shared string in a part named ``xl/strs.xml``;
* ``250 MB inline string``: a 250 MB account id stored in the sheet itself (``t="inlineStr"``);
* ``rows to column XFD``: 10,000 accounts whose rows also hold a value in column XFD (openpyxl
  yields 16,384 cells for each);
* ``7M short rows``: a 49 MB CSV of 7,000,000 valid rows of 7 bytes;
* ``7M short ragged rows``: 49 MB of rows with two values too many, each one an error;
* ``every account twice``: 3,000,000 accounts on two rows each, with differing values (40 MB);
* ``5M distinct bad quarters``: 5,000,000 rows whose quarters are 5,000,000 different wrong texts;
* ``16,384 columns``: the widest file accepted, four accounts and 16,381 metric columns;
* ``1.7e308 amounts``: 200,000 accounts whose revenue is 1.7e308.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import workbooks  # noqa: E402

BOUND = (10, 250 << 20)  # the peak memory of a check stays below 10 x the file's size + 250 MB
HEADER = "Merchant ID,Quarter,Commission,GMV\n"
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def one_id(rows: int) -> bytes:
    """``rows`` rows of account A1 in one quarter, each with other amounts."""
    return (HEADER + "".join(f"A1,2025Q3,{i % 10},{i}\n" for i in range(rows))).encode()


def ordinary_export(rows: int) -> bytes:
    """A plain export: id, quarter, amounts, and a segment and region of a few values each."""
    segments, regions = ("Retail", "Food", "Travel", "Services", "Health"), ("North", "South", "East", "West")
    lines = (f"M{i:07d},2025Q3,{i % 997}.25,{i % 99991}.5,{segments[i % 5]},{regions[i % 4]}\n" for i in range(rows))
    return ("Merchant ID,Quarter,Commission,GMV,Segment,Region\n" + "".join(lines)).encode()


def short_ids(count: int) -> list[str]:
    """``count`` distinct four-character ids."""
    base = len(DIGITS)
    return [DIGITS[i // base**3 % base] + DIGITS[i // base**2 % base] + DIGITS[i // base % base] + DIGITS[i % base]
            for i in range(count)]  # fmt: skip


def short_rows(rows: int) -> bytes:
    """``abcd,1`` rows (7 bytes each): the quarter comes from the file name."""
    return ("Merchant ID,Commission\n" + "".join(f"{i},1\n" for i in short_ids(rows))).encode()


def short_ragged_rows(rows: int) -> bytes:
    """``1,,,,5`` rows (7 bytes): five values under a three-column header, each row an error."""
    return b"Merchant ID,Quarter,Commission\n" + b"1,,,,5\n" * rows


def every_account_twice(accounts: int) -> bytes:
    return ("Merchant ID,Commission\n" + "".join(f"{i},1\n{i},2\n" for i in short_ids(accounts))).encode()


def bad_quarters(rows: int) -> bytes:
    return ("Merchant ID,Quarter,Commission\n" + "".join(f"A,{i},1\n" for i in short_ids(rows))).encode()


def huge_amounts(rows: int) -> bytes:
    return (HEADER + "".join(f"M{i},2025Q3,1.7e308,1.7e308\n" for i in range(rows))).encode()


CASES = {
    "one id, 20k rows": ("same_id_2025Q3.csv", lambda p: p.write_bytes(one_id(20_000)), {}),
    "one id, 50 MB": ("same_id_50mb_2025Q3.csv", lambda p: p.write_bytes(one_id(2_650_000)), {}),
    "wrong id column, 1M rows": (
        "accounts_1m_2025Q3.csv",
        lambda p: p.write_bytes(ordinary_export(1_000_000)),
        {"mapping": {"Segment": "account_id", "Merchant ID": None}},
    ),
    "3,000 numeric columns": ("wide_2025Q3.csv", lambda p: p.write_bytes(workbooks.wide_csv(3_000)), {}),
    "400 MB shared string": ("huge_string.xlsx", lambda p: workbooks.with_a_long_id(p, 400), {}),
    "1M-row workbook": ("long.xlsx", lambda p: workbooks.with_rows(p, 1_000_000), {}),
    "largest workbook read": ("largest.xlsx", lambda p: workbooks.with_rows(p, 666_000), {}),
    "1M rows, sheet elsewhere": (
        "elsewhere.xlsx",
        lambda p: workbooks.with_rows(p, 1_000_000, sheet_at="xl/data/sheet1.xml"),
        {},
    ),
    "250 MB string elsewhere": ("strs.xlsx", lambda p: workbooks.with_a_long_id(p, 250, strings_at="xl/strs.xml"), {}),
    "250 MB inline string": ("inline.xlsx", lambda p: workbooks.with_a_long_inline_id(p, 250), {}),
    "rows to column XFD": ("far.xlsx", lambda p: workbooks.with_rows(p, 10_000, last_column=True), {}),
    "7M short rows": ("short_2025Q3.csv", lambda p: p.write_bytes(short_rows(7_000_000)), {}),
    "7M short ragged rows": ("ragged_2025Q3.csv", lambda p: p.write_bytes(short_ragged_rows(7_000_000)), {}),
    "every account twice": ("twice_2025Q3.csv", lambda p: p.write_bytes(every_account_twice(3_000_000)), {}),
    "5M distinct bad quarters": ("quarters.csv", lambda p: p.write_bytes(bad_quarters(5_000_000)), {}),
    "16,384 columns": ("widest_2025Q3.csv", lambda p: p.write_bytes(workbooks.wide_csv(16_381)), {}),
    "1.7e308 amounts": ("huge_amounts_2025Q3.csv", lambda p: p.write_bytes(huge_amounts(200_000)), {}),
}


# -- the measuring child ---------------------------------------------------------------------------


def _status(field: str, pid: str = "self") -> int:
    """A memory figure of /proc/<pid>/status in bytes (VmRSS, VmHWM), 0 when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((line for line in text.splitlines() if line.startswith(field + ":")), None)
    return int(line.split()[1]) * 1024 if line else 0


def measure(path: Path, options: dict) -> dict:
    """``read_upload`` of the file at ``path``, measured in this process (run it in a fresh one)."""
    from b2b_core.ingest import read_upload

    read_upload(b"Merchant ID,Quarter,Commission\nA,2025Q3,1\n", "warm.csv")  # the DuckDB engine, once
    data = path.read_bytes()
    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
    before = _status("VmRSS")
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = read_upload(data, path.name, **options)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "wall": wall,
        "cpu": (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime),
        "peak": _status("VmHWM") - before,
        "rows": result.rows.num_rows,
        "errors": result.error_count,
        "warnings": result.warning_count,
        "first": (result.errors["reason"].iloc[0] if len(result.errors) else "")[:90],
    }


# -- the parent --------------------------------------------------------------------------------------


def run_case(path: Path, options: dict, seconds: int, memory: int) -> dict:
    """Measure one case in a child process, stopped beyond ``seconds`` of CPU or ``memory`` bytes."""

    def limit_cpu() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))

    child = subprocess.Popen(
        [sys.executable, __file__, "--measure", str(path), "--options", json.dumps(options)],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=limit_cpu,
    )
    stopped: list[str] = []

    def watch() -> None:
        while child.poll() is None:
            if _status("VmRSS", str(child.pid)) > memory:
                stopped.append(f"stopped above {memory / 2**30:.0f} GB")
                child.kill()
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    started = time.perf_counter()
    watcher.start()
    out, _ = child.communicate()
    watcher.join()
    if child.returncode != 0:
        why = stopped[0] if stopped else f"stopped after {seconds} CPU-s" if child.returncode < 0 else "failed"
        return {"stopped": f"{why} ({time.perf_counter() - started:.0f} s)"}
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=list(CASES), help="cases to run (default: all)")
    parser.add_argument("--seconds", type=int, default=300, help="CPU-seconds a case may take")
    parser.add_argument("--memory-gb", type=float, default=6.0, help="memory a case may hold")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, json.loads(args.options))))
        return

    print(f"{'case':26s} {'size':>9s} {'wall':>8s} {'CPU':>8s} {'peak':>9s} {'peak/size':>9s} {'bound':>5s}  result")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only or CASES:
            filename, write, options = CASES[name]
            path = Path(tmp) / filename
            write(path)
            size = path.stat().st_size
            shown = f"{size / 2**20:6.1f} MB" if size >= 1 << 20 else f"{size / 2**10:6.0f} KB"
            got = run_case(path, options, args.seconds, int(args.memory_gb * 2**30))
            path.unlink()
            if "stopped" in got:
                print(f"{name:26s} {shown} {'':>8s} {'':>8s} {'':>9s} {'':>9s} {'':>5s}  {got['stopped']}")
                continue
            outcome = f"{got['rows']:,} rows, {got['errors']:,} errors, {got['warnings']:,} warnings. {got['first']}"
            within = "ok" if got["peak"] <= BOUND[0] * size + BOUND[1] else "OVER"
            print(
                f"{name:26s} {shown} {got['wall']:6.1f} s {got['cpu']:6.1f} s "
                f"{got['peak'] / 2**20:6.0f} MB {got['peak'] / size:8.1f}x {within:>5s}  {outcome}"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
