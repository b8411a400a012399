"""Where a reply's new text ends and its signature begins, by the shape of the lines. Pure, no I/O.

A signature is what a client or a person appends under every mail; it never answers anything.
Its parts are recognised by their form, not by a list of particular strings:

* a tagline: a short line saying what the mail was sent from ("发自我的iPhone", "Sent from my
  Galaxy"): its own grammar, in taglines;
* a signature block: the last lines of the text, under the message, made of a person's name,
  job title / department lines, contact lines (a label such as 手机/電話/Tel/M/E/邮箱/微信 with a
  number or an address, a bare phone number, a bare e-mail address, a bare web site), a postal
  address, a company name, separator rules, lines that join such parts with "|" or "·", and a
  slogan ("客户第一 · 说到做到 · 按时完成");
* a disclaimer: a paragraph about "this mail" in legal words (保密/機密/confidential/intended
  solely/误收/in error/删除/delete/免责).

A block is cut only when it carries its own evidence: a contact line, a disclaimer, the sender's
own name, or a line shaped like a Chinese personal name standing alone at the end. A line that
carries an answer (a status word, a percent, a date, a negation, a question) is never part of a
block, so "已完成\\n\\n李明" loses the name and "已完成\\n\\n周五前" keeps its date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

__all__ = ["Cut", "find_block", "is_disclaimer"]

# --------------------------------------------------------------------------------------------
# the Han characters a name is written in

_HAN = r"\u4e00-\u9fff"


# --------------------------------------------------------------------------------------------
# what a line of a signature looks like

# a line that says something about the task: it is never part of a signature
_STATUS_WORDS = (
    r"完成|完毕|完畢|搞定|搞掂|做好|交付|提交|进行|進行|进度|進度|延期|推迟|推遲|延后|延後|延迟|延遲|确认|確認|"
    r"收到|参加|參加|出席|同意|异议|異議|风险|風險|问题|問題|不|没|沒|未|无法|無法|已|好的|可以|行吗|吗|嗎|呢|吧|"
    r"[?？%％]|\b(?:done|finished|complete[d]?|confirm(?:ed)?|ok(?:ay)?|yes|no|not|will|can|cannot|can't|won't|"
    r"delay(?:ed)?|late|progress|wip|attend|join|decline|accept(?:ed)?|agree|risk|blocked|by|before|until|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|tonight|next|week)\b")
_DATE_WORDS = (
    r"\d+\s*[月号號日]|周[一二三四五六日天末]|週[一二三四五六日天末]|星期|礼拜|禮拜|明天|后天|後天|今天|"
    r"今晚|下周|下週|本周|本週|月底|月初|年底|节前|節前|节后|節後")
_STATUS_RE = re.compile(_STATUS_WORDS, re.IGNORECASE)
_ANSWER_RE = re.compile(_STATUS_WORDS + "|" + _DATE_WORDS, re.IGNORECASE)

_EMAIL_RE = re.compile(r"[\w.+\-']{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,8}")
_WEB_RE = re.compile(r"(?:https?://)?(?:www\.)?[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,6}/?", re.IGNORECASE)
_URL_WITH_PATH_RE = re.compile(r"https?://\S+/\S|www\.\S+/\S", re.IGNORECASE)
_PHONE_RE = re.compile(r"\+?\(?\d[\d \-().]{5,22}\d(?:\s*(?:转|轉|分機|分机|ext\.?|x|#)\s*\d{1,6})?", re.IGNORECASE)
_EXT_RE = re.compile(r"(?:分機|分机|转|轉|ext\.?|extension)\s*[:：]?\s*\d{2,6}\b", re.IGNORECASE)
_HANDLE_RE = re.compile(r"(?:微信|wechat|weixin|qq|skype|line|whatsapp|teams|钉钉|釘釘|飞书|飛書)\s*(?:id|号|號)?\s*[:：]\s*"
                        r"[A-Za-z0-9][\w.\-]{2,30}$", re.IGNORECASE)
_DATE_SHAPE_RE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
_CONTACT_LABEL_RE = re.compile(
    r"手机|手機|移动电话|行動電話|电话|電話|座机|座機|固话|传真|傳真|邮箱|郵箱|电邮|電郵|邮件|郵件|地址|微信|"
    r"qq|skype|line|whatsapp|wechat|tel|phone|mobile|mob|cell|fax|e-?mail|mail|web(?:site)?|addr(?:ess)?|"
    r"office|direct|hotline|热线|熱線|分機|分机|转|轉|ext|[mtefwpdo](?![a-z])",
    re.IGNORECASE)
_SEPARATORS_RE = re.compile(r"[\s|｜/／·•・,，;；:：\-–—_()（）\[\]【】<>.]+")

_ADDRESS_UNIT_RE = re.compile(r"[省市区區县縣镇鎮村路街道巷弄号號楼樓层層室座栋棟]|大厦|大廈|园区|園區|广场|廣場|中心")
_ADDRESS_EN_RE = re.compile(
    r"\b(?:road|rd|street|st|avenue|ave|boulevard|blvd|lane|floor|fl|suite|room|rm|building|bldg|tower|"
    r"plaza|district|park|drive|dr)\b\.?", re.IGNORECASE)

_ORG_SUFFIX_RE = re.compile(
    r"(?:部|处|處|科|室|组|組|中心|团队|團隊|事业部|事業部|分公司|公司|集团|集團|院|所|局|办公室|辦公室|办|辦|区|區|"
    r"经理|經理|总监|總監|主管|主任|专员|專員|工程师|工程師|设计师|設計師|分析师|分析師|会计|會計|顾问|顧問|助理|"
    r"秘书|秘書|总裁|總裁|董事|董事长|董事長|总经理|總經理|负责人|負責人|架构师|架構師|运营|運營|策划|策劃|实习生|"
    r"實習生|律师|律師|编辑|編輯|师|師|员|員|长|長|官|合伙人|合夥人|代表|讲师|講師|教授|博士|主播|方|课|課|队|隊|"
    r"厂|廠|店|站|线|線|开发|開發|测试|測試|设计|設計|运维|運維|销售|銷售|财务|財務|行政|法务|法務|采购|採購|人事|"
    r"客服|市场|市場|产品|產品|研发|研發|前端|后端|後端|实施|實施|交付)$")
_ROLE_EN_RE = re.compile(
    r"\b(?:manager|director|engineer|analyst|specialist|officer|lead|head|president|vp|svp|evp|ceo|cto|cfo|coo|"
    r"coordinator|assistant|designer|developer|consultant|architect|administrator|associate|representative|"
    r"executive|partner|intern|scientist|accountant|counsel|supervisor|department|dept|team|division|group|"
    r"unit|operations|marketing|sales|finance|hr|human resources|hardware|software|engineering|legal|"
    r"procurement|purchasing|r&d|it|pmo|apac|emea|china|asia|office|product|support|service|services|"
    r"ltd|inc|llc|gmbh|corp|corporation|company|co)\b\.?", re.IGNORECASE)
_COMPANY_RE = re.compile(
    r"(?:有限公司|股份公司|公司|集团|集團|\bltd\.?|\binc\.?|\bllc|\bgmbh|\bcorp(?:oration)?\.?|\bco\.,? ?ltd\.?)$",
    re.IGNORECASE)
_RULE_RE = re.compile(r"^[-_=—–~*·•]{3,}$")
_SENTENCE_END_RE = re.compile(r"[。！？!?；;…]$|[a-z]{2}\.$")

# the commonest Chinese surnames (simplified and traditional forms); two-character ones first
_COMPOUND_SURNAMES = ("欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "东方", "東方", "慕容", "令狐", "皇甫",
                      "尉迟", "尉遲", "公孙", "公孫", "夏侯", "长孙", "長孫", "宇文", "司徒", "端木", "澹台", "西门", "西門")
_SURNAMES = frozenset(
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林罗羅高郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖萧蕭田董袁潘"
    "于於蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈夏韦韋付傅方白邹鄒孟熊秦邱江尹薛闫閆段"
    "雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯常温溫康施文牛樊葛邢安齐齊易乔喬伍庞龐颜顏倪庄莊"
    "聂聶章鲁魯岳翟殷詹申欧歐耿关關兰蘭焦俞左柳甘祝包宁寧尚符舒阮柯纪紀梅童凌毕畢单單季裴霍涂塗成苗谷盛曲翁冉骆駱"
    "蓝藍路游辛靳管柴蒙鲍鮑华華喻祁蒲房滕屈饶饒解牟艾尤阳陽时時穆农農司卓古吉缪繆简簡车車项項连連芦蘆麦麥褚娄婁"
    "窦竇戚岑景党黨宫宮费費卜冷晏席卫衛米柏宗瞿桂全佟应應臧闵閔苟邬鄔边邊卞姬师師和仇栾欒隋商刁沙荣榮巫寇桑郎甄丛叢"
    "仲虞敖巩鞏明佘池乐樂匡戈")
# characters that make a short line a word, not a name ("周五", "王五代参会" are handled by _ANSWER_RE)
_NOT_IN_NAMES = frozenset("的了吗嗎呢吧啊哦呀么麼是在有和与與或及等们們这這那个個些好请請谢謝您你我他她它中上下前后後"
                          "代替负負责責转轉交让讓帮幫给給做去跟要会會")


_HAN_RE = re.compile(f"[{_HAN}]")
_HAN_RUN_RE = re.compile(f"[{_HAN}]+")
_HAN_OR_DIGIT_RE = re.compile(f"[{_HAN}0-9]")
_DIGIT_RE = re.compile(r"\d")
_LATIN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’\-]+")
_SQUASH_RE = re.compile(r"[\s·•・.,，'’\-()（）]")
_TRAILING_PARENS_RE = re.compile(r"[(（][^()（）]{0,20}[)）]$")
_WEB_LABEL_RE = re.compile(r"^(?:web(?:site)?|网址|網址|主页|主頁|官网|官網|w)\s*[:：]?\s*", re.IGNORECASE)
_ADDRESS_LABEL_RE = re.compile(r"^(?:地址|address|addr|add)\s*[:：]", re.IGNORECASE)


@dataclass(frozen=True)
class Cut:
    """A signature found at the end of a text: it starts at line `start`; `what` says what it is."""
    start: int
    what: str


def _squash(s: str) -> str:
    return _SQUASH_RE.sub("", s).lower()


def _han_name(s: str) -> bool:
    """s (2-4 Han characters) is shaped like a Chinese personal name."""
    if not 2 <= len(s) <= 4 or not _HAN_RUN_RE.fullmatch(s):
        return False
    if any(c in _NOT_IN_NAMES for c in s[1:]) or _ANSWER_RE.search(s):
        return False
    if s[:2] in _COMPOUND_SURNAMES:
        return len(s) in (3, 4)
    return s[0] in _SURNAMES and len(s) <= 3


_EN_WORD = r"[A-Z][a-z'’]{1,20}(?:-[A-Za-z][a-z'’]{1,20})?"
_EN_NAME_RE = re.compile(f"{_EN_WORD}(?: [A-Z]\\.?)?(?: (?:{_EN_WORD}|[A-Z][a-zA-Z'’]{{1,20}})){{1,2}}")


def _en_name(s: str) -> bool:
    return bool(_EN_NAME_RE.fullmatch(s)) and not _ANSWER_RE.search(s)


def _sender_tokens(sender_name: str) -> tuple[str, frozenset[str]]:
    name = sender_name.strip().strip("\"'")
    han = "".join(_HAN_RUN_RE.findall(name))
    latin = frozenset(t.lower() for t in _LATIN_WORD_RE.findall(name))
    return han, latin


def _is_sender(s: str, sender: tuple[str, frozenset[str]]) -> bool:
    han, latin = sender
    sq = _squash(s)
    if han and len(han) >= 2 and sq == han:
        return True
    if len(latin) < 2:
        return False
    toks = frozenset(t.lower() for t in _LATIN_WORD_RE.findall(s))
    return toks == latin and not _HAN_OR_DIGIT_RE.search(s)


def _titleish(seg: str) -> bool:
    """One segment of a title/department line: "品牌设计部", "高级视觉设计师", "Sales Director"."""
    seg = seg.strip()
    if not seg or len(seg) > 40 or _ANSWER_RE.search(seg):
        return False
    core = _TRAILING_PARENS_RE.sub("", seg).strip() or seg
    if _ORG_SUFFIX_RE.search(core) or _COMPANY_RE.search(core):
        return True
    return bool(_ROLE_EN_RE.search(seg)) and not _HAN_RE.search(seg)


_SEG_SPLIT_RE = re.compile(r"\s*[|｜/／·•・,，、]\s*|\s{2,}")


def _title_line(s: str) -> bool:
    if len(s) > 60:
        return False
    segs = [x for x in _SEG_SPLIT_RE.split(s) if x.strip()]
    if not segs:
        return False
    # "研发中心 Web组", "硬件部 验证组": segments joined by one space
    if len(segs) == 1 and " " in s and not _titleish(s):
        segs = s.split()
    return all(_titleish(x) for x in segs)


_HAN_HEAD_RE = re.compile(f"^([{_HAN}]{{2,4}})(?:\\s*[|｜/,，·]\\s*|\\s+)(.+)$")
_EN_HEAD_RE = re.compile(f"^({_EN_NAME_RE.pattern})\\s*[|｜/,，·]\\s*(.+)$")


def _name_line(s: str, sender) -> str | None:
    """"name" when the line is a person's name (optionally followed by a title), else None;
    "sender" when it is the sender's own name."""
    if len(s) > 60:
        return None
    if _is_sender(s, sender):
        return "sender"
    if _han_name(s):
        return "name"
    if _en_name(s):
        return "en-name"
    m = _HAN_HEAD_RE.match(s) or _EN_HEAD_RE.match(s)
    if not m:
        return None
    head, rest = m.group(1), m.group(2)
    if not _title_line(rest) and not _is_sender(rest, sender):
        # "张伟 Zhang Wei": a name in two scripts
        if not (_han_name(head) and _en_name(rest)):
            return None
    if _is_sender(head, sender):
        return "sender"
    if _han_name(head):
        return "name"
    if _en_name(head):
        return "en-name"
    return None


def _contact_line(s: str) -> bool:
    """A line of labels and contact values only: "手机/电话：138 1024 5567", "M: +852 2866 1077 | E: a@b.c"."""
    if len(s) > 120 or not _DIGIT_RE.search(s) and "@" not in s and ":" not in s:
        return False
    if _DATE_SHAPE_RE.search(s) or _URL_WITH_PATH_RE.search(s):
        return False
    rest, values = s, 0
    for rx in (_EMAIL_RE, _PHONE_RE):
        def drop(m, rx=rx):
            nonlocal values
            if rx is _PHONE_RE and sum(c.isdigit() for c in m.group(0)) < 7:
                return m.group(0)
            values += 1
            return " "
        rest = rx.sub(drop, rest)
    # an extension alone ("分机 8021") and a messenger handle ("微信：qdd_2026") are contacts too
    rest, k = _EXT_RE.subn(" ", rest)
    values += k
    rest, k = _HANDLE_RE.subn(" ", rest)
    values += k
    if not values:
        return False
    rest = _CONTACT_LABEL_RE.sub(" ", rest)
    return not _SEPARATORS_RE.sub("", rest)


def _web_line(s: str) -> bool:
    if "." not in s:
        return False
    s2 = _WEB_LABEL_RE.sub("", s)
    return " " not in s2 and bool(_WEB_RE.fullmatch(s2)) and "." in s2 and not s2.replace(".", "").isdigit()


def _address_line(s: str) -> str | None:
    """"labelled" for "地址：…" / "Address: …", "address" for a line shaped like a postal address."""
    if len(s) > 100:
        return None
    if _ADDRESS_LABEL_RE.match(s):
        return "labelled"
    if not _DIGIT_RE.search(s) or _STATUS_RE.search(s) or _SENTENCE_END_RE.search(s):
        return None
    if len(_ADDRESS_UNIT_RE.findall(s)) >= 3 or len(_ADDRESS_EN_RE.findall(s)) >= 1 and "," in s:
        return "address"
    return None


def _slogan_line(s: str) -> bool:
    """Three or more short parallel phrases joined by one separator: "客户第一 · 说到做到 · 按时完成"."""
    for sep in ("·", "•", "・", "|", "｜", "/", "、", "　", "  "):
        parts = [p.strip() for p in s.split(sep)]
        if len(parts) >= 3 and all(1 <= len(p) <= 16 and not _DIGIT_RE.search(p) for p in parts):
            lens = [len(p) for p in parts]
            return max(lens) <= 2 * min(lens) + 2
    return False


_SELF_RE = re.compile(r"本邮件|本郵件|此邮件|此郵件|该邮件|該郵件|本信|此信|本电子邮件|本電子郵件|"
                      r"this (?:e-?mail|message|communication|transmission)|the information (?:contained )?in",
                      re.IGNORECASE)
_LEGAL_RE = re.compile(r"保密|机密|機密|秘密|confidential|privileged|intended (?:solely|only)|仅限|僅限|仅供|僅供|"
                       r"误收|誤收|错收|錯收|in error|禁止|prohibited|删除|刪除|delete|destroy|disclos|免责|免責|"
                       r"不代表|does not represent|printing|打印", re.IGNORECASE)
_NOTICE_LABEL_RE = re.compile(r"^(?:保密声明|保密聲明|免责声明|免責聲明|法律声明|法律聲明|机密|機密|disclaimer|"
                              r"confidentiality notice|confidential(?:ity)?|legal notice|important notice)\s*[:：]",
                              re.IGNORECASE)


def is_disclaimer(paragraph: str) -> bool:
    """A paragraph of legal boilerplate about the mail itself."""
    p = paragraph.strip()
    if _NOTICE_LABEL_RE.match(p):
        return len(p) >= 10
    if len(p) < 20:
        return False
    return bool(_SELF_RE.search(p) and _LEGAL_RE.search(p)) and len(_LEGAL_RE.findall(p)) >= 2


# --------------------------------------------------------------------------------------------
# the block at the end

_MAX_BLOCK_LINES = 30
_STRONG = frozenset({"contact", "sender", "name", "disclaimer", "labelled-address"})
_CAN_OPEN = frozenset({"sender", "name", "en-name", "title", "company", "contact", "disclaimer",
                       "labelled-address", "rule"})


def _soft(s: str) -> bool:
    """A short line that says nothing about the task: it may be part of a signature."""
    return bool(s) and len(s) <= 30 and not _ANSWER_RE.search(s) and not _SENTENCE_END_RE.search(s) \
        and not _URL_WITH_PATH_RE.search(s)


def _kind(s: str, sender) -> str | None:
    """What a (normalised, non-empty) line of a signature is, or None when it may carry the message."""
    if len(s) > 160:
        return None  # a signature line is short; a long one is prose (disclaimers go by paragraph)
    if _RULE_RE.match(s):
        return "rule"
    if _contact_line(s):
        return "contact"
    if _web_line(s):
        return "web"
    a = _address_line(s)
    if a:
        return "labelled-address" if a == "labelled" else "address"
    latin_only = not _HAN_RE.search(s)
    if latin_only and not _is_sender(s, sender) and _title_line(s):
        return "title"  # "Sales Director" is shaped like a name too
    n = _name_line(s, sender)
    if n:
        return n
    if _SENTENCE_END_RE.search(s):
        return None
    if _COMPANY_RE.search(s) and len(s) <= 40 and not _ANSWER_RE.search(s):
        return "company"
    if _title_line(s):
        return "title"
    if _slogan_line(s):
        return "slogan"
    return _mixed_line(s, sender)


_PIPE_SPLIT_RE = re.compile(r"\s*[|｜·•・]\s*|\s{2,}|\t")


def _mixed_line(s: str, sender) -> str | None:
    """One line that joins signature parts: "张三 | 市场部 | 138-0000-0000", "Sales | T: +65 6789 1200"."""
    parts = [p for p in _PIPE_SPLIT_RE.split(s) if p]
    if len(parts) < 2 or len(s) > 120:
        return None
    kinds = []
    for p in parts:
        if _contact_line(p) or _web_line(p):
            kinds.append("contact")
        elif _titleish(p) or _han_name(p) or _en_name(p) or _is_sender(p, sender):
            kinds.append("title")
        else:
            return None
    return "contact" if "contact" in kinds else "title"


def _paragraphs(lines_n: list[str], end: int) -> Iterator[tuple[int, int]]:
    """(start, stop) of the non-blank runs of lines_n[:end], last first (lazily: the walk up
    usually stops after a paragraph or two, whatever the length of the text)."""
    i = end - 1
    while i >= 0:
        while i >= 0 and not lines_n[i]:
            i -= 1
        if i < 0:
            break
        stop = i + 1
        while i >= 0 and lines_n[i]:
            i -= 1
        yield i + 1, stop


def find_block(lines_n: list[str], sender_name: str = "") -> Cut | None:
    """The signature block (and disclaimers) at the end of the normalised new-text lines, or None.

    Walks up from the last line while lines look like parts of a signature, then keeps the block
    only when it opens with a name, a title, a contact or a disclaimer and holds a strong sign
    (contact, disclaimer, the sender's name, a lone Chinese name).
    """
    sender = _sender_tokens(sender_name or "")
    kinds: dict[int, str] = {}
    top = None           # index of the highest line accepted so far
    for start, stop in _paragraphs(lines_n, len(lines_n)):
        if stop - start <= 12 and is_disclaimer(" ".join(lines_n[start:stop])):
            for k in range(start, stop):
                kinds[k] = "disclaimer"
            top = start
            if len(kinds) > _MAX_BLOCK_LINES:
                return None
            continue
        broke = False
        k = stop - 1
        while k >= start:
            kind = _kind(lines_n[k], sender)
            if kind is None:
                # a title we cannot name ("高级Java开发", "Chief Happiness Officer") sits between the
                # name above it and the contact lines below: take up to two such lines
                named = None
                j = k
                while j >= start and j >= k - 2 and _soft(lines_n[j]):
                    j -= 1
                    if j >= start and _kind(lines_n[j], sender) in ("sender", "name", "en-name"):
                        named = j
                        break
                if named is not None:
                    for j in range(named + 1, k + 1):
                        kinds[j] = "title"
                    k = named
                    continue
                broke = True
                break
            kinds[k] = kind
            top = k
            k -= 1
            if len(kinds) > _MAX_BLOCK_LINES:
                return None  # a signature is a few lines; fifty "names" are a list the person wrote
        if broke:
            break
    if top is None:
        return None
    # the block must open with a line that can head a signature (not with a stray short phrase)
    idx = sorted(kinds)
    while idx and kinds[idx[0]] not in _CAN_OPEN:
        idx.pop(0)
    if not idx:
        return None
    top = idx[0]
    present = {kinds[k] for k in idx}
    # an English name alone is no evidence ("Sounds Good" is shaped like one); two Chinese names
    # and nothing else are a list of people, not a signature
    if not present & _STRONG:
        return None
    if present <= {"name", "rule"} and sum(1 for k in idx if kinds[k] == "name") > 1:
        return None
    if top > 0 and lines_n[top - 1]:
        # the block would start in the middle of a paragraph of the message: only under a name
        # that is surely one ("这个转给\n李明" keeps its 李明)
        if kinds[top] not in ("sender", "name", "en-name", "rule", "disclaimer"):
            return None
        if kinds[top] in ("name", "en-name") and "contact" not in present:
            return None
    if top == 0 and not ({"contact", "disclaimer"} & present and present & {"sender", "name", "en-name", "title"}
                         or present == {"disclaimer"}):
        return None  # everything would go: only when it is unmistakably a signature
    what = "disclaimer" if present == {"disclaimer"} else "signature"
    n = sum(1 for k in range(top, len(lines_n)) if lines_n[k])
    return Cut(top, f"{what} ({n} line{'s' if n != 1 else ''})")
