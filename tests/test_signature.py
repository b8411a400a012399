"""Signatures, taglines and disclaimers are cut by their shape; a line that answers is never cut.

The people, titles, numbers and slogans below are made up for these tests: the rule is the shape
(a name, a title, contact lines, a legal paragraph under the message), not these strings.
"""

from __future__ import annotations

import pytest

from mailflow.read.inbound import parse
from mailflow.read.quotes import visible_html, visible_text
from mailflow.testing import make_mail


def cut_of(text: str, sender: str = "") -> tuple[str, list[str]]:
    cut: list[str] = []
    return visible_text(text, sender, cut), cut


# --- signature blocks, three scripts --------------------------------------------------------

@pytest.mark.parametrize("text, answer", [
    # zh-CN: name / department | title / phone / mail
    ("已完成，数据已导入。\n\n王晓丽\n市场部 | 活动策划\n电话：021-5566 7788\nwangxl@example.cn", "已完成，数据已导入。"),
    # zh-CN: a company, a postal address and a web site under the name
    ("好的，我周四前发你。\n\n诸葛伟\n北辰数据科技有限公司\n北京市海淀区中关村大街 1 号 8 层\nwww.beichen.example",
     "好的，我周四前发你。"),
    # zh-CN: title we have no word for, between the name and the number
    ("进行中，差不多一半了\n\n钱多多\n首席快乐官\n手机 186 0000 4321", "进行中，差不多一半了"),
    # zh-CN: name, messenger handle
    ("收到\n\n韦一鸣\n微信：weiyiming_88", "收到"),
    # zh-TW: name + title on one line, 課, extension
    ("已完成，請查收附件。\n\n張雅婷 專案經理\n台中分公司 資訊課\n電話：(04) 2345-6789 分機 12\nE-mail: yating@example.tw",
     "已完成，請查收附件。"),
    # zh-HK / bilingual name
    ("搞掂咗，報告喺共享盤。\n\n林美惠 Mei-Hui Lin\n營運部｜高級主任\n+852 3123 4567", "搞掂咗，報告喺共享盤。"),
    # en: name / role, region / phone / web
    ("Confirmed, I'll attend.\n\nOliver Grant\nRegional Sales Lead, EMEA\nT: +44 20 7946 0000\nwww.northwind.example",
     "Confirmed, I'll attend."),
    # en: name | role on one line, company, street address
    ("Done, see attached.\n\nJohn Carter | Procurement Lead\nAcme Asia Ltd.\nRoom 1201, 88 Century Avenue, Shanghai\n"
     "+86 21 5555 0101", "Done, see attached."),
    # parts joined on one line: name | department | phone
    ("已完成\n\n张三 | 市场部 | 138-0000-0000", "已完成"),
    ("Done\n\nKevin Ho\nSales | T: +65 6789 1200 | kevin@hoco.example", "Done"),
    # labelled lines: 部门：/职位：/电话：
    ("收到\n\n部门：市场部\n职位：经理\n电话：021-5555 6666", "收到"),
    # a "--" line opens the signature, whatever follows
    ("确认\n--\n李雷\n产品部", "确认"),
    # a rule line, then the block, then a slogan of parallel phrases
    ("收到\n\n------------------\n赵六 | 行政部\n分机 8021\n\n精诚合作 · 追求卓越 · 客户至上", "收到"),
])
def test_a_signature_block_under_the_answer_is_cut(text, answer):
    visible, cut = cut_of(text)
    assert visible == answer
    assert any(c.startswith("signature") for c in cut), cut


def test_the_senders_own_name_alone_is_a_signature():
    assert cut_of("收到，明天开始。\n\n郑凯", sender="郑凯") == ("收到，明天开始。", ["signature (1 line)"])
    assert cut_of("Will do.\n\nPriya", sender="Priya Natarajan")[0] == "Will do.\n\nPriya"   # a first name alone stays
    assert cut_of("Will send it Friday.\n\nPriya Natarajan", sender="Priya Natarajan")[0] == "Will send it Friday."


def test_a_lone_chinese_name_under_the_answer_is_a_signature():
    assert cut_of("已提交，请验收\n\n欧阳娜娜")[0] == "已提交，请验收"


@pytest.mark.parametrize("disclaimer", [
    "本邮件及其附件含有保密信息，仅供指定收件人使用。如您误收，请删除并通知发件人。",
    "本郵件內容可能涉及機密，僅供收件人閱讀。若您並非收件人，請立即刪除。",
    "This message and any attachments are intended only for the named recipient and may contain privileged "
    "information. If you received it in error, please delete it.",
    "免责声明：以上内容仅代表个人观点。",
    "CONFIDENTIALITY NOTICE: the information in this e-mail is confidential.",
])
def test_a_disclaimer_is_cut_with_or_without_a_signature_above_it(disclaimer):
    assert visible_text("OK，按时交\n\n" + disclaimer) == "OK，按时交"
    assert visible_text("OK，按时交\n\n冯静\n采购中心 采购主管\n手机 139-0000-1234\n\n" + disclaimer) == "OK，按时交"


@pytest.mark.parametrize("tagline", [
    "发自我的荣耀手机", "從我的 iPad 傳送", "Sent from my Pixel", "Sent with Spark", "来自 QQ邮箱 App",
    "Envoyé de mon iPhone", "Sent from Outlook for Android", "签名由 网易邮箱大师 定制", "发自我的 Galaxy S24",
    "—— 来自飞书", "【来自企业微信】", "(来自QQ邮箱)", "从 Windows 版邮件发送",
])
def test_taglines_are_cut_by_their_shape(tagline):
    visible, cut = cut_of("进行中 70%\n\n" + tagline)
    assert visible == "进行中 70%"
    assert cut == [f"tagline '{tagline}'"]


def test_a_reply_that_is_only_a_tagline_has_no_new_text():
    assert visible_text("\n发自我的iPhone\n") == ""


# --- never cut an answer --------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "已完成\n\n周五前",                      # a date under the answer
    "进行中\n\n60%",
    "延期\n\n12月10日",
    "已完成\n\n2026-12-10",
    "不参加\n\n由王五代参会",                  # the proxy is the answer
    "确认\n\n王五代参会",
    "不参加\n\n李娜代",                       # a stand-in named under the answer
    "这个任务转给\n李明",                      # a name that finishes the sentence above it
    "改由\n\n李明负责",
    "收到\n\n产品部",                          # a department alone may be the answer to "哪个部门"
    "王五",                                  # a name that is the whole reply
    "已完成\n\nhttps://pan.example.cn/s/8Fj2Kq 提取码 7w3k",   # the deliverable's link
    "好的\n\n请联系李明 138 0000 1111",         # a sentence that gives a number
    "参加\n\n张江路 88 号 3楼会议室",           # a place that is part of the answer
    "Done\n\nby Friday",
    "Sounds Good",
    "1) done\n2) 60%",
    "1 已完成 | 2 进行中",
    "进行中 50% | 预计周五",
    "完成一半\n\n客户第一",
    "Sent from my desk, which is much easier than my phone.",
    "已完成\n\n从共享盘发送",                  # "from <a place> sent" names no device
    "来自市场部的反馈：需要再改一版",
])
def test_a_line_that_carries_an_answer_is_never_cut(text):
    assert visible_text(text, "张伟") == text


def test_a_name_that_answers_stays_when_it_is_the_senders_too():
    # "王五" replying "王五" (who stands in? me) has nothing above it: nothing is a signature
    assert visible_text("王五", "王五") == "王五"


# --- through the whole parser -----------------------------------------------------------------

def _mail(body: str, sender: str = "王晓丽 <wangxl@example.cn>") -> bytes:
    """A reply whose From name is an encoded word (=?utf-8?b?...?=), as Outlook writes it."""
    return make_mail(sender, body, subject="Re: [MF-T9] 任务提醒", message_id=f"<sig-{abs(hash(body))}@example.cn>",
                     date=None, utf8=False)


def test_inbound_reports_what_was_cut():
    body = ("已完成，报告见附件\n\n王晓丽\n市场部 | 活动策划\n电话：021-5566 7788\n\n发自我的iPhone\n\n"
            "-----原始邮件-----\n发件人: 跟进助手 <mailflow@corp.example>\n发送时间: 2026年12月1日 9:00\n"
            "收件人: 王晓丽\n主题: [MF-T9] 任务提醒\n\n请回复 已完成 / 进行中\n")
    mail = parse(_mail(body))
    assert mail.visible == "已完成，报告见附件"
    assert mail.cut == ["quote from '-----原始邮件-----'", "tagline '发自我的iPhone'", "signature (3 lines)"]


def test_the_from_display_name_is_used_to_find_the_signature():
    mail = parse(_mail("好的，收到。\n\n王晓丽\n"))            # From: 王晓丽
    assert mail.visible == "好的，收到。"


def test_an_unknown_separator_above_a_header_block_ends_the_new_text():
    body = "同意\n\n-----邮件原件-----\n发件人: 跟进助手\n发送时间: 2026年12月1日\n主题: 纪要\n\n纪要正文\n"
    mail = parse(_mail(body))
    assert mail.visible == "同意"
    assert mail.cut == ["quote from '-----邮件原件-----'"]


def test_an_outlook_html_signature_is_cut_too():
    html = ('<html><body><p class="MsoNormal">已完成</p><p class="MsoNormal">&nbsp;</p>'
            '<p class="MsoNormal"><span style="color:#7F7F7F">韩梅梅</span></p>'
            '<p class="MsoNormal"><span style="color:#7F7F7F">品牌部 | 品牌经理</span></p>'
            '<p class="MsoNormal"><span style="color:#7F7F7F">手机：139 1809 0000</span></p>'
            '<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p><b>发件人:</b> 跟进助手<br>'
            '<b>发送时间:</b> 2026年12月1日 9:00<br><b>主题:</b> 任务</p></div><p>请回复</p></body></html>')
    assert visible_html(html) == "已完成"
