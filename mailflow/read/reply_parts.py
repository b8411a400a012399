"""Parts of a reply that are not its intent: numbered answers, a stand-in's or new owner's name,
and the reason given (原因：… / 因为… / because …). All positions are in the matching copy
(reply_lexicon.normalize), names and reasons are sliced from the original text."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from mailflow.read.reply_lexicon import CUE_RE, N as _N, W as _W, WE as _WE
from mailflow.read.zh import cn_number

__all__ = ["Marker", "item_markers", "proxy", "assignee", "find_reason", "clean", "STRIP", "loose_reason"]

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
    r"(?:谢谢|多谢|感谢|辛苦)[^,;。!?\n]{0,8}|麻烦了?|thanks?\b.{0,40}|thank you.{0,40}|regards|best(?: regards)?|cheers|sorry|不好意思|抱歉|请知悉|请查收|"
    r"请审核|如下|[\d\s./-]{0,40}")
STRIP = " \t\r\n,;。!?、:.：，；！？\"'"


def find_reason(norm: str, start: int, end: int) -> tuple[int, int] | None:
    m = _REASON_RE.search(norm, start, end)
    if not m:
        return None
    g = "ltext" if m.group("ltext") is not None else "ctext"
    a, b = m.start(g), m.end(g)
    # 原因：… runs to the end of the sentence, unless a later clause asks for something
    # ("原因：供应商未到货，申请延期到12月5日").
    comma = norm.find(",", a, b)
    if comma >= 0:
        cue = CUE_RE.search(norm, comma + 1, b)
        if cue:
            b = norm.rfind(",", a, cue.start())
    b = _drop_thanks(norm, a, b)
    return (m.start(), b) if b > a else None


def clean(text: str) -> str:
    return text.strip(STRIP)


# --------------------------------------------------------------------------------------------
# Items

_ITEM_WORD_RE = re.compile(
    rf"(?:第\s*(?P<di>{_N})\s*(?:项任务|项|个任务|件|个|行)"
    rf"|(?:任务|事项|行动项|待办|议题|{_W}task|{_W}item|{_W}action item|{_W}no\.?|#)\s*(?P<wi>{_N}))"
    r"\s*[:.、)\-]?\s*")
_ITEM_NUM_RE = re.compile(
    r"(?:[(\[【]\s*)?(?P<nums>(?:\d{1,2}|[①-⑳])(?:\s?[、和及&]\s?(?:\d{1,2}|[①-⑳])){0,9})\s*"
    r"(?:[)\]】]\s*|[.、:\-]\s*|\s+|(?=[^\W\d_]))"
    # "2、12月9日前完成": a numbered answer that opens with a date (a date's digits, not a count)
    r"(?:(?<=[)\]】.、:\-\s])(?=\d{1,2}\s*月\s*\d{1,2}\s*[日号])|"
    r"(?!%|/|\d(?!\d{0,2}(?:\.\d+)?\s*%)|(?:天|日|月|号|周|个|点|年|小时|分钟|人|次|项|条|版|期|元|万|千|百|十|倍|页|份|位|场)"
    r"|(?:days?|weeks?|hours?|months?|pm|am|th|st|nd|rd|people|percent|pct|min)\b))")
_ITEM_NUMBER_RE = re.compile(r"\d{1,2}|[①-⑳]")
_STRONG_BEFORE = set(";。!?\n")
_WEAK_BEFORE = set(",、)")


@dataclass
class Marker:
    start: int
    end: int
    numbers: list[int]


# a number inside a count (3 of 4, 2 out of 5, 2/5) counts things; it numbers no answer
_COUNT_BEFORE = re.compile(r"(?<![a-z])(?:of|out of)\s*$|\d\s*/\s*$")
_COUNT_FROM = re.compile(r"\d+\s*(?:(?:of|out of)\s+\d|/\s*\d)")


def item_markers(norm: str) -> list[Marker]:
    found: list[Marker] = []
    for m in _ITEM_WORD_RE.finditer(norm):
        raw = m.group("di") or m.group("wi")
        n = cn_number(raw)
        if n:
            found.append(Marker(m.start(), m.end(), [n]))
    covered = [mk.end for mk in found]          # word markers do not overlap each other
    starts = [mk.start for mk in found]
    for m in _ITEM_NUM_RE.finditer(norm):
        i = bisect.bisect_right(starts, m.start()) - 1
        if i >= 0 and m.start() < covered[i]:
            continue
        nums = [cn_number(x) for x in _ITEM_NUMBER_RE.findall(m.group("nums"))]
        if all(nums):
            found.append(Marker(m.start(), m.end(), [n for n in nums if n]))
    found.sort(key=lambda mk: mk.start)
    # A marker must start the text or follow a separator. After ";。!?" or a line break it counts
    # on its own; after a comma or a space only when there are other markers ("1 done, 2 wip").
    strong: list[Marker] = []
    weak: list[Marker] = []
    reach = -1
    for mk in found:
        if mk.start < reach:
            continue
        if _COUNT_BEFORE.search(norm, max(0, mk.start - 8), mk.start) or _COUNT_FROM.match(norm, mk.start):
            continue                            # "3 of 4 sections" / "2/5": a count, not item numbers
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
    return [mk for mk in out if mk.end < len(norm) and norm[mk.end:].strip(STRIP)]


# --------------------------------------------------------------------------------------------
# Stand-ins (代理人)

_ZH_NAME = r"[\u4e00-\u9fff·]{2,10}?"
_EMAIL = r"(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8}"
_EN_NAME = r"(?<![a-z'@.])[a-z][a-z'-]{1,30}(?: [a-z][a-z'-]{1,30})?"
# a name followed by more words ("Priya from today"): the second word must not be a preposition
_EN_NAME_SHORT = (r"(?<![a-z'@.])(?!(?:from|on|next|this|starting|monday|tuesday|wednesday|thursday|friday|"
                  r"saturday|sunday|today|tomorrow|then|so|and|he|she|they|it|we|i)(?![a-z]))[a-z][a-z'-]{1,30}"
                  r"(?: (?!(?:from|on|to|for|as|and|starting|next|this|today|tomorrow|now|will|is|takes?|taking|owns?|handles?)(?![a-z]))[a-z][a-z'-]{1,30})?")
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
    # whoever it is ("a a will attend on my behalf"), or nobody said ("will attend for me"): not the sender
    re.compile(r"(?P<name>(?:(?<![a-z'])[a-z][a-z'-]*\s+){0,3}?)(?:will|'ll|is going to|can)\s+"
               r"(?:attend|join|go|come|be there)[^,;.!?]{0,30}?(?:for me|on my behalf|in my place|in my stead)"
               r"(?![a-z])"),
]
# Words no name is made of: pronouns, determiners, indefinites and role nouns. "Someone / my deputy /
# 一位同事 will attend for me" says the sender is not coming, but names nobody the host could expect.
_NOT_NAME_WORDS = {"i", "he", "she", "we", "they", "it", "you", "me", "my", "our", "his", "her", "their", "your",
                   "a", "an", "the", "some", "any", "another", "other", "else", "one", "someone", "somebody",
                   "anyone", "anybody", "colleague", "colleagues", "deputy", "assistant", "team", "teammate",
                   "member", "staff", "person", "people", "boss", "manager", "report", "coworker", "co-worker"}
# words no stand-in's name is made of: verbs and adverbs of a request (请确认是否参加, 请准时参加)
_NO_PERSON_ZH = re.compile(r"确认|确定|是否|能否|可否|准时|务必|及时|按时|尽快|记得|提前|回复|告知|通知|大家|各位")
_NOT_NAME_ZH = re.compile(r"^本人$|我|谁|有人|别人|某人|其他|其它|同事|[一某][位个名]|助理|下属|手下|组员|人员|大家|你们|他们")


def _names_someone(value: str) -> bool:
    """Whether a stand-in or new owner as written is a person's name (or email), not "someone"."""
    if len(value) < 2:
        return False
    if value.isascii():
        return not any(w in _NOT_NAME_WORDS for w in re.split(r"[\s.]+", value.lower()) if w)
    return not _NOT_NAME_ZH.search(value)
_HAN_NAME_RE = re.compile(r"[\u4e00-\u9fff·]+")
_NAME_PREFIX = re.compile(r".*(?:部门|部|组|处|室|中心|团队|的|同事|同学|经理|领导)(?=.{2,})")


def proxy(orig: str, norm: str) -> tuple[str | None, tuple[int, int]] | None:
    """The stand-in's name (as written) or email, and the span of the phrase naming them. A stand-in
    who is nobody in particular ("someone will attend for me", 有人代我参加) gives (None, span): the
    sender still is not coming. A stand-in phrase with nothing before it ("will attend for me")
    gives ("", span): who attends was not said, so the caller asks."""
    unnamed: tuple[None, tuple[int, int]] | None = None
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
            if _NO_PERSON_ZH.search(norm[a:b]):
                continue                    # "请确认是否参加 / 请大家准时参加": asked of the reader, no stand-in
            if "@" in value or _names_someone(value):
                return value, m.span()
            if unnamed is None:
                unnamed = (None if value else "", m.span())
    return unnamed




# --------------------------------------------------------------------------------------------
# A new owner (handover: 改由小李负责 / 已经转给李明了 / please reassign to Tom)

_ASSIGNEE_RES = [
    re.compile(rf"(?:改由|改成由|换成由|交由|转交给?|转给|移交给?|交接给|改派给?|转派给?|由)\s*(?P<name>{_EMAIL}|[\u4e00-\u9fff·]{{2,10}}?|"
               rf"[a-z][a-z .'-]{{0,30}}?)\s*(?:来|去)?\s*(?:负责|跟进|跟|处理|接手|接管|对接|做|办|了|吧|啦|啊|[,;。!?]|$)"),
    # 我交咗畀阿强跟 / 已交给市场部的何静处理 / 我安排李雷来做 / 换人负责：林志豪
    re.compile(r"(?:交|转)(?:咗|了)?(?:给|畀|俾)\s*(?P<name>[\u4e00-\u9fff·]{2,10}?)\s*(?:来|去)?\s*"
               r"(?:负责|跟进|跟|处理|做|接手|了|咗|喇|啦|吧|[,;。!?]|$)"),
    re.compile(r"(?:让|安排|叫|派)\s*(?P<name>[\u4e00-\u9fff·]{2,4}?)\s*(?:去|来)\s*(?:做|负责|跟进|处理|跟)"),
    re.compile(rf"换人(?:负责|跟进)?\s*[:：]?\s*(?P<name>{_EMAIL}|[\u4e00-\u9fff·]{{2,4}}|{_EN_NAME})"),
    re.compile(r"请?找\s*(?P<name>[\u4e00-\u9fff·]{2,10}?)\s*(?:[,;。!?]|$)"),
    # 把任务交给冯国栋 / 让李明接手 / 以后李明负责
    re.compile(r"把[^,;。!?\n]{0,8}?交给\s*(?P<name>[\u4e00-\u9fff·]{2,4}?)\s*(?:来|去)?\s*(?:负责|跟进|处理|做|办|了|吧|[,;。!?]|$)"),
    re.compile(r"(?:(?:后面|后续|以后|之后|今后|往后)就?交给|归)\s*(?P<name>[\u4e00-\u9fff·]{2,4}?)\s*(?:来)?\s*(?:管|负责|了|吧|[,;。!?]|$)"),
    re.compile(r"(?:让|叫|找)\s*(?P<name>[\u4e00-\u9fff·]{2,4}?)\s*(?:来)?\s*(?:接手|接管)"),
    re.compile(r"(?:以后|今后|后续|往后)(?:这个|这件事|这块|此事)?\s*(?P<name>[\u4e00-\u9fff·]{2,4}?)\s*(?:来)?\s*(?:负责|跟进|来跟)"),
    re.compile(rf"{_W}(?:hand|pass)(?:ed|ing|es|s)? (?:it|this|that)(?: on| over)? to\s+(?P<name>{_EMAIL}|{_EN_NAME_SHORT})"),
    re.compile(r"应该?是\s*(?P<name>[\u4e00-\u9fff·]{2,4}?)\s*的"),
    re.compile(rf"{_W}(?:reassign\w*|assign(?:ed|ing)?|hand(?:ed|ing)? (?:it |this |that )?over|transferr?(?:ed|ing)? (?:it |this )?)\s*(?:it |this )?"
               rf"to\s+(?P<name>{_EMAIL}|{_EN_NAME})"),
    re.compile(rf"(?P<name>{_EMAIL}|(?<![\u4e00-\u9fff])[\u4e00-\u9fff·]{{2,4}}|{_EN_NAME_SHORT})\s*(?:(?:will|'ll|is going to|is)\s+)?"
               rf"(?:tak(?:e|es|ing) (?:it |this |that )?over|take (?:it|this|that) from here|own|handle|take care of|look after|cover)"),
    re.compile(r"(?P<name>(?<![\u4e00-\u9fff])[\u4e00-\u9fff·]{2,4})\s*(?:来|会)?\s*(?:接手|接管)"),
]


def assignee(orig: str, norm: str) -> str | None:
    """The new owner's name as written, for a handover."""
    for rx in _ASSIGNEE_RES:
        for m in rx.finditer(norm):
            a, b = m.span("name")
            raw = norm[a:b]
            a += len(raw) - len(raw.lstrip())
            b -= len(raw) - len(raw.rstrip())
            if _HAN_NAME_RE.fullmatch(norm[a:b]):
                p = _NAME_PREFIX.match(norm[a:b])
                if p:
                    a += p.end()
            value = _capitalised_tail(orig[a:b].strip())
            if _names_someone(value):
                return value
    return None


def _capitalised_tail(value: str) -> str:
    """'forward Raj' -> 'Raj': a name written with capitals starts at its first capital word."""
    words = value.split()
    if value.isascii() and any(w[:1].isupper() for w in words):
        while words and not words[0][:1].isupper():
            words.pop(0)
    return " ".join(words)


_WORD_RE = re.compile(r"[a-z]+")


def pleasantry(piece: str) -> bool:
    """Greetings, thanks and the like (nothing about the task)."""
    return bool(_PLEASANTRY.fullmatch(piece.strip(STRIP)))


def informative(piece: str) -> bool:
    """Enough words to say something (4 Chinese characters or 3 English words)."""
    cjk = sum(1 for c in piece if "\u4e00" <= c <= "\u9fff")
    return cjk >= 4 or len(_WORD_RE.findall(piece)) >= 3


def loose_reason(orig: str, norm: str, spans: list[tuple[int, int]]) -> str:
    """The clauses that carry no status, date or pleasantry, joined: for '需要推迟3天，供应商还没到货'
    the reason is '供应商还没到货'."""
    keep = []
    for a, b in spans:
        t = norm[a:b].strip(STRIP)
        if not t or _PLEASANTRY.fullmatch(t) or not informative(norm[a:b]):
            continue
        keep.append(clean(orig[a:b]))
    return "，".join(k for k in keep if k)
