"""How minutes name people: one reference ("技术部-王", "李娜（市场部）", "@Leo", "陈怡君", "Finance team",
"恒信律师事务所张律师") -> who it is, through the directory (people.yaml).

Pure. A reference is one of:
- person:    exactly one directory member (by email, name, alias, department + name or surname, a name
             with its department in brackets, in either Chinese script);
- ambiguous: several members fit (李娜 alone, 技术部-王 with two 王 in 技术部);
- group:     a department, a team or "every department" — nobody in particular (no_owner);
- unknown:   a person who is not in the directory, or an outsider named with their organisation;
- empty:     待定, TBD, 无 — nobody written yet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..model import Person
from .people import Directory, fold

_CJK = "\u4e00-\u9fff\u3400-\u4dbf"

# "nobody yet": an owner field holding one of these names no one
EMPTY_REFS = {"", "无", "無", "暂无", "暫無", "-", "—", "--", "/", "／", "n/a", "na", "none", "tbd", "待定", "未定",
              "待确定", "待確定", "待确认", "待確認", "待补充", "待補充", "待指定", "待分配", "未指定", "（空）", "(空)", "空", "?", "？"}

# Words that make a name an organisation, or its member an outsider ("外包公司刘经理", "Mark Tan (external recruiter)")
_ORG = re.compile(
    r"公司|集团|集團|事务所|事務所|律所|外包|供应商|供應商|代理商|合作方|第三方|乙方|甲方|客户方|客戶方|顾问|顧問|会计师|會計師|律师|律師"
    r"|银行|銀行|研究院|协会|協會|工作室|中心（外|\b(?:external|outside|vendor|agency|contractor|consultant|recruiter|"
    r"partner|supplier|freelancer|ltd|inc|llc|co\.|corp\.?|gmbh)\b", re.I)
# Units of a company: a department, a team, "all departments"
_GROUP = re.compile(
    rf"^(?:各|全体|全體|所有|相关|相關|本|总部|總部)?[{_CJK}A-Za-z]{{0,10}}(?:部|处|處|科|室|组|組|中心|团队|團隊|小组|小組|委员会|委員會|办|辦|部门|部門)"
    r"(?:负责人|負責人|同事|全员|全員|主管|领导|領導|各位)?$"
    r"|^(?:各部门|各部門|各单位|各單位|各位|全员|全員|大家|所有人|相关人员|相關人員|项目组|項目組)(?:负责人|負責人)?$"
    r"|^(?:the\s+)?[a-z&/ ]{2,30}\s+(?:team|department|dept\.?|group|org|function)s?$"
    r"|^(?:all|everyone|all departments|each department|department heads|finance|legal|hr|marketing|sales|ops|"
    r"operations|engineering|design|product|it|customer service|support)$", re.I)
# A Chinese person's name: 2-3 characters (or a surname + a title such as 经理/律师/总)
_CN_NAME = re.compile(rf"^[{_CJK}]{{2,3}}$")
_EN_NAME = re.compile(r"^[A-Z][a-z]+(?:[ .\-][A-Z][a-z]+){0,2}$")
# English department words used in brackets after a name: "朱琳 (Design)", "徐静 (Legal)"
_DEPT_EN = {"design": "设计部", "legal": "法务部", "hr": "人力资源部", "finance": "财务部", "marketing": "市场部",
            "sales": "销售部", "product": "产品部", "ops": "运营部", "operations": "运营部", "tech": "技术部",
            "engineering": "技术部", "it": "技术部", "cs": "客服部", "customer service": "客服部", "ceo office": "总经办"}
# Notes in brackets that say nothing about who it is: "（视频）", "(TW)", "（视讯）"
_NOISE_NOTE = re.compile(r"^(?:视频|視頻|视讯|視訊|线上|線上|远程|遠程|电话|電話|tw|hq|cn|remote|online|video|代|兼)$", re.I)


@dataclass
class Ref:
    text: str
    kind: str                                   # person | ambiguous | group | unknown | empty
    people: list[Person] = field(default_factory=list)

    @property
    def email(self) -> str | None:
        return self.people[0].email if self.kind == "person" else None


_SPLIT = re.compile(
    rf"\s*(?:[、，,;；&＆+＋]|(?<![{_CJK}A-Za-z]部)[/／]|\s/\s|\band\b|(?<=[{_CJK}])(?:和|及|与|與|以及)(?=[{_CJK}@]))\s*")
_TRAIL = re.compile(r"(?:共同负责|共同負責|一起负责|联合负责|共同推进|共同推進|等人|等|同学|同學|老师|老師)$")


def clean(ref: str) -> str:
    ref = unicodedata.normalize("NFKC", ref or "").strip()
    ref = ref.strip("@＠ \t，,；;。.:：*_")
    ref = re.sub(r"^(?:由|请|請|并由|並由)(?=.{2})", "", ref)
    ref = _TRAIL.sub("", ref).strip()
    return ref.strip("@＠ ")


class PeopleRefs:
    """Resolve references against one directory; built once per draft."""

    def __init__(self, directory: Directory) -> None:
        self.dir = directory
        self.people = list(directory.people)
        self.departments = directory.departments
        # 财务 / 市场 / 業務: a department named without 部
        self.dept_stems = {d[:-1] for d in self.departments if d.endswith("部") and len(d) >= 3}

    # --- one reference ---------------------------------------------------------------------------
    def resolve(self, ref: str) -> Ref:
        text = clean(ref)
        if fold(text) in EMPTY_REFS or fold(text).strip("（）()") in EMPTY_REFS:
            return Ref(text, "empty")
        found = self._find(text)
        if found is not None:
            return found
        if _ORG.search(fold(text)) or _ORG.search(text):
            return Ref(text, "unknown")
        base = re.sub(r"\s*[（(][^（）()]*[）)]\s*$", "", text).strip()
        if self._is_group(base or text):
            return Ref(text, "group")
        return Ref(text, "unknown")

    def _find(self, text: str) -> Ref | None:
        if not text:
            return None
        key = fold(text)
        if "@" in key:
            m = re.search(r"[\w.%+\-]+@[\w.\-]+\.[a-z]{2,}", key)
            p = self.dir.get(m.group(0)) if m else None
            return Ref(text, "person", [p]) if p else Ref(text, "unknown")
        named = self.dir.named(key)
        if named:
            return self._ref(text, named)
        # a name with a note in brackets: 李娜（市场部）, 朱琳 (Design), 陈经理（外包呼叫中心）
        m = re.match(r"^(?P<name>.+?)\s*[（(](?P<note>[^（）()]*)[）)]$", text)
        if m:
            note = m.group("note").strip()
            if (_ORG.search(note) or _ORG.search(fold(note))) and not self._is_department(note):
                return Ref(text, "unknown")
            inner = self._find(m.group("name").strip())
            if inner is None or inner.kind not in ("person", "ambiguous"):
                return inner
            if _NOISE_NOTE.match(note):
                return inner
            narrowed = [p for p in inner.people if self._dept_matches(p, note)]
            return self._ref(text, narrowed) if narrowed else inner
        # department + name or surname: 技术部-王磊, 技术部-王, 市场部李娜, 总部技术部 王磊
        hit = self._dept_and_name(key)
        if hit is not None:
            return self._ref(text, hit) if hit else Ref(text, "unknown")
        # a name and its department after a space: 王磊 技术部
        words = key.split()
        named = self.dir.named(words[0]) if len(words) == 2 and words[1] in self.departments else []
        if named:
            narrowed = [p for p in named if fold(p.department) == words[1]]
            return self._ref(text, narrowed or named)
        # a first name alone: "Grace" for Grace Chen, "晓燕" for 周晓燕
        given = self._given_name(key)
        if given:
            return self._ref(text, given)
        return None

    def _given_name(self, key: str) -> list[Person]:
        if re.fullmatch(r"[a-z][a-z\-]{1,20}", key):
            return [p for p in self.people
                    if any(fold(n).split()[0] == key for n in (p.name, *p.aliases) if re.match(r"[A-Za-z]", n or "") and " " in n)]
        if re.fullmatch(rf"[{_CJK}]{{2}}", key):
            return [p for p in self.people if len(p.name) == 3 and fold(p.name)[1:] == key]
        return []

    def _ref(self, text: str, people: list[Person]) -> Ref:
        uniq = list({p.email: p for p in people}.values())
        return Ref(text, "person" if len(uniq) == 1 else "ambiguous", uniq)

    def _is_department(self, note: str) -> bool:
        """A note naming one of the company's own departments (台湾分公司, 总部技术部), not an outside firm."""
        n = re.sub(r"^(?:总部|總部)\s*", "", fold(note))
        return any(n == d or n.startswith(d) for d in self.departments)

    def _dept_matches(self, p: Person, note: str) -> bool:
        n = fold(note).replace(" ", "")
        n = _DEPT_EN.get(n, n)
        dept = fold(p.department)
        if not n or not dept:
            return False
        stem = dept.rstrip("部")
        return n == dept or n in dept or dept in n or (len(stem) >= 2 and stem in n)

    def _dept_and_name(self, key: str) -> list[Person] | None:
        """People a department + (masked) name names; None when the text names no department."""
        key = re.sub(r"^(?:总部|總部|hq)\s*", "", key)
        for dept in sorted(self.departments, key=len, reverse=True):
            if not key.startswith(dept):
                continue
            name = re.sub(r"^[\s\-－—–·・_/]+", "", key[len(dept):]).rstrip("*＊×x ")
            if not name:
                return None                                  # the department alone: a group
            in_dept = self.dir.in_department(dept)
            exact = [p for p in in_dept if name in (fold(p.name), *(fold(a) for a in p.aliases))]
            if exact:
                return exact
            return [p for p in in_dept if fold(p.name).startswith(name)]
        return None

    def _is_group(self, text: str) -> bool:
        key = fold(text)
        if key in self.departments or key in self.dept_stems:
            return True
        return bool(_GROUP.match(key))

    def leading(self, text: str) -> tuple[str, str] | None:
        """The person a text starts with and the rest: "王磊 12月9日前完成联调" -> ("王磊", "12月9日前完成联调"),
        "技术部-郭涛负责…" -> ("技术部-郭涛", "负责…"); None when it starts with nobody the directory knows."""
        t = text.lstrip("@＠ ")
        if not hasattr(self, "_leads"):
            names = {n for p in self.people for n in (p.name, *p.aliases) if n}
            self._leads = sorted(names, key=len, reverse=True)
        for dept in sorted(self.departments, key=len, reverse=True):
            if fold(t[:len(dept)]) == dept:
                m = re.match(rf"\s*[-－—–·・]?\s*([{_CJK}]{{1,3}})", t[len(dept):])
                if m:
                    for end in range(m.end(), 0, -1):
                        cand = t[:len(dept) + end]
                        if self.resolve(cand).kind in ("person", "ambiguous"):
                            return cand, t[len(cand):].strip()
        for name in self._leads:
            if fold(t[:len(name)]) == fold(name) and len(t) > len(name):
                nxt = t[len(name)]
                if re.match(r"[A-Za-z0-9]", nxt) and re.match(r"[A-Za-z]", name[-1]):
                    continue                                   # "Leonard" is not "Leo"
                return t[:len(name)], t[len(name):].strip(" ：:，,")
        return None

    # --- several references --------------------------------------------------------------------
    def split(self, text: str) -> list[str]:
        """"运营部-孙、技术部-李" -> two references; "@王磊 @李明" and "王磊 李明" too when each names someone."""
        text = clean(text)
        if fold(text) in EMPTY_REFS:
            return []
        out: list[str] = []
        for part in _SPLIT.split(protect_brackets(text)):
            part = clean(unprotect(part))
            if not part or fold(part) in EMPTY_REFS:
                continue
            words = [w for w in re.split(r"\s+|(?<=\S)(?=@)", part) if w.strip("@ ")]
            if len(words) > 1 and self.resolve(part).kind in ("unknown",) and \
                    all(self.resolve(w).kind in ("person", "ambiguous") for w in words):
                out.extend(clean(w) for w in words)
                continue
            out.append(part)
        return out

    def looks_like_ref(self, text: str, names: bool = False) -> bool:
        """Whether text is only people (or a group / an outsider), nothing else: "郑凯", "许喆、林小雨",
        "技术部-李", "财务部", "陈经理（外包呼叫中心）"; not a task phrase. With names=True a name the
        directory does not know ("刘强", "Mark Tan") counts too: for words in an owner's place (由X负责)."""
        refs = self.split(text)
        if not refs:
            return False
        return all(self.names_someone(r, names) for r in refs)

    def names_someone(self, ref: str, names: bool = True) -> bool:
        r = self.resolve(ref)
        if r.kind in ("person", "ambiguous", "group"):
            return True
        if r.kind != "unknown":
            return False
        return self.outsider(r.text) or (names and self.person_name(r.text))

    def outsider(self, text: str) -> bool:
        """Someone named with their organisation: 外包公司刘经理, 陈经理（外包呼叫中心）, Mark Tan (external recruiter)."""
        m = re.match(r"^(?P<base>.+?)\s*[（(](?P<note>[^（）()]*)[）)]$", text)
        if m:
            note = m.group("note")
            return bool(_ORG.search(note) or _ORG.search(fold(note))) and not self._is_department(note) \
                and len(m.group("base")) <= 24
        if not (len(text) <= 30 and (_ORG.search(text) or _ORG.search(fold(text)))):
            return False
        return bool(_TITLE_END.search(text)) or bool(re.search(r"(?:'s|’s|\bfrom\b|\bat\b)\s*[A-Z]?", text)) \
            or bool(re.search(r"\b[A-Z][a-z]+$", text))

    def person_name(self, text: str) -> bool:
        """A name shaped like a person's (刘强, 王经理, Mark Tan), known or not."""
        base = re.sub(r"\s*[（(][^（）()]*[）)]\s*$", "", text).strip()
        if _CN_NAME.match(base) and base[0] in _SURNAMES and not re.search(r"[的了和与及在是为对把将等个]", base):
            return True
        if re.fullmatch(rf"[{_CJK}A-Za-z]{{1,10}}?(?:部|处|處|科|室|组|組|中心)\s*[-－—–·・]\s*[{_CJK}]{{1,3}}[*＊×]*", base):
            return True                                   # 人事部-赵: a department and a name
        return bool(_EN_NAME.match(base)) or bool(
            re.fullmatch(rf"[{_CJK}]{{1,2}}(?:经理|經理|律师|律師|会计师|會計師|总|總|工|主任|老师|老師|顾问|顧問)", base))


_TITLE_END = re.compile(r"(?:经理|經理|律师|律師|会计师|會計師|总|總|主任|顾问|顧問|老师|老師|先生|女士|小姐|专员|專員|工程师|工程師)$")


# a separator inside brackets stands in as a control character until the split is done
_PROTECT = {"、": "\x01", "，": "\x02", ",": "\x03", "/": "\x04", "+": "\x05", "&": "\x06"}
_UNPROTECT = str.maketrans({v: k for k, v in _PROTECT.items()})


def protect_brackets(text: str) -> str:
    # separators inside brackets ("Mark Tan (Talentbridge, external recruiter)") do not split
    out, depth = [], 0
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        out.append(_PROTECT.get(ch, ch) if depth else ch)
    return "".join(out)


def unprotect(text: str) -> str:
    return text.translate(_UNPROTECT)


# Common Chinese surnames (Simplified and Traditional): a 2-3 character word starting with one of them,
# standing where an owner stands, is a person even when the directory does not know them.
_SURNAMES = set(
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖萧蕭田董"
    "袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈夏韦韋付方白邹鄒孟熊秦邱江尹薛"
    "闫閻段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯常温溫康施文牛樊葛邢安齐齊易乔喬伍庞龐"
    "颜顏倪庄莊聂聶章鲁魯岳翟殷詹申欧歐耿关關兰蘭焦俞左柳甘祝包宁寧尚符舒阮柯纪紀梅童凌毕畢单單季裴霍涂塗成苗谷"
    "盛曲翁冉骆駱蓝藍路游辛靳管柴蒙鲍鮑华華喻祁蒲房滕屈饶饒解牟艾尤阳陽时時穆农農司卓古吉缪繆简簡车車项項连連芦蘆麦麥褚娄婁"
    "窦竇戚岑景党黨宫宮费費卜冷晏席卫衛米柏宗瞿桂全佟应應臧闵閔苟邬鄔边邊卞姬师師和仇栾欒隋商刁沙荣榮巫寇桑郎甄丛叢"
    "仲虞敖巩鞏明佘池查麻苑迟遲邝鄺官封谈談匡鞠惠荆荊乐樂冀郁胥南班储儲原栗燕楚鄢劳勞谌諶奚皮粟冼蔺藺楼樓盘盤满滿闻聞"
    "位厉厲伊仝区區郜海阚闞花权權强強帅帥屠豆朴盖蓋练練廉禹井祖漆巴丰支卿国國狄平计計索宣晋晉相初门門云雲容敬来來扈晁芮都普阙闕浦戈伏鹿薄邸雍辜羊阿乌烏母裘亓修邰赫杭况況那宿鲜鮮印逯隆茹诸諸战戰慕危玉银銀亢嵇公哈湛宾賓戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴陰昝智幸奉植衡富尧堯闭閉由")
