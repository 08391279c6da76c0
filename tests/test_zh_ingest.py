"""Ingest read in Chinese: every issue names the row, the column and the value, and says in Chinese
what is wrong and what to do; file problems, the file's description, the mapping's reasons, the
notes on dates and ids and the left-out sentence read in Chinese too. The expected texts are
checked by hand; the file's own headers and values are data and stay as they are."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from b2b_core import contract, i18n
from b2b_core.contract_labels import label
from b2b_core.ingest import Choices, CommitRefused, IngestResult, combine, commit, read_upload, upload_too_large
from b2b_core.ingest.files import FileProblem, read_file
from b2b_core.ingest.headers import suggest
from b2b_core.ingest.issues import some
from b2b_core.quarters import DAY_FIRST, MONTH_FIRST, ORDER_NAMES, QuarterError, parse_date, parse_quarter
from tests import messy_exports, messy_files
from tests.test_bad_inputs import zip_of
from tests.zh_text import english_words

MESSY = b"""Merchant ID,Quarter,Commission,GMV,Contract end,Active
A,2025Q1,10,100,2025-13-01,maybe
A,2025Q1,11,100,,yes
B,2025Q5,-3,1e16,,
,2025Q1,=1+1,n/a,,
C,FY2025Q1,5%,1.234,,
"""


@pytest.fixture(autouse=True)
def chinese():
    """Every test runs in Chinese, as a run of the app with ?lang=zh does."""
    with i18n.use("zh"):
        yield


def zh_read(data: bytes, name: str, **options) -> tuple[IngestResult, list[str]]:
    """``data`` read (in the current language: Chinese), with the steps told along the way."""
    steps: list[str] = []
    return read_upload(data, name, on_step=steps.append, **options), steps


def issues(result: IngestResult, severity: str = "errors") -> list[tuple]:
    """The issues as (row or None, column, value, reason)."""
    frame = getattr(result, severity)
    return [
        (None if pd.isna(row) else int(row), column, value, reason)
        for row, column, value, reason in frame[["row", "column", "value", "reason"]].itertuples(index=False)
    ]


def data_words(data: bytes, name: str) -> frozenset[str]:
    """The words of a file's name and cells (headers and values): data, shown as they are."""
    text = data.decode("utf-8", errors="ignore") + " " + name
    return frozenset(word.lower() for word in re.findall(r"[A-Za-z][A-Za-z'’]+", text))


def assert_chinese(result: IngestResult, allowed: frozenset[str]) -> None:
    """Every text of ``result`` a person reads has no English word but the data's."""
    texts = [
        *result.errors["reason"],
        *result.warnings["reason"],
        *result.error_summary["reason"],
        *result.warning_summary["reason"],
        *result.errors["column"],
        *result.warnings["column"],
        *result.mapping["how"],
        result.description,
        result.sheet_note,
        result.left_out_summary.sentence(),
        *(found.note() or "" for found in result.date_orders),
    ]
    left = {text: english_words(text, allowed) for text in texts if english_words(text, allowed)}
    assert left == {}


def test_an_excel_error_and_a_text_amount_are_named_by_row_column_value_and_what_to_do():
    name, data = messy_exports.with_bad_rows()
    result, steps = zh_read(data, name)
    assert issues(result) == [
        (3, "Commission", "#N/A", "是Excel错误值：请在源表中修正公式（如果实际值为零，请填0）"),
        (5, "GMV", "lots", "不是数字：请用数字填写金额，如 1234.50"),
    ]
    assert result.description == "CSV，UTF-8编码，逗号分隔，表头在第1行"
    assert steps == ["已读取5行、5列", "检查完成：3行通过，2个错误，0个警告"]
    assert result.left_out_summary.sentence() == "2个客户的2行（其中1个客户全部行都被排除），平台收入40.00"
    assert list(result.mapping["how"]) == ["已知名称"] * 4
    assert_chinese(result, data_words(data, name))


def test_every_kind_of_cell_problem_reads_in_chinese():
    result, _steps = zh_read(MESSY, "messy.csv")
    assert issues(result) == [
        (2, "Active", "maybe", "不是“是/否”：请填写 TRUE 或 FALSE（或 1 / 0）"),
        (2, "Contract end", "2025-13-01", "不是真实存在的日期：请按 YYYY-MM-DD 填写"),
        (
            2,
            "Merchant ID",
            "A",
            "A在2025年第1季度出现2次且数值不同（行号：2、3）：每个客户每个季度只保留一行，或选择按客户和季度汇总各行",
        ),
        (
            3,
            "Merchant ID",
            "A",
            "A在2025年第1季度出现2次且数值不同（行号：2、3）：每个客户每个季度只保留一行，或选择按客户和季度汇总各行",
        ),
        (4, "Quarter", "2025Q5", "不是季度；请写成 2025Q3、Q3 2025 或日期"),
        (4, "Commission", "-3", "为负数，而本列必须大于或等于0：是净退款吗？请填0，或更正该数值"),
        (
            4,
            "GMV",
            "1e16",
            "超过了可接受的最大金额1,000,000,000,000,000（10^15）：请检查该数值及其所在列（是否把ID或电话号码映射成了金额？）",
        ),
        (5, "Merchant ID", "", "为空：每一行都需要客户ID；请补填，如果该行不是客户请删除"),
        (5, "Commission", "=1+1", "看起来是电子表格公式，公式不会被计算：请粘贴数值（选择性粘贴 → 值）后重新上传"),
        (6, "Quarter", "FY2025Q1", "是财年季度，未必与自然季度一致：请填写自然季度（如 2025Q3）或日期"),
        (6, "Commission", "5%", "是百分比，但本列存放的是金额：请填写金额本身"),
    ]
    assert issues(result, "warnings") == [(5, "GMV", "n/a", "表示“无值”的占位符：按0读取")]
    assert result.left_out_summary.sentence() == "4个客户的5行（其中4个客户全部行都被排除），平台收入18.05"
    assert_chinese(result, data_words(MESSY, "messy.csv"))


def test_repeated_rows_are_named_with_their_rows_and_counted_in_any_language():
    name, data = messy_exports.transactions()
    result, _steps = zh_read(data, name)
    first = issues(result)[0]
    assert first == (
        2,
        "Merchant ID",
        "M001",
        "M001在2025年第1季度出现3次且数值不同（行号：2、4、7）：每个客户每个季度只保留一行，或选择按客户和季度汇总各行",
    )
    assert list(result.error_summary["reason"]) == [
        "在同一季度出现多次且数值不同：每个客户每个季度只保留一行，或选择按客户和季度汇总各行"
    ]
    assert result.repeated_rows == 5  # asked in the language that read it …
    with i18n.use("en"):
        assert result.repeated_rows == 5  # … and after the language was switched
    summed, _steps = zh_read(data, name, choices=Choices(sum_repeats=True))
    assert issues(summed, "warnings")[0][3].startswith("5行已汇总为2行，每个客户每个季度一行（收入和自定义指标求和；")
    assert_chinese(result, data_words(data, name))
    assert_chinese(summed, data_words(data, name))


def test_totals_rows_are_left_out_with_a_chinese_reason():
    name, data = messy_exports.with_totals()
    result, _steps = zh_read(data, name)
    assert issues(result, "warnings") == [
        (6, "商户名称", "小计：", "合计行：已排除（它不是客户）"),
        (7, "商户ID", "TOTAL", "合计行：已排除（它不是客户）"),
        (8, "佣金", "100", "其金额（佣金、GMV）等于其他各行之和：合计行：已排除（它不是客户）"),
    ]
    assert result.left_out_summary.sentence() == "没有行"
    assert_chinese(result, data_words(data, name))


def test_the_order_of_day_and_month_is_explained_and_asked_for_in_chinese():
    name, data = messy_exports.day_first()
    decided, _steps = zh_read(data, name)
    assert [found.note() for found in decided.date_orders] == [
        "日期按日在前读取：4个日期中有2个的日大于12（DD/MM/YYYY）"
    ] * 2
    name, data = messy_exports.month_unclear()
    unclear, _steps = zh_read(data, name)
    assert issues(unclear)[0] == (
        2,
        "Date",
        "03/04/2025",
        "按日、月顺序不同可读作2025年第1季度或2025年第2季度：请为本列选择日在前或月在前，或按 YYYY-MM-DD 填写日期",
    )
    assert issues(unclear, "warnings") == [
        (
            None,
            "Date",
            "",
            "本列没有一个日期的某部分大于12，无法判断日在前还是月在前（2个日期如 03/04 有两种读法）："
            "请选择日在前或月在前",
        )
    ]
    chosen, _steps = zh_read(data, name, choices=Choices(date_order=MONTH_FIRST))
    assert [found.note() for found in chosen.date_orders] == ["年份在后的日期已按所选的月在前读取"]
    for result, (file, raw) in ((decided, messy_exports.day_first()), (unclear, (name, data)), (chosen, (name, data))):
        assert_chinese(result, data_words(raw, file))
    assert [i18n._(ORDER_NAMES[order]) for order in (DAY_FIRST, MONTH_FIRST)] == ["日在前", "月在前"]


def test_an_old_shop_export_is_described_in_chinese():
    data = messy_files.purchase_log_1997()
    result, _steps = zh_read(data, "purchases_1997.csv")
    assert result.description == "CSV，UTF-8编码，分号分隔，表头在第1行"
    assert result.errors.empty
    assert_chinese(result, data_words(data, "purchases_1997.csv"))


def test_a_workbook_names_the_sheet_it_proposes_and_why():
    name, data = messy_exports.summary_first()
    result, _steps = zh_read(data, name)
    assert result.description == "Excel工作表“Accounts”（共2个工作表），表头在第1行"
    assert result.sheet_note == "被推荐为最像客户导出数据的工作表：6个表头符合数据契约，含客户ID，7行"
    assert_chinese(result, data_words(data, name) | {"accounts"})  # the sheet's name is data


def test_ids_spelt_two_ways_and_a_quarter_from_the_file_name():
    name, data = messy_exports.ids_by_case()
    result, _steps = zh_read(data, name)
    assert issues(result, "warnings") == [
        (
            None,
            "Merchant ID",
            "",
            "1个ID有仅大小写不同的多种写法（CD00004 / cd00004）：已按不同客户读取；"
            "如果它们是同一客户，请选择忽略ID的大小写",
        )
    ]
    merged, _steps = zh_read(data, name, choices=Choices(ids_ignore_case=True))
    assert issues(merged, "warnings")[0][3].endswith(
        "：每组已按同一客户读取，写法以工作区中的为准，否则取文件中最常见的写法"
    )
    name, data = messy_exports.chinese_name()
    from_name, _steps = zh_read(data, name)
    assert issues(from_name, "warnings") == [(None, "季度", "2025Q2", "没有季度列：季度取自文件名")]
    for read in (result, merged):
        assert_chinese(read, data_words(data, name) | data_words(*reversed(messy_exports.ids_by_case())))


def test_a_missing_column_is_named_by_its_chinese_title_and_meaning():
    data = b"Merchant ID,Quarter,GMV\nA,2025Q1,100\n"
    result, _steps = zh_read(data, "no_commission.csv")
    assert issues(result) == [
        (
            None,
            "平台收入",
            "",
            "没有一列是平台收入（平台在该季度从该客户获得的收入）；现有各列：Merchant ID、Quarter、GMV。"
            "请在列映射中将其中一列映射为平台收入",
        )
    ]
    no_quarter, _steps = zh_read(b"Merchant ID,Commission\nA,1\n", "accounts.csv")
    assert issues(no_quarter) == [(None, "季度", "", "文件没有季度列：请选择该文件对应的季度，或添加一个季度列")]
    assert issues(no_quarter, "warnings") == [
        (None, "B端收入", "", "没有B端收入列（GMV、销售额……）：可以接受，但收入象限视图需要它")
    ]
    with pytest.raises(CommitRefused, match="^有一个问题涉及整个文件：文件没有季度列"):
        commit(no_quarter, None, actor=None)
    assert_chinese(result, data_words(data, "no_commission.csv"))


def test_the_mapping_says_why_in_chinese():
    data = b"Merchant ID,Quarter,Commission,Fees,Notes,Total GMV\nA,2025Q1,1,2,hello,100\n"
    result, _steps = zh_read(data, "fees.csv", mapping={"Notes": "ignore"})
    assert dict(zip(result.mapping["source"], result.mapping["how"])) == {
        "Merchant ID": "已知名称",
        "Quarter": "已知名称",
        "Commission": "已知名称",
        "Fees": "数值列",
        "Notes": "你的选择",
        "Total GMV": "以“gmv”结尾",
    }
    assert issues(result, "warnings") == [
        (
            None,
            "Fees",
            "",
            "看起来也是“平台收入”，但该字段已从“Commission”读取：本列按未映射处理；如果本列才是正确的列，请修改映射",
        )
    ]
    assert_chinese(result, data_words(data, "fees.csv"))


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.csv", b"", "文件是空的。请重新导出数据并上传新文件。"),
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest",
            "不支持旧版Excel的 .xls 文件：请在Excel中打开并另存为 .xlsx。",
        ),
        (
            "book.xlsx",
            b"id,quarter\n",
            "book.xlsx 不是有效的 .xlsx 工作簿（.xlsx 文件是一个zip压缩包，而它不是）。如果它是CSV文件，请改名为 .csv；"
            "如果来自旧版Excel，请另存为 .xlsx。",
        ),
        (
            "readme.xlsx",
            zip_of({"readme.txt": "hello"}),
            "无法打开该工作簿（缺少必需的部件）：文件已损坏，或不是Excel .xlsx 文件。"
            "请在Excel中打开，重新另存为 .xlsx 后上传新文件。",
        ),
        (
            "one.csv",
            b"just one column\nvalue\n",
            "只找到一列：文件似乎没有用逗号、分号、制表符或竖线分隔。请重新导出为CSV（或 .xlsx），每个字段一列。",
        ),
        (
            "binary.csv",
            b"id,q\x00\x01\x02\x03",
            "这看起来不是CSV文件：其中含有二进制数据。请上传CSV（文本）或 .xlsx 文件。",
        ),
    ],
)
def test_a_file_that_cannot_be_read_says_why_in_chinese(name, data, reason):
    result, _steps = zh_read(data, name)
    assert issues(result) == [(None, "", "", reason)]
    assert english_words(reason, frozenset({"xls"})) == []  # a file format, as .xlsx


def test_a_row_too_wide_and_an_upload_too_large():
    data = b"Merchant ID,Quarter,Commission\nA,2025Q1,1,2,3\nB,2025Q1,2\n"
    result, _steps = zh_read(data, "ragged.csv")
    assert issues(result)[0] == (
        2,
        "",
        "A,2025Q1,1,2,3",
        "有5个值，但表头只有3列：某个值里含有分隔符？请给该值加上引号，或删除多余的分隔符。",
    )
    assert result.left_out_summary.sentence() == "0个客户的0行，平台收入0.00，另有1行无法读取"
    with pytest.raises(FileProblem, match=r"^工作簿中没有名为“Other”的工作表；现有工作表：Summary、Accounts。"):
        read_file(messy_exports.summary_first()[1], "regions.xlsx", sheet="Other")
    assert upload_too_large("big.csv", 60 << 20) == (
        "big.csv 大小为60.0 MB，超过了数据文件50 MB的上限，因此未读取。"
        "请按地区或季度拆分导出文件后分别上传：一起上传的文件会一起提交。"
    )


def test_files_committed_together_name_the_other_file_in_chinese():
    first = b"Merchant ID,Quarter,Commission\nA,2025Q1,1\nB,2025Q1,2\n"
    second = b"Merchant ID,Quarter,Commission\nA,2025Q1,5\nB,2025Q1,2\n"
    together = combine([read_upload(first, "north.csv"), read_upload(second, "south.csv")])
    clash = "A在2025年第1季度出现在多个文件中且数值不同（north.csv 第2行、south.csv 第2行）：请只保留在一个文件中"
    assert issues(together) == [(2, "Merchant ID", "A", clash)] * 2  # the row of each file
    assert issues(together, "warnings")[-1] == (3, "Merchant ID", "B", "与north.csv 第3行完全相同：只保留一次")
    with pytest.raises(CommitRefused, match="^仍有2个错误：请修正，或选择只提交有效行$"):
        commit(together, None, actor=None)


def test_the_contract_speaks_chinese_and_english_stays_as_it_was():
    titles = [label(name) for name in contract.NAMES]
    meanings = [i18n._(column.meaning) for column in contract.COLUMNS]
    active = i18n._(contract.ACTIVE_MEANS)
    rows = some(["2", "3", "4", "5"], 20_000)
    assert titles == [
        "客户ID",
        "季度",
        "平台收入",
        "B端收入",
        "客户名称",
        "客群",
        "区域",
        "层级",
        "负责人",
        "活跃",
        "合同金额",
        "合同到期日",
    ]
    assert rows == "2、3、4及另外19,997个"
    assert active == "活跃＝文件中有“是否活跃”列时以该列为准，否则为该季度平台收入 > 0 或 B端收入 > 0。"
    for text in [*titles, *meanings, active]:
        assert english_words(text, frozenset({"yyyyqn"})) == [], text  # the form of a quarter, as YYYY-MM-DD
    assert label("active_users") == "active_users"  # a custom metric stays as the file names it
    with i18n.use("en"):
        assert [label(name) for name in contract.NAMES] == list(contract.NAMES)  # English: the names
        assert some(["2", "3", "4", "5"], 20_000) == "2, 3, 4 and 19,997 more"


def test_dates_and_quarters_that_cannot_be_read_say_why_in_chinese():
    reasons = []
    for value, parse in (("2025-02-30", parse_date), ("1800-01-01", parse_date), ("2025-13", parse_quarter)):
        with pytest.raises(ValueError) as raised:
            parse(value)
        reasons.append(raised.value.reason)
    with pytest.raises(QuarterError) as raised:
        parse_quarter("1850Q1")
    reasons.append(raised.value.reason)
    with pytest.raises(ValueError) as raised:
        parse_date("13/04/2025", order=MONTH_FIRST)
    reasons.append(raised.value.reason)
    assert reasons == [
        "不是真实存在的日期：请按 YYYY-MM-DD 填写",
        "年份为1800：请填写1900至2199之间的年份",
        "不是有效月份：不存在13月；请按 YYYY-MM-DD 填写日期",
        "年份不在1900至2199之间：请填写1900至2199之间的年份",
        "与本列其他日期一样按月在前读取时，不是真实存在的日期：请按 YYYY-MM-DD 填写",
    ]
    with i18n.use("en"), pytest.raises(QuarterError, match="is not a quarter; write it as 2025Q3, Q3 2025 or a date"):
        parse_quarter("soon")  # English as before


def test_every_chinese_column_label_reads_back_as_its_column():
    """The Chinese upload template heads its columns with their labels: an upload maps them back."""
    for name in contract.NAMES:
        found = suggest(label(name))
        assert found is not None and (found.target, found.confidence) == (name, 1.0), label(name)
