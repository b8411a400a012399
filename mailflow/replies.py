"""Understanding a one-line reply: what the sender asks for (replies.classify).

Input is the sender's new text only (quotes and signatures are stripped by inbound/quotes). The
reader is a small lexicon + rules engine, pure and linear-time:

1. Normalise a *matching copy* of the text character by character (NFKC for full-width forms,
   Traditional -> Simplified for the characters the lexicon uses, lower case). Every character
   maps to exactly one character, so a match position in the copy is the same position in the
   original: names, reasons and dates are always sliced from what the sender wrote.
2. Split numbered answers ("1 已完成；3 延期到周五", "第2项进行中，50%", "任务二：done") into items.
3. In each part, find the reason span (原因：… / 因为… / because …) and keep it out of the
   intent scan, then scan for cues with one precompiled regex. Each cue has a kind; the kind says
   what it means plain and what it means negated (未完成 -> progress, 无法完成 -> risk,
   无法按时完成 -> delay, 不参加 -> decline, 不同意 -> objection, 尚未确认 -> tentative,
   没有风险 -> nothing). Negation is a negator at most 10 characters (3 English words) before the
   cue, in the same clause, not inside an earlier cue.
4. The intent is the strongest one found, in the order of PRECEDENCE: what the sender asks for
   beats a plain acknowledgement ("确认，但需要延期到12月5日" is a delay; "好的，已完成" is done).
5. Percent (60%, 百分之六十, 六成, 一半, 三分之二) adjusts it: 100 -> done, done below 100 ->
   progress, an acknowledgement with a percent -> progress.

Decisions (see also the tests):
- Several items: the overall intent is the items' common intent, UNKNOWN when they differ;
  percent/due/reason then come from the first item, and are empty when mixed.
- ``due`` is only read for a delay (the date asked for), from the text after the delay cue and
  outside the reason. ``due_vague`` is True for a delay without a usable date (延期，时间待定,
  申请延期, ASAP).
- 完成 without 已/了 and with a future marker (周五前完成, 会按时完成, will complete) is a
  commitment: CONFIRM, not DONE. 已完成初稿 / 完成一半 / 基本完成 are progress.
- "第N条" is a minutes clause (纪要第2条有误 is an objection), not an item number; items are
  numbered 1/1./1、/(1)/①, 第N项, 任务N, item N, #N.
- A stand-in (由王五代参会, 王五 will attend for me) is a decline with ``proxy``.
- 未开始 / not started is progress with percent 0.
- A relative delay (推迟3天, push back 3 days) gets ``due`` counted from ``now`` by dates.py; the
  Deadline itself is kept in ``deadline`` so the caller can re-anchor it with dates.apply_delay.
- ``reason`` is the text after 原因/理由/因为/由于/because/due to; without such a marker, for a
  delay, risk, objection or decline, the clauses that carry no cue and are not pleasantries
  ("需要推迟3天，供应商还没到货" -> "供应商还没到货").
- Questions are read as requests: "可以延期到12月3日吗" is a delay; 能不能/可不可以 never negate.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from mailflow import dates
from mailflow.model import Intent

__all__ = ["ItemReading", "Reading", "ReplyContext", "classify", "context_from_quote", "reading_to_json",
           "PRECEDENCE"]


@dataclass(frozen=True)
class ReplyContext:
    """What the reader knows about the mail being answered.

    due: the task's current due date; asked: what mailflow's own mail asked ("new_date", "percent",
    "confirm", "rsvp", "verify", "minutes"; None = unknown); kind: "task" | "meeting" | "minutes"."""
    due: date | None = None
    asked: str | None = None
    kind: str | None = None


@dataclass
class ItemReading:
    item: int
    intent: Intent
    percent: int | None = None
    due: date | None = None
    reason: str = ""
    due_vague: bool = False
    deadline: dates.Deadline | None = None     # as found; dates.apply_delay re-anchors 推迟3天
    sure: bool = False


@dataclass
class Reading:
    intent: Intent
    percent: int | None = None
    due: date | None = None
    due_vague: bool = False
    reason: str = ""
    proxy: str | None = None
    items: list[ItemReading] = field(default_factory=list)
    calendar_gap: bool = False
    text: str = ""
    # The delay's deadline as dates.find_deadline found it. For a relative shift (推迟3天) `due`
    # counts from `now`; the caller re-anchors it on the task's due with dates.apply_delay.
    deadline: dates.Deadline | None = None
    sure: bool = False                  # only an unambiguous reading may change a task or an RSVP
    why: list[str] = field(default_factory=list)   # short English evidence lines
    question: bool = False              # the text asks something
    assignee: str | None = None         # REASSIGN: the new owner's name as written


# Strongest first: what the sender asks for wins over a report, a report over an acknowledgement.
PRECEDENCE = (
    Intent.DELAY, Intent.DECLINE, Intent.OBJECTION, Intent.RISK,
    Intent.PROGRESS, Intent.DONE, Intent.TENTATIVE, Intent.CONFIRM,
)
_RANK = {intent: i for i, intent in enumerate(PRECEDENCE)}

# --------------------------------------------------------------------------------------------
# Normalisation (one character in, one character out)

# Traditional -> Simplified, only for characters that occur in the lexicon, names of units and
# separators. Pairs: traditional, simplified.
_T2S_PAIRS = (
    "確确認认參参會会與与異异議议進进處处遲迟風风險险無无還还沒没請请須须錯错誤误對对週周個个"
    "項项務务題题點点條条設设計计產产門门幫帮協协調调經经謝谢說说預预為为來来給给實实現现狀状"
    "態态暫暂訂订準准備备擬拟啟启動动開开發发測测試试儘尽盡尽當当結结級级數数據据總总幾几兩两"
    "號号貨货傳传轉转達达後后長长寬宽順顺辦办難难決决斷断問问聯联際际節节將将從从們们這这裡里"
    "麼么樣样嗎吗禮礼讓让託托執执續续繼继礙碍緊紧資资員员壓压賴赖體体補补遺遗刪删應应該该寫写"
    "間间時时衝冲場场約约趕赶過过萬万億亿於于舉举負负責责領领導导層层頭头電电話话郵邮鏈链專专"
    "爭争隨随視视況况屆届較较劃划滿满畢毕網网線线佈布單单驗验審审檢检饋馈復复複复錄录絕绝謂谓"
    "歸归稱称讀读閱阅悉悉備备極极辭辞缺缺席席帶带決决議议誤误認认稿稿阻阻卡卡塞塞擱搁滯滞緩缓"
    "換换歲岁邊边廠厂區区組组處处團团隊队門门協协內内討讨論论糾纠換换陣阵僅仅錶表鐘钟點点"
    "紀纪瞭了許许鑒鉴遞递質质評评簽签蓋盖並并證证權权煩烦夠够編编階阶輪轮綱纲見见別别贊赞"
)
_T2S = dict(zip(_T2S_PAIRS[0::2], _T2S_PAIRS[1::2]))
_EXTRA = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u3000": " ", "\uff5e": "~",
          "\u00a0": " ", "\u2014": "-", "\u2013": "-", "\uff0e": "."}
_CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}      # ① .. ⑳
_NORM_CACHE: dict[str, str] = {}


def _norm_char(c: str) -> str:
    got = _NORM_CACHE.get(c)
    if got is not None:
        return got
    out = _EXTRA.get(c) or _T2S.get(c)
    if out is None:
        out = c
        if c not in _CIRCLED:
            n = unicodedata.normalize("NFKC", c)
            if len(n) == 1:
                out = n
        low = out.lower()
        if len(low) == 1:
            out = low
        out = _T2S.get(out, out)
    _NORM_CACHE[c] = out
    return out


def _normalize(text: str) -> str:
    return "".join(_norm_char(c) for c in text)


# --------------------------------------------------------------------------------------------
# Numbers

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}


def _cn_int(s: str) -> int | None:
    """'60' / '六十' / '八十五' / '百' / '一百' / '②' -> int."""
    s = s.strip()
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s)
    if len(s) == 1 and s in _CIRCLED:
        return _CIRCLED[s]
    total, cur = 0, 0
    for ch in s:
        if ch in _CN_DIGIT:
            cur = _CN_DIGIT[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        elif ch.isdigit():
            cur = cur * 10 + int(ch)
        else:
            return None
    return total + cur


_CN_NUMS = "零〇一二两三四五六七八九十百"

# --------------------------------------------------------------------------------------------
# The lexicon. Patterns run on the normalised copy (Simplified, lower case, ASCII punctuation).
# Groups are tried in this order at each position, so specific phrases come before general ones.

_N = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"   # a small number in digits or Chinese
_NS = r"[^,;。!?\n:\s]"                           # a character inside a clause
_W = r"(?<![a-z'])"                               # English word start
_WE = r"(?![a-z])"                                # English word end

_KINDS: list[tuple[str, str]] = [
    # apologies and phrases that contain cue words but ask for nothing
    ("noise", r"抱歉(?:回复)?(?:晚了|迟了|延误)|不好意思(?:回复)?(?:晚了|迟了)|"
              rf"{_W}(?:sorry for (?:the )?(?:delay(?:ed)?|late) (?:reply|response)|sorry for the delay|"
              rf"no rush){_WE}"),
    # explicit "no objection / no problem" (before 有问题 / 异议 / problem)
    ("noobj", r"准确无误|正确无误|无误|没有?错误?|无异议|没有?异议|无意见|没有?意见|没有?问题|没毛病|没啥问题|"
              rf"{_W}(?:no objections?|no problems?|not a problem|no worries|no issues?){_WE}"),
    # not started yet -> progress 0
    ("notstarted", r"(?:还|尚|都)?(?:未|没有?)(?:开始|启动|动工)|"
                   rf"{_W}(?:not (?:yet )?started|haven't (?:yet )?started|have not started|not begun){_WE}"),
    # uncertainty
    ("tent", r"不确定(?:能否|是否|能不能|会不会)?(?:参加|参会|出席|到场|与会)?|不一定|说不准|说不好|不好说|"
             r"不知道|不清楚|待定|未定|暂定|看情况|视情况|到时候?再说|再说吧|稍后确认|晚点确认|晚些确认|"
             r"再确认|待确认|尚待确认|再说(?!明)|看看时间|确认不了|确定不了|定不下来|说不定|还不能确定|(?:尽量|争取)(?:参加|参会|出席|到场|赶到)|"
             rf"{_W}(?:tentative(?:ly)?(?: accept(?:ed)?)?|not sure|unsure|tbd|tbc|to be confirmed|"
             rf"to be determined|will try|(?:i'll|i will) try|try to|if possible|don't know|do not know){_WE}"),
    # declining a meeting
    ("decl", r"请假|缺席|出差|休假|年假|病假|婚假|来不了|去不了|到不了|(?:参加|参会|出席|与会|过去)不了|"
             r"赶不过去|时间冲突|有冲突|冲突了|另有安排|有别的安排|有其他安排|另有会议|有别的会|没空|没时间参加|"
             r"无暇|不便参加|婉拒|谢绝|不能来|没法来|无法前来|来不了|不来了|"
             rf"{_W}(?:(?:can't|cannot|can not|won't|will not|unable to|not able to)(?: be able to)? make it|"
             rf"declin(?:e|ed|es|ing)|regrets?|on leave|out of office|schedule conflict|conflict|will miss|"
             rf"(?:won't|can't|cannot|will not) be there){_WE}"),
    # minutes objections that name a clause: 纪要第2条有误 / 第3点不对
    ("objx", rf"第\s*{_N}\s*(?:条|点|处|段){_NS}{{0,8}}?(?:有问题|问题|有误|不太?对|错|不太?准确|不太?正确|需修改|要修改|要改|需补充|要补充)"),
    # risk phrases that start like progress or delay words
    ("riskx", r"进度(?:落后|滞后|延误)|(?:延期|延误|延迟|逾期)风险|落后于?计划|"
              rf"{_W}(?:delay risk|risk of (?:delay|slipping)|behind schedule|falling behind){_WE}"),
    # partial completion and ongoing work -> progress
    ("partial", r"已?经?完成了?(?:初稿|草稿|初版|一稿|一版|大纲|框架|原型|一部分|部分|大部分|大半|一半|过半|"
                r"第[一二三四五六七八九十\d]+(?:阶段|部分|版|稿|步|轮|期|个))|完成了?(?:一半|过半|大半|大部分|部分)|"
                r"基本上?完成|(?<!尽)快要?完成|即将完成|接近完成|差不多完成|大体完成|初步完成|部分完成|大部分完成|"
                r"(?:尚|还)在进行|进行中|进行当中|处理中|推进中|开发中|测试中|跟进中|执行中|实施中|修改中|编写中|修复中|"
                r"设计中|整理中|准备中|排查中|沟通中|协调中|对接中|联调中|优化中|制作中|撰写中|"
                r"在做|在弄|在处理|在写|在改|在跟进|在推进|在开发|在测试|在进行|正在|进度|进展|已开始|开始做了|"
                r"已启动|按计划进行|正常推进|一切正常|进展顺利|顺利推进|正常进行|还差|还剩|"
                rf"待{_NS}{{1,8}}?(?:对接|确认|反馈|回复|审核|审批|提供|配合|评审|签字|盖章|到货)|"
                rf"等待?{_NS}{{1,8}}?(?:对接|确认|反馈|回复|审核|审批|提供|评审|到货)|"
                rf"{_W}(?:in[- ]progress|working on|ongoing|on-going|wip|on track|halfway|half[- ]done|"
                rf"almost (?:done|finished|complete)|nearly (?:done|finished|complete)|mostly (?:done|finished)|"
                rf"partially (?:done|finished)|partly (?:done|finished)|under ?way|progressing|making progress|"
                rf"started|waiting (?:on|for)|progress){_WE}"),
    # delay requests
    ("delay", r"延期|延后|延迟|延误|推迟|推后|(?:往|向)后推|顺延|延长|宽限|展期|改期|延到|推到|改到|调整到|调到|"
              r"挪到|晚[一两二三四五六七八九十\d]+天|晚几天|晚一点交|晚点交|晚些交|多给?[一两二三四五六七八九十几\d]+天|"
              rf"{_W}(?:postpon\w*|delay\w*|push(?:ed|ing)? (?:it |this |that )?(?:back|out|to)|extend\w*|"
              rf"extension|reschedul\w*|more time|more days|need (?:it )?(?:until|till)|a few more days|slip\w*|move (?:it |this )?to|miss (?:the )?deadline){_WE}"),
    # risk and blockers
    ("risk", r"有风险|存在风险|风险|卡住了?|卡在|卡壳|阻塞|受阻|被阻|堵住|停滞|搁置|有困难|有难度|遇到困难|遇到问题|"
             r"有问题|出问题|暂停|搞不定|完不成|做不完|做不了|完成不了|搞不了|干不了|赶不完|来不及|赶不上|跟不上|缺人手?|人手不足|资源不足|"
             rf"(?:需要?|请求?|希望|急需|求){_NS}{{0,8}}?(?:支持|协助|帮助|帮忙|支援|介入|协调|配合)|"
             rf"{_W}(?:blocked|blocker|blocking|stuck|at risk|risky|risks?|need (?:some )?(?:help|support|input|"
             rf"assistance)|needs? help|running late|escalat\w*){_WE}"),
    # objections
    ("obj", r"有异议|异议|反对|需修改|需要修改|要修改|请修改|建议修改|应修改|需更正|请更正|更正|纠正|有误|有错|错了|"
            r"写错|不太?对|不太?正确|不太?准确|不一致|有出入|遗漏|漏了|漏掉|需补充|要补充|请补充|补充一下|补充一点|应为|应是|"
            rf"{_W}(?:objections?|object to|disagree\w*|incorrect|inaccurate|not (?:correct|accurate|right)|wrong|"
            rf"typo|mistake|should (?:be|read)(?! (?:done|finished|completed|ready|fine|ok|good|there))|please (?:fix|correct|amend|change|update)|"
            rf"needs? (?:to be )?(?:changed|corrected|revised|fixed|amended)){_WE}"),
    # agreement: negated it is an objection (不同意, 不接受, don't agree)
    ("agree", r"同意|赞同|赞成|认可|接受|可以|行的|"
              rf"{_W}(?:agree[ds]?|accept(?:ed|s)?|approved?|lgtm|sounds good|looks good|fine (?:with|by)){_WE}"),
    # confirmation: negated it is tentative (尚未确认, 不能确认)
    ("confirm", rf"确认|确定|{_W}confirm(?:ed|s|ing)?{_WE}"),
    # attendance: negated it is a decline (不参加, 无法参加, won't attend)
    ("attend", r"参加|参会|出席|与会|到场|"
               rf"{_W}(?:attend(?:ing)?|join(?:ing)?|be there|count me in|see you there|i'll come|will come|"
               rf"(?:can |could |will |'ll )?make it){_WE}"),
    # completed (past): negated -> progress / risk / delay
    ("done", r"已经?(?:全部|都|提前|按时|如期|准时)?(?:完成|做完|弄完|搞完|写完|改完|交付|提交|上线|发布|部署|发送|"
             r"发出|发给|上传|修复|解决|处理完|处理好|处理|搞定|办完|办好|做好|弄好|交了|发了|寄出|"
             r"发(?:邮件|到|过去))|均已完成|都已完成|全部完成了?|"
             r"完成了|做完了|弄完了|搞完了|写完了|改完了|搞定了|交付了|提交了|上线了|发布了|发出了|发过去了|处理完了?|"
             r"办完了|做好了|弄好了|搞好了|处理好了|完工|完毕|竣工|✅|"
             rf"{_W}(?:done|completed|finished|delivered|submitted|shipped|deployed|resolved|fixed|closed){_WE}"),
    # bare 完成 / complete: done, or a commitment when the clause speaks of the future
    ("finish", rf"完成(?![度率情时日后期])|交付|提交|做完|弄完|写完|改完|搞完|搞定|{_W}(?:complete|finish){_WE}"),
    # acknowledgement
    ("ack", r"已?收到|已阅|已读|已?知悉|知道了|明白|了解|好的|好滴|好嘞|好哒|好呀|好吧|嗯嗯|"
            rf"👍|👌|{_W}(?:ok(?:ay)?|okk|noted|got it|received|roger|sure|will do|yes|yep|yeah|"
            rf"acknowledged|copy that){_WE}"),
    # hedges: make an acceptance or decline tentative
    ("hedge", rf"(?<!不)可能|也许|或许|大概|{_W}(?:maybe|perhaps|possibly|probably|might){_WE}"),
]

# kind -> (plain intent, negated intent or None)
_MEANING: dict[str, tuple[Intent | None, Intent | None]] = {
    "noise": (None, None),
    "noobj": (Intent.CONFIRM, None),
    "notstarted": (Intent.PROGRESS, None),
    "tent": (Intent.TENTATIVE, None),
    "decl": (Intent.DECLINE, None),
    "objx": (Intent.OBJECTION, Intent.OBJECTION),
    "riskx": (Intent.RISK, None),
    "partial": (Intent.PROGRESS, Intent.RISK),       # 没有进展 -> risk
    "delay": (Intent.DELAY, None),                    # 不需要延期 -> nothing
    "risk": (Intent.RISK, None),                      # 没有风险 -> nothing
    "obj": (Intent.OBJECTION, Intent.CONFIRM),        # 没有错误 -> fine
    "agree": (Intent.CONFIRM, Intent.OBJECTION),
    "confirm": (Intent.CONFIRM, Intent.TENTATIVE),
    "attend": (Intent.CONFIRM, Intent.DECLINE),
    "done": (Intent.DONE, Intent.PROGRESS),
    "finish": (Intent.DONE, Intent.PROGRESS),
    "ack": (Intent.CONFIRM, None),
    "hedge": (Intent.TENTATIVE, None),
}

_CUE_RE = re.compile("|".join(f"(?P<{kind}>{pat})" for kind, pat in _KINDS))

# A negator before a cue: Chinese within 10 characters, English within 3 words.
_NEG_ZH = re.compile(
    r"(?:(?P<modal>无法|不能够?|没法|没办法|没能|未能|难以|不可能|做不到|不会)"
    r"|(?P<plain>尚未|还未|还没有?|并未|并没有?|从未|没有|没|未(?!来|必)|无需|无须|"
    r"不(?!过|错|少|久|但|仅|管|论|好意思|客气|然|如|妨|只|光|断)|无(?!论)))"
    r"(?P<gap>[^,;。!?\n]{0,10})$")
_NEG_EN = re.compile(
    r"(?<![a-z'])(?:(?P<modal>cannot|can't|can not|couldn't|could not|unable to|not able to|won't be able to)"
    r"|(?P<plain>not|never|no|yet to|without|no longer|\w+n't))"
    r"(?P<gap>(?:\s+[a-z']+){0,3})\s*$")
_A_NOT_A = re.compile(r"(能|可|是|会|要|行|有|用|需)[不没]\1")
_ONTIME_AFTER = re.compile(r"\s*(?:on time|in time|by the deadline|before the deadline|按时|按期|如期)")
_ONTIME = re.compile(r"按时|按期|如期|准时|及时|前|之前|以前|内|on time|in time|by |before|deadline")
# The future, for bare 完成 (a commitment) and for English participles ("will be done").
_FUTURE_ZH = re.compile(r"会|将|能|可以|预计|预期|计划|争取|准备|打算|要|应该|估计|尽快|尽量|保证|确保|按时|"
                        r"如期|准时|前|之内|以内|内|明天|明日|后天|下周|下个|月底|年底|周[一二三四五六日天]|"
                        r"星期|礼拜|\d+\s*[月日号]|今天|今晚|晚上|下午|上午")
_FUTURE_EN = re.compile(rf"'ll{_WE}|{_W}(?:will|shall|going to|gonna|plan(?:ning)? to|expect(?:ing)? to|should|"
                        rf"hope to|aim to){_WE}")
_FUTURE_EN_AFTER = re.compile(r"\s+(?:by|before|within|tomorrow|next|later|soon)\b")

_WHOLE_ACK = re.compile(r"好|行|可|妥|中|成|是的?|对的?|嗯{1,5}|k|y|ok")
_WHOLE_DONE = re.compile(r"(?:都|已经?|全)?(?:好了|ok了|妥了)")
_BLANK = " \t\r\n!.。~"


def _trim(norm: str, a: int, b: int) -> tuple[int, int]:
    while a < b and norm[a] in _BLANK:
        a += 1
    while b > a and norm[b - 1] in _BLANK:
        b -= 1
    return a, b
_SEP = re.compile(r"[,;。!?\n、:]|\.(?=\s|$)")

# --------------------------------------------------------------------------------------------
# Percent

_PCT_RE = re.compile(
    r"(?P<num>\d{1,3}(?:\.\d+)?)\s*(?:%|percent(?![a-z])|pct(?![a-z]))"
    rf"|(?P<cnpct>[{_CN_NUMS}]{{1,6}})\s*%"
    rf"|百分之\s*(?P<baifen>[{_CN_NUMS}\d]+)"
    r"|(?P<frac_d>[一二三四五六七八九十\d]{1,4})\s*分之\s*(?P<frac_n>[一二三四五六七八九十\d]{1,4})"
    r"|(?P<cheng>[一二两三四五六七八九十]|(?<!\d)\d)\s*成(?![功本员果立熟为绩长品型交])"
    r"|进度\s*:?\s*(?P<jindu>\d{1,3})(?![\d.%]|\s*(?:天|日|月|号|个|周|年|小时))"
    rf"|(?P<half>一半|过半|半数|{_W}half(?:way)?{_WE})")


def _percent(norm: str, start: int, end: int, masks: list[tuple[int, int]]) -> int | None:
    for m in _PCT_RE.finditer(norm, start, end):
        if any(a <= m.start() < b for a, b in masks):
            continue
        value: float | None = None
        if m.group("num"):
            value = float(m.group("num"))
        elif m.group("cnpct"):
            value = _cn_int(m.group("cnpct"))
        elif m.group("baifen"):
            value = _cn_int(m.group("baifen"))
        elif m.group("frac_d"):
            d, n = _cn_int(m.group("frac_d")), _cn_int(m.group("frac_n"))
            value = 100.0 * n / d if d and n is not None and n <= d else None
        elif m.group("cheng"):
            c = _cn_int(m.group("cheng"))
            value = c * 10 if c is not None else None
        elif m.group("jindu"):
            value = float(m.group("jindu"))
        elif m.group("half"):
            value = 50
        if value is not None and 0 <= value <= 100:
            return int(round(value))
    return None


# --------------------------------------------------------------------------------------------
# Reasons

_REASON_RE = re.compile(
    r"(?P<label>(?:原因|理由|缘由|{w}reason(?:s)?{we})\s*(?:是|为|:)?\s*)(?P<ltext>[^;。!?\n]+)"
    r"|(?P<conj>(?:因为|由于|鉴于|因(?!此|而|素)|{w}(?:because(?: of)?|due to|owing to|as a result of){we})\s*)"
    r"(?P<ctext>[^,;。!?\n]+)".format(w=_W, we=_WE))
_THANKS = ("谢谢", "多谢", "感谢", "辛苦了", "辛苦", "麻烦了", "麻烦", "thanks", "thank you", "thx")


def _drop_thanks(norm: str, a: int, b: int) -> int:
    """The end of norm[a:b] without trailing 谢谢 / thanks (a loop, not a backtracking regex)."""
    while True:
        e = b
        while e > a and norm[e - 1] in " \t\r\n,!.。~":
            e -= 1
        word = next((w for w in _THANKS if norm.startswith(w, e - len(w)) and e - len(w) >= a), None)
        if word is None:
            return b
        b = e - len(word)
_PLEASANTRY = re.compile(      # fullmatch on a trimmed clause
    r"[^,;。!?\n\s]{0,5}好|大家好|您好|你好|hi\b.{0,40}|hello\b.{0,40}|dear\b.{0,40}|谢谢|多谢|感谢|辛苦了?|"
    r"麻烦了?|thanks?\b.{0,40}|thank you.{0,40}|regards|best(?: regards)?|cheers|sorry|不好意思|抱歉|请知悉|请查收|"
    r"请审核|如下|[\d\s./-]{0,40}")
_STRIP = " \t\r\n,;。!?、:.：，；！？\"'"


def _find_reason(norm: str, start: int, end: int) -> tuple[int, int] | None:
    m = _REASON_RE.search(norm, start, end)
    if not m:
        return None
    g = "ltext" if m.group("ltext") is not None else "ctext"
    a, b = m.start(g), m.end(g)
    # 原因：… runs to the end of the sentence, unless a later clause asks for something
    # ("原因：供应商未到货，申请延期到12月5日").
    comma = norm.find(",", a, b)
    if comma >= 0:
        cue = _CUE_RE.search(norm, comma + 1, b)
        if cue:
            b = norm.rfind(",", a, cue.start())
    b = _drop_thanks(norm, a, b)
    return (m.start(), b) if b > a else None


def _clean(text: str) -> str:
    return text.strip(_STRIP)


# --------------------------------------------------------------------------------------------
# Items

_ITEM_WORD_RE = re.compile(
    rf"(?:第\s*(?P<di>{_N})\s*(?:项任务|项|个任务|件|个|行)"
    rf"|(?:任务|事项|行动项|待办|议题|{_W}task|{_W}item|{_W}action item|{_W}no\.?|#)\s*(?P<wi>{_N}))"
    r"\s*[:.、)\-]?\s*")
_ITEM_NUM_RE = re.compile(
    r"(?:[(\[【]\s*)?(?P<nums>(?:\d{1,2}|[①-⑳])(?:\s?[、和及&]\s?(?:\d{1,2}|[①-⑳])){0,9})\s*"
    r"(?:[)\]】]\s*|[.、:\-]\s*|\s+|(?=[^\W\d_]))"
    r"(?![\d%/]|(?:天|日|月|号|周|个|点|年|小时|分钟|人|次|项|条|版|期|元|万|千|百|十|倍|页|份|位|场)"
    r"|(?:days?|weeks?|hours?|months?|pm|am|th|st|nd|rd|people|percent|pct|min)\b)")
_ITEM_NUMBER_RE = re.compile(r"\d{1,2}|[①-⑳]")
_STRONG_BEFORE = set(";。!?\n")
_WEAK_BEFORE = set(",、")


@dataclass
class _Marker:
    start: int
    end: int
    numbers: list[int]


def _item_markers(norm: str) -> list[_Marker]:
    found: list[_Marker] = []
    for m in _ITEM_WORD_RE.finditer(norm):
        raw = m.group("di") or m.group("wi")
        n = _cn_int(raw)
        if n:
            found.append(_Marker(m.start(), m.end(), [n]))
    covered = [mk.end for mk in found]          # word markers do not overlap each other
    starts = [mk.start for mk in found]
    for m in _ITEM_NUM_RE.finditer(norm):
        i = bisect.bisect_right(starts, m.start()) - 1
        if i >= 0 and m.start() < covered[i]:
            continue
        nums = [_cn_int(x) for x in _ITEM_NUMBER_RE.findall(m.group("nums"))]
        if all(nums):
            found.append(_Marker(m.start(), m.end(), [n for n in nums if n]))
    found.sort(key=lambda mk: mk.start)
    # A marker must start the text or follow a separator. After ";。!?" or a line break it counts
    # on its own; after a comma or a space only when there are other markers ("1 done, 2 wip").
    strong: list[_Marker] = []
    weak: list[_Marker] = []
    reach = -1
    for mk in found:
        if mk.start < reach:
            continue
        i = mk.start - 1
        while i >= 0 and norm[i] in " \t\r":
            i -= 1
        before = norm[i] if i >= 0 else ""
        if before == "" or before in _STRONG_BEFORE:
            strong.append(mk)
        elif before in _WEAK_BEFORE or i < mk.start - 1:
            weak.append(mk)
        else:
            continue
        reach = mk.end
    out = sorted(strong + weak, key=lambda mk: mk.start) if strong or len(weak) >= 2 else []
    # A lone bare number that is followed by nothing is not an item list.
    return [mk for mk in out if mk.end < len(norm) and norm[mk.end:].strip(_STRIP)]


# --------------------------------------------------------------------------------------------
# Stand-ins (代理人)

_ZH_NAME = r"[\u4e00-\u9fff·]{2,10}?"
_EMAIL = r"(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8}"
_EN_NAME = r"(?<![a-z'@.])[a-z][a-z'-]{1,30}(?: [a-z][a-z'-]{1,30})?"
_ATTEND_ZH = r"(?:参加|参会|出席|与会|开会|去)"
_PROXY_RES = [
    re.compile(rf"由\s*(?!于)(?P<name>{_EMAIL}|{_ZH_NAME}|[a-z][a-z .'-]{{0,30}}?)\s*"
               rf"(?:代为|代替|代表|代理|代|替)?(?:我|本人)?\s*{_ATTEND_ZH}"),
    re.compile(rf"(?:让|请|叫|安排|委托|派|指派|授权)\s*(?P<name>{_EMAIL}|{_ZH_NAME}|[a-z][a-z .'-]{{0,30}}?)\s*"
               rf"(?:代为|代替|代表|代理|代|替)(?:我|本人)?\s*{_ATTEND_ZH}?"),
    re.compile(rf"(?:^|(?<=[\s,;。!?:、]))(?P<name>{_EMAIL}|{_ZH_NAME}|[a-z][a-z .'-]{{0,30}}?)\s*"
               rf"(?:代为|代替我|代表我|代我|替我|代)\s*{_ATTEND_ZH}"),
    re.compile(rf"(?:让|请|叫|安排|委托|派)\s*(?P<name>{_EMAIL}|{_ZH_NAME})\s*(?:去|参加|参会|出席|与会)"),
    re.compile(rf"(?:代理人|代参人|代会人|{_W}proxy|{_W}stand-in|{_W}standin|{_W}delegate|{_W}substitute)\s*"
               rf"(?:是|为|:|is|will be)?\s*(?P<name>{_EMAIL}|[\u4e00-\u9fff·]{{2,4}}|{_EN_NAME})"),
    re.compile(rf"(?P<name>{_EMAIL}|(?<![\u4e00-\u9fff])[\u4e00-\u9fff·]{{2,4}}|{_EN_NAME})\s*(?:will|'ll|is going to|can|is)\s+(?:attend|join|go|come|"
               rf"be there|attending|joining)[^,;.!?]{{0,30}}?(?:for me|on my behalf|in my place|instead|in my stead)"),
    re.compile(rf"(?P<name>{_EMAIL}|{_EN_NAME})\s+(?:will|'ll|can)\s+(?:stand in|sit in|take my place|cover)"),
    re.compile(rf"{_W}(?:sending|send)\s+(?P<name>{_EMAIL}|{_EN_NAME})\s+(?:instead|in my place|on my behalf)"),
]
_NOT_NAMES = {"i", "he", "she", "we", "they", "someone", "somebody", "it", "you", "me", "my colleague",
              "colleague", "我", "本人", "他", "她", "同事", "别人", "其他人", "我们", "大家", "你们", "他们"}
_HAN_NAME_RE = re.compile(r"[\u4e00-\u9fff·]+")
_NAME_PREFIX = re.compile(r".*(?:部门|部|组|处|室|中心|团队|的|同事|同学|经理|领导)(?=.{2,})")


def _proxy(orig: str, norm: str) -> tuple[str, tuple[int, int]] | None:
    """The stand-in's name (as written) or email, and the span of the phrase naming them."""
    for rx in _PROXY_RES:
        for m in rx.finditer(norm):
            a, b = m.span("name")
            name = norm[a:b].strip()
            if "@" in name:
                return name, m.span()
            if _HAN_NAME_RE.fullmatch(name):
                p = _NAME_PREFIX.match(name)
                if p and not name.endswith(("经理", "领导")):
                    a += p.end()
            else:
                trimmed = norm[a:b]
                a += len(trimmed) - len(trimmed.lstrip())
                b -= len(trimmed) - len(trimmed.rstrip())
            value = orig[a:b].strip()
            if value and value.lower() not in _NOT_NAMES and len(value) >= 2:
                return value, m.span()
    return None


# --------------------------------------------------------------------------------------------
# Reading one part (the whole text, or one numbered item)

@dataclass
class _Part:
    intent: Intent
    percent: int | None
    due: date | None
    due_vague: bool
    reason: str
    calendar_gap: bool
    deadline: dates.Deadline | None = None


def _cues(norm: str, start: int, end: int, masks: list[tuple[int, int]]):
    """([(kind, match, intent) for every cue in norm[start:end] outside masks], clause separators)."""
    seps = [m.start() for m in _SEP.finditer(norm, start, end)]
    prev_end = start
    out = []
    hedge_clauses: set[int] = set()
    for m in _CUE_RE.finditer(norm, start, end):
        if any(a <= m.start() < b for a, b in masks):
            continue
        kind = m.lastgroup
        assert kind is not None
        i = bisect.bisect_right(seps, m.start() - 1)
        clause_start = seps[i - 1] + 1 if i else start
        lo = max(clause_start, prev_end)
        prefix = norm[max(lo, m.start() - 24):m.start()]
        plain, negated = _MEANING[kind]
        intent = plain
        prefix = _A_NOT_A.sub("?", prefix)            # 能不能 / 可不可以 / 有没有 ask, they do not negate
        neg = _NEG_ZH.search(prefix) or _NEG_EN.search(prefix)
        if neg and kind not in ("objx",):
            intent = negated
            if kind in ("done", "finish"):
                if _ONTIME.search(neg.group("gap") or "") or _ONTIME_AFTER.match(norm, m.end()):
                    intent = Intent.DELAY
                elif neg.group("modal"):
                    intent = Intent.RISK
        elif kind == "finish" or (kind == "done" and "a" <= m.group()[0] <= "z"):
            before = norm[max(clause_start, m.start() - 40):m.start()]
            after = norm[m.end():m.end() + 16]
            future = _FUTURE_EN.search(before) or _FUTURE_EN_AFTER.match(after)
            if kind == "finish" and _FUTURE_ZH.search(before):
                future = True
            if future:
                intent = Intent.CONFIRM
        if kind == "hedge":
            hedge_clauses.add(clause_start)
        elif intent in (Intent.CONFIRM, Intent.DECLINE) and clause_start in hedge_clauses:
            intent = Intent.TENTATIVE
        prev_end = m.end()
        out.append((kind, m, intent))
    # a clause that is only 好 / 行 / 嗯 / OK (an acknowledgement) or 好了 / OK了 (it is ready)
    bounds = [start] + [s + 1 for s in seps] + [end + 1]
    cue_starts = [m.start() for _, m, _ in out]
    for a, b in zip(bounds, bounds[1:]):
        k = bisect.bisect_left(cue_starts, a)
        if k < len(cue_starts) and cue_starts[k] < b:
            continue
        ta, tb = _trim(norm, a, b - 1)
        if tb - ta > 6:
            continue
        if whole := _WHOLE_DONE.fullmatch(norm, ta, tb):
            out.append(("done", whole, Intent.DONE))
        elif whole := _WHOLE_ACK.fullmatch(norm, ta, tb):
            out.append(("ack", whole, Intent.CONFIRM))
    return out, seps


def _read_part(orig: str, norm: str, start: int, end: int, now: datetime, cal: Any,
               proxy: tuple[int, int] | None) -> _Part:
    reason_span = _find_reason(norm, start, end)
    masks = [reason_span] if reason_span else []
    cues, seps = _cues(norm, start, end, masks)
    if not cues and masks:
        masks = []
        cues, seps = _cues(norm, start, end, masks)
    # a hedge (可能, maybe) makes an acceptance tentative, and is tentative on its own
    hedges = [i for k, _, i in cues if k == "hedge"]
    real = [i for k, _, i in cues if i is not None and k != "hedge"] + ([Intent.DECLINE] if proxy else [])
    if real:
        intent = min(real, key=_RANK.__getitem__)
        if intent is Intent.CONFIRM and hedges:
            intent = Intent.TENTATIVE
    elif any(i is not None for i in hedges):
        intent = Intent.TENTATIVE
    else:
        intent = Intent.UNKNOWN

    percent = _percent(norm, start, end, masks)
    if any(k == "notstarted" and i is Intent.PROGRESS for k, _, i in cues) and percent is None \
            and intent is Intent.PROGRESS:
        percent = 0
    if percent is not None:
        if percent == 100 and intent in (Intent.PROGRESS, Intent.DONE, Intent.CONFIRM, Intent.UNKNOWN):
            intent = Intent.DONE
        elif percent < 100 and intent in (Intent.DONE, Intent.CONFIRM, Intent.UNKNOWN):
            intent = Intent.PROGRESS

    reason = ""
    if reason_span:
        reason = _clean(orig[reason_span[0]:reason_span[1]])
        m = _REASON_RE.match(norm, reason_span[0], reason_span[1])
        if m:
            g = "ltext" if m.group("ltext") is not None else "ctext"
            reason = _clean(orig[m.start(g):reason_span[1]])
    elif intent in (Intent.DELAY, Intent.RISK, Intent.OBJECTION, Intent.DECLINE):
        reason = _loose_reason(orig, norm, start, end, seps, cues, proxy)

    due: date | None = None
    due_vague = False
    gap = False
    if intent is Intent.DELAY:
        first = min((m.start() for _, m, i in cues if i is Intent.DELAY), default=start)
        stop = end
        if reason_span and reason_span[0] > first:
            stop = reason_span[0]
        dl = None
        if stop > first:
            chunk = orig[first:stop]
            dl = dates.find_deadline(chunk, now, cal)
            if dl is None and norm[first:stop] != chunk:
                dl = dates.find_deadline(norm[first:stop], now, cal)
        if dl is not None:
            due = None if dl.vague else dl.due
            gap = bool(dl.calendar_gap)
        due_vague = due is None
        return _Part(intent, percent, due, due_vague, reason, gap, dl)
    return _Part(intent, percent, due, due_vague, reason, gap)


def _loose_reason(orig, norm, start, end, seps, cues, proxy) -> str:
    """Clauses without cues, dates or pleasantries: '需要推迟3天，供应商还没到货' -> '供应商还没到货'."""
    bounds = [start] + [s + 1 for s in seps] + [end + 1]
    spans = sorted(m.span() for _, m, _ in cues)
    starts = [a for a, _ in spans]
    keep = []
    for a, b in zip(bounds, bounds[1:]):
        b -= 1
        k = bisect.bisect_left(starts, a)
        if (k < len(starts) and starts[k] < b) or (k > 0 and spans[k - 1][1] > a):
            continue
        if proxy and proxy[0] < b and a < proxy[1]:
            continue
        ta, tb = _trim(norm, a, b)
        if _PLEASANTRY.fullmatch(norm, ta, tb) or not _informative(norm[a:b]):
            continue
        keep.append(_clean(orig[a:b]))
    return "，".join(k for k in keep if k)


_WORD_RE = re.compile(r"[a-z]+")


def _informative(piece: str) -> bool:
    cjk = sum(1 for c in piece if "\u4e00" <= c <= "\u9fff")
    words = len(_WORD_RE.findall(piece))
    return cjk >= 4 or words >= 3


# --------------------------------------------------------------------------------------------
# Public API

def _drop_trailing_quote(text: str) -> str:
    """Ignore a stray quoted tail ("> …" lines at the end); the quote stripper removes the rest."""
    lines = text.strip().split("\n")
    while lines and (lines[-1].lstrip().startswith(">") or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines).strip()


def context_from_quote(full_text: str) -> ReplyContext:
    """Skeleton: the due line of a quoted mailflow mail (截止日期：2026-12-09 / Due: 2026-12-09)."""
    m = re.search(r"(?:截止日期|Due)\s*[:：]\s*(\d{4})-(\d{2})-(\d{2})", full_text or "")
    due = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    return ReplyContext(due=due, kind="task" if due else None)


def classify(text: str, now: datetime, cal: Any = None, context: ReplyContext | None = None) -> Reading:
    """Skeleton until the clause reader lands: today's reading, sure when it found an intent."""
    r = _classify(text, now, cal)
    r.sure = r.intent is not Intent.UNKNOWN
    for it in r.items:
        it.sure = it.intent is not Intent.UNKNOWN
    return r


def _classify(text: str, now: datetime, cal: Any = None) -> Reading:
    """Read the sender's new text. `now` anchors relative dates (the mail's Date); `cal` is a
    dates.WorkCalendar (None: the default calendar)."""
    text = _drop_trailing_quote(text or "")
    norm = _normalize(text)
    assert len(norm) == len(text)
    found = _proxy(text, norm)
    proxy, proxy_span = found if found else (None, None)

    markers = _item_markers(norm)
    if not markers:
        part = _read_part(text, norm, 0, len(norm), now, cal, proxy_span)
        return Reading(intent=part.intent, percent=part.percent, due=part.due, due_vague=part.due_vague,
                       reason=part.reason, proxy=proxy, items=[], calendar_gap=part.calendar_gap, text=text,
                       deadline=part.deadline)

    items: list[ItemReading] = []
    gap = False
    pending: list[int] = []                 # "第1项、第2项已完成": an empty item shares the next one's answer
    for k, mk in enumerate(markers):
        end = markers[k + 1].start if k + 1 < len(markers) else len(norm)
        if k + 1 < len(markers) and not norm[mk.end:end].strip(_STRIP + "和及与&"):
            pending += mk.numbers
            continue
        part = _read_part(text, norm, mk.end, end, now, cal, None)
        gap = gap or part.calendar_gap
        for n in pending + mk.numbers:
            items.append(ItemReading(item=n, intent=part.intent, percent=part.percent, due=part.due,
                                     reason=part.reason, due_vague=part.due_vague, deadline=part.deadline))
        pending = []
    kinds = {it.intent for it in items}
    if len(kinds) == 1:
        first = items[0]
        return Reading(intent=first.intent, percent=first.percent, due=first.due, due_vague=first.due_vague,
                       reason=first.reason, proxy=proxy, items=items, calendar_gap=gap, text=text,
                       deadline=first.deadline)
    return Reading(intent=Intent.UNKNOWN, proxy=proxy, items=items, calendar_gap=gap, text=text)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def reading_to_json(reading: Reading | None) -> dict:
    """The fields of `mailflow explain --json` that the reader owns (None: a mail that is no answer,
    e.g. an auto-reply, gives nulls)."""
    if reading is None:
        return {"intent": None, "percent": None, "due": None, "proxy": None, "items": [], "why": [], "sure": False}
    return {
        "intent": reading.intent.value if reading.intent else None,
        "percent": reading.percent,
        "due": _iso(reading.due),
        "proxy": reading.proxy,
        "items": [{"item": it.item, "intent": it.intent.value, "percent": it.percent, "due": _iso(it.due)}
                  for it in reading.items],
        "why": list(reading.why),
        "sure": reading.sure,
    }
