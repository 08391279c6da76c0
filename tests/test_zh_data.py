"""The Data page read in Chinese (``?lang=zh``): every state a user reaches (first visit, a good
upload and its commit, a bad upload, the sample removed, backups, a viewer's page, a source in use
or failing) shows no English text of the app's own; and the sentences behind it in Chinese: the
upload template that round-trips, the source's messages written in the reader's language whatever
the language they were first made in, roles, the sample's origin, the distance between quarters.

Left aside, as data or records: the audit trail's entries (written in English by design), the
files' digests, and, until ingest speaks Chinese, the words of ingest's own messages about a file.
"""

from __future__ import annotations

import io
import os
import re

import pandas as pd
import pytest

from b2b_core import contract, contract_labels, exports, i18n, quarters
from b2b_core.access import LOCAL, Actor, PermissionDenied, require
from b2b_core.amounts import Currency
from b2b_core.ingest import read_upload
from b2b_core.source import ExternalSource, SourceError, SourceFailsChecks, from_env, from_settings
from b2b_core.store.backup import check_backup
from b2b_core.store.sample_uploads import MIXED, SAMPLE, DataOrigin
from tests import source_files
from tests.apptest import open_app, shown, workspace_of
from tests.zh_text import english_left, shown_texts

DATA = "pages/data.py"
TABLE = "ops.account_quarters"
# A Chinese ops team's export of 2025Q4 with two bad rows: an Excel error as commission (row 3) and
# a word as GMV (row 5)
BAD_EXPORT = (
    "商户号,季度,佣金,交易额\nB1,2025Q4,10,100\nB2,2025Q4,#N/A,200\nB3,2025Q4,30,300\nB4,2025Q4,40,很多\n"
    "B2,2025Q3,25,250\n"
).encode()
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
SETTINGS = frozenset({"source", "mapping", "timeout_seconds"})  # the source's settings, written as they are typed
ANOTHER_AREAS = re.compile(r"^Preparing .* in the background")  # ``ui.warm_up``'s status, translated elsewhere


def open_zh(page: str = DATA, **options):
    return open_app(page, query_params={"lang": "zh"}, **options)


def records(workspace_path) -> set[str]:
    """What the Data page shows as recorded: the audit trail's entries (English by design) and the
    uploads' digests."""
    ws = workspace_of(workspace_path)
    trail = ws.audit_trail()
    return set(trail["summary"]) | set(trail["details"]) | set(ws.uploads()["sha256"])


def ingest_texts(name: str, content: bytes) -> tuple[frozenset[str], frozenset[str]]:
    """What ingest writes of the file, allowed until ingest's own messages speak Chinese: the texts
    shown as they are (its steps, the mapping's reasons, its errors and warnings), and the words of
    those the page puts in a sentence of its own (the file's description, what a valid-rows-only
    commit leaves out)."""
    steps: list[str] = []
    result = read_upload(content, name, on_step=steps.append)
    texts = [*steps, *result.mapping["how"].astype(str)]
    for frame in (result.errors, result.warnings, result.error_summary, result.warning_summary):
        texts += [str(cell) for column in ("reason", "value", "example") if column in frame for cell in frame[column]]
    return frozenset(texts), words_of(f"{result.description} {result.left_out_summary.sentence()}")


def words_of(text: object) -> frozenset[str]:
    """The words of ``text`` (a file's path, as a source's name shows it: data)."""
    return frozenset(word.lower() for word in _WORD.findall(str(text)))


def left(app, workspace_path, allowed: frozenset[str] = frozenset(), ingest=(frozenset(), frozenset())) -> list[str]:
    """The texts of the page still holding English, records (and ``ingest_texts``) aside."""
    recorded = records(workspace_path) | ingest[0]
    allowed |= ingest[1]
    texts = [text for text in shown_texts(app) if text not in recorded and not ANOTHER_AREAS.match(text)]
    return english_left(texts, allowed)


def upload(app, name: str, content: bytes) -> None:
    app.file_uploader[0].set_value((name, content, "text/csv")).run()
    assert not app.exception, app.exception


def test_the_first_visit_reads_in_chinese(workspace_path):
    app = open_zh()
    assert not app.exception and left(app, workspace_path) == []
    assert [s.value for s in app.subheader] == [
        "上传季度数据",
        "内置样本数据",
        "上传历史",
        "币种",
        "审计日志",
        "备份与恢复",
        "下载",
    ]
    history = next(d.value for d in app.dataframe if "文件" in d.value.columns)
    assert {"上传", "提交时间（UTC）", "生效季度", "状态", "样本"} <= set(history.columns)
    assert set(history["状态"]) == {"生效中"}
    trail = next(d.value for d in app.dataframe if "操作" in d.value.columns)
    assert set(trail["操作人"]) == {"本地用户"} and set(trail["操作"]) == {"提交"} and set(trail["角色"]) == {"管理员"}
    assert "entry_id" not in trail.columns and "email" not in trail.columns
    labels = {d.proto.label for d in app.get("download_button")}
    assert {"上传模板（CSV）", "上传模板（XLSX）", "整个工作区（CSV 压缩包）", "下载审计日志（CSV）"} <= labels


def test_the_chinese_upload_template_uploads_and_commits_in_chinese(workspace_path):
    app = open_zh()
    content = exports.template_csv("zh")
    upload(app, "模板.csv", content)
    assert left(app, workspace_path, ingest=ingest_texts("模板.csv", content)) == []
    (editor,) = app.data_editor
    with i18n.use("zh"):
        assert editor.value["映射到"].tolist() == [contract_labels.label(name) for name in contract.NAMES]
    assert app.metric[4].value == "2026年第3季度"  # the quarters the file holds
    assert any("此次提交将替换工作区中已有的数据" in w.value for w in app.warning)  # the sample's 2026Q3
    replace = next(c for c in app.checkbox if c.label.startswith("替换这些季度"))
    replace.check().run()
    commit = app.button(key="commit")
    assert commit.label == "提交 2 行（2026年第3季度）"
    commit.click().run()
    assert not app.exception
    assert any("已提交上传 #13：2026年第3季度，共 2 行。" in s.value for s in app.success)
    assert left(app, workspace_path) == []


def test_a_correction_in_the_mapping_editor_is_read_from_its_chinese_label(workspace_path):
    app = open_zh()
    upload(app, "模板.csv", exports.template_csv("zh"))
    (editor,) = app.data_editor
    row = editor.value["文件中的列"].tolist().index("负责人")
    app.session_state[editor.key] = {"edited_rows": {row: {"映射到": "忽略"}}, "added_rows": [], "deleted_rows": []}
    app.run()
    assert not app.exception
    mapping = next(d.value for d in app.dataframe if "类别" in d.value.columns).set_index("源列")
    assert mapping.loc["负责人", "类别"] == "已忽略" and mapping.loc["客户名称", "类别"] == "契约列"


def test_a_bad_upload_says_what_to_fix_in_chinese(workspace_path):
    app = open_zh()
    upload(app, "商户_2025Q4.csv", BAD_EXPORT)
    assert left(app, workspace_path, ingest=ingest_texts("商户_2025Q4.csv", BAD_EXPORT)) == []
    assert {m.label: m.value for m in app.metric}["错误"] == "2"
    assert any(e.value == "有 2 个问题需要修正：请看“错误”标签页。" for e in app.error)
    assert [t.label for t in app.tabs][:2] == ["错误（2）", "警告（0）"]
    partial = next(c for c in app.checkbox if c.label.startswith("只提交有效行"))
    partial.check().run()
    assert left(app, workspace_path, ingest=ingest_texts("商户_2025Q4.csv", BAD_EXPORT)) == []
    left_out = next(d.value for d in app.dataframe if "略去的行" in d.value.columns)
    assert left_out["客户"].tolist() == ["B4", "B2"]


def test_removing_and_restoring_the_sample_reads_in_chinese(workspace_path):
    app = open_zh()
    app.button(key="sample:remove").click().run()
    assert not app.exception
    assert any(s.value.startswith("已一步移除样本数据（2023年第4季度至2026年第3季度）") for s in app.success)
    assert left(app, workspace_path) == []
    app.button(key="sample:restore").click().run()
    assert any("样本数据已在2023年第4季度至2026年第3季度重新生效" in s.value for s in app.success)
    assert left(app, workspace_path) == []


def test_a_backup_and_a_viewers_page_read_in_chinese(workspace_path):
    app = open_zh()
    app.button(key="backup:prepare").click().run()
    assert not app.exception and left(app, workspace_path) == []
    assert any(d.proto.label.startswith("下载版本 ") for d in app.get("download_button"))
    viewer = open_zh(
        secrets={
            "auth": {
                "redirect_uri": "http://localhost:8501/oauth2callback",
                "cookie_secret": "x",
                "client_id": "id",
                "client_secret": "s",
                "server_metadata_url": "https://accounts.example.com/.well-known/openid-configuration",
            },
            "roles": {"viewer": ["vera@example.com"]},
        },
        user={"is_logged_in": True, "email": "vera@example.com", "name": "Vera"},
    )
    assert not viewer.exception and left(viewer, workspace_path, frozenset({"vera"})) == []
    assert any(i.value == "上传数据：需要编辑者角色。您可以查看下方的全部内容。" for i in viewer.info)
    assert any(c.value == "以 CSV 文件下载整个工作区：需要管理员角色。" for c in viewer.caption)


def mapping_words() -> frozenset[str]:
    """The words of ingest's reasons in the source's column mapping (until ingest speaks Chinese)."""
    try:
        report = ExternalSource(from_env(os.environ)).report
    except SourceFailsChecks as failed:
        report = failed.report
    return words_of(" ".join(report.mapping["how"].astype(str)))


def test_a_source_in_use_reads_in_chinese(lake, tmp_path, workspace_path):
    path = source_files.write_duckdb(source_files.as_lake(source_files.lake_panel()), tmp_path / "w.duckdb", TABLE)
    lake(f"duckdb://{path}", table=TABLE)
    app = open_zh()
    assert not app.exception and not app.error
    assert left(app, workspace_path, words_of(path) | words_of(TABLE) | SETTINGS | mapping_words()) == []
    assert [s.value for s in app.subheader][:2] == ["数据来源", "币种"]
    assert any(i.value.startswith("上传已关闭") for i in app.info)
    assert any("所有视图都读取" in m.value for m in app.markdown)


def test_a_failing_source_first_opened_in_english_reports_in_chinese(lake, tmp_path, workspace_path):
    lake_rows = source_files.as_lake(source_files.lake_panel())
    path = source_files.write_parquet(source_files.failing(lake_rows), tmp_path / "lake.parquet")
    lake("duckdb://", parquet=str(path))
    english = open_app(DATA)  # the failure is kept for every session from this opening on
    assert "fails the data contract's checks" in english.error[0].value
    app = open_zh()
    assert not app.exception and left(app, workspace_path, words_of(path) | SETTINGS | mapping_words()) == []
    (failed,) = app.error
    assert "未通过数据契约的检查（季度无法识别、平台收入 为负数、每个客户每季度一行）" in failed.value
    report = shown(" ".join(m.value for m in app.markdown))
    assert "季度无法识别（列 统计日）：1 行，例如 （空）。季度请写成 2025Q3" in report
    assert "平台收入 为负数（列 佣金收入）：1 行，例如 -120.0。平台收入 必须 ≥ 0" in report
    assert "每个客户每季度一行（列 商户号）：2 行，例如 M000001（2024年第1季度，2 行）。" in report


# -- the sentences behind the page --------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_chinese_upload_template_is_headed_in_chinese_and_maps_back_to_the_contract(kind):
    content = exports.template_csv("zh") if kind == "csv" else exports.template_xlsx("zh")
    if kind == "csv":
        headers = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig").columns.tolist()
    else:
        book = pd.read_excel(io.BytesIO(content), sheet_name=None)
        assert list(book) == ["客户", "字段说明"]
        headers = book["客户"].columns.tolist()
        guide = book["字段说明"]
        assert guide.columns.tolist() == ["列", "必填", "类型", "含义"]
        assert guide.iloc[0].tolist() == ["客户ID", "是", "文本", "B端客户的固定ID"]
    assert headers[:4] == ["客户ID", "季度", "平台收入", "B端收入"]
    result = read_upload(content, f"template.{kind}")
    assert result.ok and result.rows.num_rows == 2
    assert dict(zip(result.mapping["source"], result.mapping["target"], strict=True)) == dict(
        zip(headers, contract.NAMES, strict=True)
    )
    assert result.rows.column("segment").to_pylist() == ["餐饮", "旅游"]


def test_the_english_template_keeps_the_contracts_names():
    assert pd.read_csv(io.BytesIO(exports.template_csv("en")), encoding="utf-8-sig").columns.tolist() == list(
        contract.NAMES
    )


def test_a_label_of_either_language_reads_back_as_its_contract_name():
    with i18n.use("zh"):
        assert contract_labels.label("b_side_revenue") == "B端收入"
        assert contract_labels.label("repeat_orders") == "repeat_orders"  # a custom metric's name stays
    assert contract_labels.name_of("B端收入") == "b_side_revenue"
    assert contract_labels.name_of("自定义指标") == "custom metric"
    assert contract_labels.name_of("account_id") == "account_id"


def test_a_source_error_is_written_in_the_language_it_is_read_in():
    with i18n.use("zh"), pytest.raises(SourceError) as wrong:
        from_settings({"connection": "duckdb://", "table": "a", "parquet": "b.parquet"})
    message = wrong.value
    assert message.args[0].endswith("not both.")
    with i18n.use("en"):
        assert str(message) == '[source] needs either table = "schema.table" or parquet = "path/*.parquet", not both.'
    with i18n.use("zh"):
        assert (
            str(message)
            == '[source] 需要 table = "schema.table" 或 parquet = "path/*.parquet" 两者之一，不能同时设置。'
        )


def test_a_refused_action_says_who_may_do_it_in_chinese():
    vera = Actor("Vera", "vera@example.com", "viewer")
    with i18n.use("zh"), pytest.raises(PermissionDenied) as refused:
        require(vera, "export_workspace")
    assert (
        str(refused.value) == "以 CSV 文件下载整个工作区需要管理员角色；Vera 的角色是查看者。请让管理员为您分配该角色。"
    )
    with pytest.raises(PermissionDenied) as refused:
        require(vera, "export_workspace")
    assert str(refused.value).startswith("Downloading the whole workspace as csv files needs the admin role")
    assert LOCAL.role == "admin"


def test_the_samples_origin_and_the_distance_of_a_files_quarters_in_chinese():
    with i18n.use("zh"):
        sample = DataOrigin(SAMPLE, ("2023Q4", "2026Q3"), (), ())
        mixed = DataOrigin(MIXED, ("2023Q4", "2024Q1"), ("2024Q2",), ())
        gap = quarters.gap_between(["1997Q1", "1998Q2"], ["2023Q4", "2026Q3"])
        assert sample.label == "样本数据" and mixed.label == "含样本数据"
        assert sample.summary == "2023年第4季度至2026年第3季度是内置样本数据（一个虚构平台），不是您的数据。"
        assert mixed.explanation == (
            "2023年第4季度至2024年第1季度是内置样本数据（一个虚构平台）；2024年第2季度是您的数据。"
            "请在“数据”页移除样本数据。"
        )
        assert gap.describe("样本数据") == (
            "您的文件涵盖1997年第1季度至1998年第2季度；工作区现有2023年第4季度至2026年第3季度（样本数据）："
            "相隔 101 个季度。"
        )


def test_a_file_that_is_no_backup_and_a_wrong_currency_are_refused_in_chinese(tmp_path):
    file = tmp_path / "notes.duckdb"
    file.write_bytes(b"not a database at all")
    with i18n.use("zh"):
        with pytest.raises(ValueError) as refused:
            check_backup(file)
        assert str(refused.value) == (
            "此文件不是本应用工作区的备份：它不是 DuckDB 数据库。请选择通过备份下载保存的 .duckdb 文件。"
        )
        with pytest.raises(ValueError) as wrong:
            Currency.of("¥", "RMBX")
        assert str(wrong.value) == "币种代码 'RMBX' 不是三个字母：请填写 ISO 代码，例如 CNY、USD、EUR"
