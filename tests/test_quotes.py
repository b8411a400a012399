"""Quote and signature stripping, in the words and layouts people's clients produce."""

from __future__ import annotations


import pytest

from mailflow.read.htmltext import html_to_text
from mailflow.read.quotes import cut_quoted_html, is_quote_header, visible_html, visible_text

ORIG = "请各位负责人于本周五下班前回复任务进度。\n任务：接口开发\n截止：2026-11-20\n"


@pytest.mark.parametrize("client, text, expected", [
    ("QQ邮箱", "确认\n\n------------------ 原始邮件 ------------------\n发件人: \"mailflow\"<mf@corp.example>;\n"
              "发送时间: 2026年11月18日(星期三) 下午3:02\n收件人: \"王五\"<w@qq.com>;\n主题: 任务\n\n" + ORIG, "确认"),
    ("QQ邮箱 English UI", "OK\n\n------------------&nbsp;Original&nbsp;------------------\nFrom: x\n" + ORIG, "OK"),
    ("QQ邮箱 English UI, nbsp", "确认\n\n------------------\u00a0Original\u00a0------------------\n" + ORIG, "确认"),
    ("腾讯企业邮箱", "已完成\n\n发自我的企业微信\n\n------------------ 原始邮件 ------------------\n" + ORIG, "已完成"),
    ("Foxmail", "已完成\n\n\n\nlisi@corp.example\n \n发件人： mailflow\n发送时间： 2026-11-18 15:02\n收件人： 李四\n"
                "主题： 任务\n" + ORIG, "已完成"),   # the bare address under it is Foxmail's signature
    ("网易 163", "进行中 60%\n\n在 2026-11-18 15:02:11，\"张三\" <zhangsan@corp.example> 写道：\n" + ORIG, "进行中 60%"),
    ("网易 163 English", "done\n\nAt 2026-11-18 15:02:11, \"张三\" <zhangsan@corp.example> wrote:\n" + ORIG, "done"),
    ("网易邮箱大师", "好的\n\n来自网易邮箱大师\n\n---- 回复的原邮件 ----\n| 发件人 | 张三<a@b.com> |\n" + ORIG, "好的"),
    ("Outlook zh-CN", "确认\n\n________________________________\n发件人: 张三 <a@b.com>\n发送时间: 2026年11月18日 15:02\n"
                      "收件人: 李四 <l@b.com>\n主题: 任务\n\n" + ORIG, "确认"),
    ("Outlook zh-CN full-width", "已完成\n\n发件人： 张三\n发送时间： 2026年11月18日 15:02\n收件人： 李四\n主题： 任务\n" + ORIG,
     "已完成"),
    ("Outlook zh-TW", "已完成\n\n寄件者: 張三 <a@b.com>\n寄件日期: 2026年11月18日 下午 03:02\n收件者: 李四\n主旨: 任務\n" + ORIG,
     "已完成"),
    ("Outlook en", "Done.\n\nFrom: Zhang San <a@b.com>\nSent: Wednesday, November 18, 2026 3:02 PM\nTo: Li Si\n"
                   "Subject: Task\n" + ORIG, "Done."),
    ("Outlook bold", "Done.\n\n*From:* Zhang San <a@b.com>\n*Sent:* Wednesday, November 18, 2026 3:02 PM\n" + ORIG, "Done."),
    ("-----原始邮件-----", "同意\n\n-----原始邮件-----\n发件人: 张三\n" + ORIG, "同意"),
    ("-----Original Message-----", "Agreed\n-----Original Message-----\nFrom: x\n" + ORIG, "Agreed"),
    ("Gmail zh-CN", "已完成\n\n张三 <zhangsan@corp.example> 于2026年11月18日周三 15:02写道：\n\n> 请确认\n", "已完成"),
    ("Gmail zh-CN old", "收到\n\n在 2026年11月18日 下午3:02，张三 <zhangsan@corp.example>写道：\n> 请确认\n", "收到"),
    ("Gmail zh-TW", "確認\n\n張三 <a@b.com> 於 2026年11月18日 週三 下午3:02寫道：\n> 請確認\n", "確認"),
    ("Gmail en", "Confirmed\n\nOn Wed, Nov 18, 2026 at 3:02 PM Zhang San <a@b.com> wrote:\n> please confirm\n", "Confirmed"),
    ("Gmail en wrapped", "Confirmed\n\nOn Wed, Nov 18, 2026 at 3:02 PM Zhang San <\na@b.com> wrote:\n> please confirm\n",
     "Confirmed"),
    ("Apple Mail zh", "好的\n\n发自我的iPhone\n\n> 2026年11月18日 15:02，张三 <a@b.com> 写道：\n> \n> 请确认\n", "好的"),
    ("Apple Mail zh no quote marks", "好的\n\n2026年11月18日 15:02，张三 <a@b.com> 写道：\n\n请确认\n", "好的"),
    ("Thunderbird zh", "收到\n\n在 2026/11/18 15:02, 张三 写道:\n> 请确认\n", "收到"),
    ("Thunderbird en", "Got it\n\nOn 11/18/26 3:02 PM, Zhang San wrote:\n> please confirm\n", "Got it"),
    ("Lark/Feishu zh", "已完成\n\n发件人: 张三 <a@b.com>\n日期: 2026年11月18日 15:02\n主题: 任务\n收件人: 李四\n" + ORIG, "已完成"),
    ("Lark/Feishu en", "Done\n\nFrom: Zhang San <a@b.com>\nDate: Wed, Nov 18, 2026, 15:02\nSubject: Task\n" + ORIG, "Done"),
    ("Lark/Feishu quick reply", "已完成\n\n回复 张三：\n请确认任务进度\n", "已完成"),
    ("DingTalk/阿里邮箱", "进行中 60%\n\n------------------------------------------------------------------\n"
                        "发件人：张三 <a@b.com>\n发送时间：2026年11月18日(星期三) 15:02\n收件人：李四\n主　题：任务\n" + ORIG,
     "进行中 60%"),
    ("ideographic spaces", "确认\n\n\u3000发件人\u3000：张三\n\u3000发送时间\u3000：2026年11月18日\n" + ORIG, "确认"),
])
def test_clients_quote_headers(client, text, expected):
    assert visible_text(text) == expected, client


@pytest.mark.parametrize("signature", [
    "发自我的iPhone", "发自我的华为手机", "Sent from my iPhone", "从我的 iPad 发送", "來自我的iPhone", "從我的 iPhone 傳送",
    "来自网易邮箱大师", "Get Outlook for iOS", "获取 Outlook for Android", "獲取 Outlook for iOS", "发自 QQ邮箱",
    "发自我的小米手机", "Sent from my Huawei phone", "-- \n张三\n产品部 | 138-0000-0000",
])
def test_signatures_are_not_part_of_the_answer(signature):
    assert visible_text("已完成\n\n" + signature + "\n") == "已完成"


def test_a_sentence_that_starts_like_a_signature_stays():
    text = "Sent from my desk, which is much easier than my phone."
    assert visible_text("Done\n\n" + text) == "Done\n\n" + text


@pytest.mark.parametrize("text", [
    "确认",
    "已完成",
    "进行中 60%",
    "1 已完成；3 延期到周五\n第2项进行中，50%",
    "from: the team, as discussed\nplease keep going",         # one "from:" line is not a header
    "As I wrote: the API is ready.",                          # "wrote:" without a date or address
    "| 任务 | 状态 |\n| 接口开发 | 已完成 |",                  # a Markdown table is not a quote
    "延期到12月5日，原因：测试环境还没准备好。\n主题：接口开发",
])
def test_plain_answers_are_kept_whole(text):
    assert visible_text(text) == text


def test_bottom_posted_answer_below_the_quote_is_found():
    text = "在 2026年11月18日 15:02，张三 <a@b.com> 写道：\n> 请确认任务进度\n\n进行中，60%\n"
    assert visible_text(text) == "进行中，60%"


def test_inline_answers_between_quoted_items_are_kept():
    text = "> 1. 接口开发\n已完成\n> 2. 测试报告\n延期到周五\n"
    assert visible_text(text) == "已完成\n延期到周五"


def test_an_empty_reply_above_a_quote_has_no_new_text():
    # never read our own request ("请回复 确认") as the person's answer
    assert visible_text("\n\n-----原始邮件-----\n发件人: mailflow\n请回复 确认 或 已完成\n") == ""


def test_quote_header_helper():
    assert is_quote_header("------------------ 原始邮件 ------------------")
    assert is_quote_header("在 2026-11-18 15:02:11，\"张三\" <a@b.com> 写道：")
    assert not is_quote_header("我写道：已完成")


# --- HTML ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("client, html", [
    ("Outlook web", '<div>确认</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>发件人:</b> 张三<br>'
                    '<b>发送时间:</b> 2026年11月18日</div><div>请确认</div>'),
    ("Outlook desktop", '<p class="MsoNormal">确认</p><div style="border:none;border-top:solid #E1E1E1 1.0pt">'
                        '<p><b>From:</b> Zhang San<br><b>Sent:</b> Wednesday<br><b>To:</b> Li<br><b>Subject:</b> x</p></div><p>请确认</p>'),
    ("Gmail", '<div dir="ltr">确认</div><br><div class="gmail_quote"><div class="gmail_attr">张三 于2026年11月18日写道：</div>'
              '<blockquote class="gmail_quote">请确认</blockquote></div>'),
    ("Lark", '<div>确认</div><div class="history-quote-wrapper"><div>From: 张三</div><div>请确认</div></div>'),
    ("QQ", '<div>确认</div><includetail><div>------------------&nbsp;原始邮件&nbsp;------------------</div>'
           '<div>请确认</div></includetail>'),
    ("Apple", '<div>确认</div><div><br><blockquote type="cite"><div>2026年11月18日 15:02，张三 &lt;a@b.com&gt; 写道：</div>'
              '<div>请确认</div></blockquote></div>'),
    ("Thunderbird", '<p>确认</p><div class="moz-cite-prefix">在 2026/11/18 15:02, 张三 写道:<br></div>'
                    '<blockquote type="cite" cite="mid:x@y">请确认</blockquote>'),
    ("163", '确认<br><br>在 2026-11-18 15:02:11，"张三" &lt;a@b.com&gt; 写道：<br><blockquote id="isReplyContent">请确认</blockquote>'),
])
def test_html_quote_markers(client, html):
    assert visible_html(html) == "确认", client


def test_html_to_text_keeps_structure_and_skips_styles():
    html = "<style>p{x:y}</style><p>第一段</p><p>第二段<br>下一行</p><table><tr><td>任务</td><td>状态</td></tr></table>"
    assert html_to_text(html) == "第一段\n\n第二段\n下一行\n\n任务 状态"


def test_visible_html_of_plain_garbage_does_not_raise():
    for html in ["<", "<<<>>>", "</div></div>", "<blockquote>" * 100, "<script>alert(1)</script>确认", "\x00<p>\x00"]:
        assert isinstance(visible_html(html), str)


@pytest.mark.parametrize("body", [
    # Word wraps a long Chinese line, and a stray </span> splits it between two strings
    '<p>一、决议</p><p>预算由财务部</span>\n统一审核</p>',
    # a doctype in the middle of the new text (pasted from a web page)
    '<p>一、决议</p>预算由财务部<!DOCTYPE html>统一审核',
])
def test_a_draft_table_reads_the_same_from_the_cut_tree_as_from_the_cut_markup(body):
    """The table walk reads the tree cut_quoted_html hands over, and reads in it what the cut markup,
    stored as the draft's version, says: a stray end tag or a doctype in the new text changes neither."""
    html = ("<html><body>" + body + "<table><tr><td>活动海报定稿</td><td>杨帆</td><td>12月8日前</td></tr></table>"
            '<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p><b>发件人:</b> 会议跟进助手</p></div>'
            "<table><tr><td>旧的引用任务</td><td>何丽</td><td>11月1日前</td></tr></table></body></html>")
    cut = cut_quoted_html(html)
    assert "旧的引用任务" not in cut.html
    from_tree = html_to_text(cut.tree, tables=True)
    assert from_tree == html_to_text(cut.html, tables=True)
    assert "活动海报定稿\t杨帆\t12月8日前" in from_tree


# --- long threads --------------------------------------------------------------------------------

def _thread(n_bytes: int) -> str:
    block = ("确认\n\n------------------ 原始邮件 ------------------\n发件人: \"张三\"<a@b.com>;\n"
             "发送时间: 2026年11月18日(星期三) 下午3:02\n主题: 任务\n\n> On Wed, Nov 18, 2026 at 3:02 PM x <a@b.com> wrote:\n"
             "> > 请各位负责人于本周五下班前回复任务进度 " + "内容" * 30 + "\n" + "From: from: 发件人 " * 5 + "\n" + "-" * 50 + "\n")
    return (block * (n_bytes // len(block.encode()) + 1))


def _adversarial(n_bytes: int) -> str:
    line = "On 2026 " + "a@b 12:00 " * 30 + "\n"  # long attribution-like lines that never end in wrote:
    return line * (n_bytes // len(line) + 1)


# How long these take is measured in bench/reading.py (growth, quotes: …), not here: a loaded CI
# machine must not fail a build on a timing.
def test_a_2_mb_thread_is_cut_to_the_one_reply_on_top():
    assert visible_text(_thread(2 * 1024 * 1024)).strip() == "确认"


def test_2_mb_of_lines_that_begin_like_an_attribution_but_never_say_wrote_are_all_kept():
    """No line is a quote header ("On … wrote:" never ends), so nothing is cut: the reader sees every
    line, only its trailing blanks trimmed."""
    text = _adversarial(2 * 1024 * 1024)
    assert visible_text(text).splitlines() == [line.rstrip() for line in text.splitlines()]
