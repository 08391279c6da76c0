"""Account exports as they really come, for the ingest, page and browser tests: transaction-level
rows, day-first dates, totals rows, a workbook opening on a summary, a quarter in a Chinese file
name, ids differing by case, rows in error. Each builder returns (file name, bytes); the expected
figures are written beside the rows so they can be checked by hand."""

from __future__ import annotations

import io

import openpyxl


def csv_text(rows: list[list[object]]) -> str:
    return "".join(",".join(f'"{c}"' if "," in str(c) else str(c) for c in row) + "\n" for row in rows)


def transactions() -> tuple[str, bytes]:
    """Orders of three merchants in 2025Q1 and one in 2025Q2, amounts in ￥ with thousands separators.
    Summed: M001 2025Q1 commission 1,000 + 250.50 + 49.50 = 1,300, GMV 20,000 + 5,000 + 1,000 = 26,000,
    named "Shop A (renamed)" (its last row); M002 2025Q1 30 + 70 = 100; M003 2025Q1 5; M001 2025Q2 10."""
    rows = [
        ["Merchant ID", "Merchant", "Order date", "Commission", "GMV"],
        ["M001", "Shop A", "2025-01-05", "￥1,000.00", "￥20,000"],
        ["M002", "Shop B", "2025-01-09", "￥30", "￥600"],
        ["M001", "Shop A", "2025-02-11", "￥250.50", "￥5,000"],
        ["M003", "Shop C", "2025-02-20", "￥5", "￥100"],
        ["M002", "", "2025-03-01", "￥70", "￥1,400"],
        ["M001", "Shop A (renamed)", "2025-03-30", "￥49.50", "￥1,000"],
        ["M001", "Shop A (renamed)", "2025-04-02", "￥10", "￥200"],
    ]
    return "orders_2025H1.csv", csv_text(rows).encode()


def day_first() -> tuple[str, bytes]:
    """A DD/MM/YYYY export: 13/01/2025 can only be day-first, so 03/02/2025 is 3 February (2025Q1)
    and 04/05/2025 is 4 May (2025Q2); contract ends 01/12/2025 → 1 December 2025."""
    rows = [
        ["Merchant ID", "Date", "Commission", "GMV", "Contract end"],
        ["A1", "13/01/2025", "100", "1000", "01/12/2025"],
        ["A2", "03/02/2025", "200", "2000", "31/12/2025"],
        ["A3", "04/05/2025", "300", "3000", "15/06/2026"],
        ["A1", "28/04/2025", "150", "1500", "01/12/2025"],
    ]
    return "accounts_dmy.csv", csv_text(rows).encode()


def month_unclear() -> tuple[str, bytes]:
    """Dates whose parts are all 12 or less: 03/04/2025 is 2025Q1 month-first, 2025Q2 day-first."""
    rows = [
        ["Merchant ID", "Date", "Commission", "GMV"],
        ["B1", "03/04/2025", "10", "100"],
        ["B2", "05/01/2025", "20", "200"],
        ["B3", "02/02/2025", "30", "300"],
    ]
    return "accounts_unclear.csv", csv_text(rows).encode()


def with_totals() -> tuple[str, bytes]:
    """Four merchants in 2025Q3 (commission 10 + 20 + 30 + 40 = 100, GMV 1,000), a "小计" row in the
    name column, a "TOTAL" row in the id column with an empty quarter, and a row of blank id whose
    amounts equal the sums of the others (100, 1,000)."""
    rows = [
        ["商户ID", "商户名称", "季度", "佣金", "GMV"],
        ["S1", "甲", "2025Q3", "10", "100"],
        ["S2", "乙", "2025Q3", "20", "200"],
        ["S3", "丙", "2025Q3", "30", "300"],
        ["S4", "丁", "2025Q3", "40", "400"],
        ["", "小计：", "2025Q3", "100", "1000"],
        ["TOTAL", "", "", "100", "1000"],
        ["", "", "2025Q3", "100", "1000"],
    ]
    return "merchants_totals.csv", csv_text(rows).encode()


def summary_first() -> tuple[str, bytes]:
    """A workbook whose first sheet is a summary by region; the second holds 6 accounts of 2025Q3."""
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "Summary"
    for row in [["Region", "Accounts", "Revenue"], ["North", 4, 1000], ["South", 2, 500]]:
        summary.append(row)
    accounts = book.create_sheet("Accounts")
    accounts.append(["Merchant ID", "Merchant", "Quarter", "Commission", "GMV", "Region"])
    for i in range(1, 7):
        accounts.append([f"W{i}", f"Store {i}", "2025Q3", 100 * i, 1000 * i, "North" if i <= 4 else "South"])
    out = io.BytesIO()
    book.save(out)
    return "regions.xlsx", out.getvalue()


def chinese_name() -> tuple[str, bytes]:
    """No quarter column, the quarter in the Chinese file name (2025Q2), GBK-encoded."""
    rows = [
        ["商户ID", "商户名称", "平台收入", "GMV"],
        ["C1", "一号店", "￥1,200", "￥30,000"],
        ["C2", "二号店", "￥800", "￥9,000"],
    ]
    return "2025年第2季度_商户收入.csv", csv_text(rows).encode("gbk")


def ids_by_case() -> tuple[str, bytes]:
    """cd00004 and CD00004 (twice: the most frequent spelling), and cd00007 alone."""
    rows = [
        ["Merchant ID", "Quarter", "Commission", "GMV"],
        ["CD00004", "2025Q1", "10", "100"],
        ["cd00004", "2025Q2", "20", "200"],
        ["CD00004", "2025Q3", "30", "300"],
        ["cd00007", "2025Q3", "5", "50"],
    ]
    return "accounts_case.csv", csv_text(rows).encode()


def with_bad_rows() -> tuple[str, bytes]:
    """Rows of 2025Q4 and one of 2025Q3; row 3 (B2, an Excel error in the commission) and row 5 (B4,
    text as GMV) are errors: a valid-rows-only commit leaves out 2 rows of 2 accounts, B4 entirely
    (B2 keeps its 2025Q3 row), platform revenue 40 (B4's; the commission in error counts 0)."""
    rows = [
        ["Merchant ID", "Quarter", "Commission", "GMV"],
        ["B1", "2025Q4", "10", "100"],
        ["B2", "2025Q4", "#N/A", "200"],
        ["B3", "2025Q4", "30", "300"],
        ["B4", "2025Q4", "40", "lots"],
        ["B2", "2025Q3", "25", "250"],
    ]
    return "accounts_bad_2025Q4.csv", csv_text(rows).encode()
