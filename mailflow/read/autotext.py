"""Texts that are automatic even when no header says so. Pure, no I/O.

`out_of_office(text)`: an out-of-office notice written into an ordinary reply ("我已休假至12月5日，
邮件已收到，回来后处理"). The text is cut into clauses; it is automatic only when every clause
reports the sender's absence (休假/出差/out of the office …, now or ahead, not "上周休假"), says how
mail is handled meanwhile (回来后处理, 邮件已收到, 急事请致电…, I'll reply when I return, please
contact …), or is a greeting, a thanks, a date. One clause about anything else — a status
("方案已完成"), an answer ("不能参加"), a question — makes it a person's reply: "抱歉，上周休假。
方案已完成，见附件" is done, not automatic.

`bounce(text)`: a delivery failure notice sent as plain text (no multipart/report): its opening
says the mail could not be delivered (无法送达/被退回/Undeliverable/could not be delivered …),
and the text carries the technical reason (an SMTP status, "Diagnostic", 退信原因 …) and the
address that failed.
"""

from __future__ import annotations

import re

__all__ = ["out_of_office", "bounce"]

_MAX_CHARS = 800   # an out-of-office notice is short; a long text is a person's reply

# anything about the task itself: a text with one of these is never an automatic notice
_STATUS_RE = re.compile(
    r"完成|完毕|完畢|搞定|搞掂|做好|交付|提交|交了|进行|進行|进度|進度|延期|推迟|推遲|延后|延後|改期|确认|確認|"
    # attending is an answer ("参加不了", "不参加"), attending something else ("参加展会") is not
    r"(?:参加|參加)(?:不了|不到|了|吗|嗎|$|[^\u4e00-\u9fff])|"
    r"出席|参会|參會|同意|异议|異議|风险|風險|卡住|附件|定稿|给到|給到|发给|發給|给你|給你|发你|發你|出稿|上线|上線|"
    r"发布|發布|发出|發出|寄出|[%％?？]|"
    r"\b(?:done|finished|complete[ds]?|progress|wip|confirm(?:ed)?|join(?:ing)?|delay(?:ed)?|"
    r"attend(?:ing)?(?! (?:a|an|the) (?:conference|trade ?show|fair|workshop|training|summit))|"
    r"postpone[d]?|agree[d]?|risk|blocked|attached|draft|deliver(?:ed)?)\b", re.IGNORECASE)

_ABSENCE_RE = re.compile(
    r"休假|请假|請假|年假|假期|放假|休息|调休|調休|出差|外出|公出|外地|海外|"
    r"不在\S{0,6}?(?:办公室|辦公室|公司|座位|工位|岗|崗|国内|國內)|"
    # away at an event: "在深圳参加展会", "赴杭州开会", "外出拜访客户", "会议中"
    r"(?:在|赴|去|前往)\S{1,8}?(?:参加|參加|参展|參展|开会|開會|学习|學習|交流|拜访|拜訪|考察|出差)|"
    r"展会|展會|参展|參展|外训|外訓|拜访客户|拜訪客戶|客户现场|客戶現場|会议中|會議中|开会中|開會中|"
    r"离开|離開|离岗|離崗|产假|產假|陪产假|病假|婚假|探亲|探親|(?:在|参加|參加)\S{0,6}?(?:培训|培訓)|培训中|培訓中|"
    r"(?:返回|回到|返)(?:公司|办公室|辦公室|岗位|崗位|工作岗位)|返岗|返崗|回来后|回來後|"
    r"(?:\d{1,2}\s*[日号號]|\d{1,2}[/.]\d{1,2}|[周週][一二三四五六日天]|星期[一二三四五六日天]|下周|下週|节后|節後)"
    r"\s*(?:返回|回来|回來|回到|返|回)|国外|國外|境外|"
    r"\b(?:out of (?:the )?office|ooo|pto|abroad|overseas|"
    r"on (?:annual |sick |parental |maternity |paternity |medical )?leave|"
    r"on (?:vacation|holiday)|away (?:from|until|till|on)|travel(?:l)?ing|business trip|off work|"
    r"not in the office|out of town|limited access|no access|without access|offline|"
    r"at (?:a |the )?(?:conference|trade ?show|fair|workshop|training|summit|customer site|client site)|"
    r"attending (?:a |the )?(?:conference|trade ?show|fair|workshop|training|summit)|in meetings all day|"
    r"back (?:in|to) the office|return(?:ing)? to the office)\b", re.IGNORECASE)
# the Chinese absence words also name times ("假期前要定稿", "放假前"): a notice says who is away
# or for how long ("我休假", "休假中", "期间", "至12月5日")
_PERSONAL_RE = re.compile(r"我|本人|目前|现在|現在|正在|正|中|期间|期間|至|到|\d|回来后|回來後|"
                          r"\b(?:i|i'm|i am|i will|currently|until|till|through|this week|next week|from)\b",
                          re.IGNORECASE)
_TIME_REF_RE = re.compile(r"(?:休假|假期|放假|出差|请假|請假|年假|节|節)(?:之|以)?前")
# a clause about the past, or about the day of the meeting, is the person's explanation, not a notice
_NOT_NOW_RE = re.compile(
    r"上周|上週|上个月|上個月|昨天|前几天|前幾天|前天|刚才|剛才|之前|那天|当天|當天|届时|屆時|那时|那時|"
    r"\b(?:last week|yesterday|was|were|that day|on the day)\b", re.IGNORECASE)
_PERIOD_RE = re.compile(
    r"至|到|期间|期間|之前|以前|前|返回|回来|回來|回到|\d\s*回|返|[-–—~～]|"
    r"\b(?:until|till|through|from|back|return(?:ing)?)\b", re.IGNORECASE)

_HANDLING_RE = re.compile(
    r"邮件|郵件|来信|來信|信件|回复|回覆|答复|答覆|处理|處理|联系|聯繫|聯絡|联络|致电|致電|电话|電話|来电|來電|急事|急件|"
    r"紧急|緊急|要事|转交|轉交|代为|代為|"
    r"\b(?:e-?mails?|messages?|respond|reply|replies|get back|contact|urgent|reach|call|forward(?:ed)?|"
    r"assistance|attention|delay(?:ed)? response)\b", re.IGNORECASE)

_AUTO_SELF_RE = re.compile(r"自动回复|自動回覆|自动答复|自動答覆|自动应答|自動應答|"
                           r"\b(?:automatic(?:ally)? (?:reply|response|generated)|auto-?reply|automated)\b",
                           re.IGNORECASE)
_COURTESY_RE = re.compile(
    r"^(?:您好|你好|大家好|hi|hello|dear \w+|谢谢|謝謝|多谢|多謝|感谢|感謝|thanks?(?: you)?(?: for (?:your|the) [\w-]+)?|"
    r"抱歉|不好意思|sorry|敬请谅解|敬請見諒|见谅|見諒|不便之处敬请谅解|给您带来不便|帶來不便|"
    r"(?:best |kind )?regards|best|cheers)\W*$", re.IGNORECASE)
_DATE_ONLY_RE = re.compile(
    r"^[\s\d/.\-–—~～至到年月日号號()（）:：,，周週星期一二三四五六日天"
    r"a-z]{0,40}$", re.IGNORECASE)
_MONTHS_DAYS_RE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|mon|tue|wed|thu|fri|sat|"
                             r"sun)[a-z]*\b\.?", re.IGNORECASE)

# a phone number, an extension or an address given for urgent matters: "分機 221", "+86 139 1700 2231"
_CONTACT_ONLY_RE = re.compile(
    r"^(?:(?:分機|分机|转|轉|电话|電話|手机|手機|座机|tel|phone|mobile|ext\.?|e-?mail|邮箱|郵箱)\s*[:：]?\s*)?"
    r"(?:[+\d][\d\s\-()]{1,20}\d|\S+@\S+)$", re.IGNORECASE)

_WORD3_RE = re.compile(r"[a-z]{3,}", re.IGNORECASE)

_CLAUSE_SPLIT_RE = re.compile(r"[。！!？?；;，,\n]+|\.(?:\s+|$)|:\s+|：")


def _clauses(text: str) -> list[str]:
    return [c.strip(" \t\"'“”‘’()（）【】[]-—") for c in _CLAUSE_SPLIT_RE.split(text) if c.strip()]


def _date_only(c: str) -> bool:
    rest = _MONTHS_DAYS_RE.sub(" ", c)
    return bool(_DATE_ONLY_RE.match(rest)) and not _WORD3_RE.search(rest)


def out_of_office(text: str) -> bool:
    """The new text is an out-of-office notice and says nothing about the task (see the module doc)."""
    t = (text or "").strip()
    if not t or len(t) > _MAX_CHARS or _STATUS_RE.search(t):
        return False
    absent = handled = periods = False
    for c in _clauses(t):
        if _TIME_REF_RE.search(c):
            return False  # "放假前给你": a deadline, so an answer
        if _ABSENCE_RE.search(c) and _PERSONAL_RE.search(c) and not _NOT_NOW_RE.search(c):
            absent = True
            periods = periods or bool(_PERIOD_RE.search(c))
            handled = handled or bool(_HANDLING_RE.search(c))
        elif _AUTO_SELF_RE.search(c):
            absent = handled = True
        elif _HANDLING_RE.search(c) and not _NOT_NOW_RE.search(c):
            handled = True
        elif _COURTESY_RE.match(c) or _date_only(c) or _CONTACT_ONLY_RE.match(c):
            continue
        else:
            return False  # a clause about something else: a person wrote this
    return absent and (handled or periods)


# --------------------------------------------------------------------------------------------
# bounces

_BOUNCE_OPENING_RE = re.compile(
    r"无法送达|無法送達|未能送达|未能送達|送达失败|送達失敗|无法投递|無法投遞|投递失败|投遞失敗|无法传递|無法傳遞|"
    r"无法将邮件传递|無法將郵件傳遞|无法发送到|無法發送到|发送失败|發送失敗|被退回|退信|系统退信|"
    r"\b(?:undeliverable|undelivered|could ?n[o']t be delivered|could not be delivered|was not delivered|"
    r"delivery (?:has )?failed|delivery (?:status notification|failure)|failed to deliver|unable to deliver|"
    r"delivery to the following recipients? failed|mail delivery (?:failed|subsystem|system)|returned mail|"
    r"non-?delivery|permanent (?:fatal )?errors?|this is the mail system at host|i'm sorry to have to inform you)\b",
    re.IGNORECASE)
_BOUNCE_REASON_RE = re.compile(
    r"\b[245]\.\d{1,3}\.\d{1,3}\b|\b(?:550|551|552|553|554|450|451|452|421)\b|"
    r"diagnostic|remote server returned|generating server|reporting-mta|final-recipient|"
    r"\bsaid:|user unknown|mailbox (?:unavailable|full|not found)|no such user|recipient (?:address )?rejected|"
    r"诊断信息|診斷資訊|退信原因|失败原因|失敗原因|错误代码|錯誤代碼|收件人(?:地址|邮箱)?不存在|邮箱已满|郵箱已滿|邮箱空间已满",
    re.IGNORECASE)


_ADDRESS_RE = re.compile(r"[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63})+")


def bounce(text: str) -> bool:
    """A plain-text delivery failure notice (see the module doc)."""
    t = (text or "").strip()
    if not t:
        return False
    opening = "\n".join([ln for ln in t.split("\n")[:12] if ln.strip()][:6])
    body = t[:20000]
    # a notice names the address that failed; a person who mentions "退信 … 550" in passing does not
    return bool(_BOUNCE_OPENING_RE.search(opening) and _BOUNCE_REASON_RE.search(body) and _ADDRESS_RE.search(body))
