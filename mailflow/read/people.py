"""The people directory (people.yaml): who is who, and how minutes and replies may name them.

Pure: `Directory.from_data` takes the parsed YAML; `load_people` is the only function that reads
a file. The one person lookup of the code: `find` accepts an email, a name, an alias, or a
department plus a (masked) name such as "技术部-王*", "市场部-张" or "财务部-周", in either Chinese
script and any width or case (`fold`); people_refs reads the richer references of minutes through
the same index (`named`, `departments`, `in_department`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from ..model import LANGS, Person
from .zh import to_simplified

EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
# "技术部-王*", "技术部－王", "技术部 王磊", "技术部·王": a department, a separator, a (partial) name
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# "小李" / "老王" / "阿明": a familiar form naming a colleague by one character of the name
_NICKNAME = re.compile(r"[小老阿]([\u4e00-\u9fff])")
DEPT_NAME_RE = re.compile(r"^(?P<dept>\S+?[部处科室组中心])\s*[-－—–·・/／\s]?\s*(?P<name>[^\s\-－*＊×]+)?[*＊×]*$")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """One script and width for comparing names: Traditional -> Simplified, NFKC, case-folded."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    return to_simplified(text).casefold()


class DirectoryError(ValueError):
    """people.yaml is malformed; the message names the entry and the key."""


@dataclass
class Directory:
    people: list[Person]

    def __post_init__(self) -> None:
        self._by_email = {p.email: p for p in self.people}
        self._delegate_of: dict[str, list[str]] = {}
        for p in self.people:
            for d in p.delegates:
                self._delegate_of.setdefault(d, []).append(p.email)

    # --- construction -------------------------------------------------
    @classmethod
    def from_data(cls, data: object, source: str = "people.yaml") -> "Directory":
        if data is None:
            return cls([])
        if not isinstance(data, dict) or not isinstance(data.get("people", []), list):
            raise DirectoryError(f"{source}: expected a mapping with a list under 'people'")
        people: list[Person] = []
        seen: set[str] = set()
        for i, entry in enumerate(data.get("people") or [], start=1):
            where = f"{source}: people[{i}]"
            if not isinstance(entry, dict):
                raise DirectoryError(f"{where}: expected a mapping with name and email")
            unknown = set(entry) - {"name", "email", "department", "title", "manager",
                                    "aliases", "delegates", "language"}
            if unknown:
                raise DirectoryError(f"{where}: unknown key {sorted(unknown)[0]!r}")
            for key in ("name", "email"):
                if not isinstance(entry.get(key), str) or not entry[key].strip():
                    raise DirectoryError(f"{where}: key '{key}' is required")
            for key in ("name", "department", "title"):
                _one_line(entry.get(key), where, key)
            for alias in _as_list(entry.get("aliases"), where, "aliases"):
                _one_line(alias, where, "aliases")
            email = entry["email"].strip().lower()
            if not EMAIL_RE.match(email):
                raise DirectoryError(f"{where}: key 'email': {email!r} is not an email address")
            if email in seen:
                raise DirectoryError(f"{where}: key 'email': duplicate email {email}")
            seen.add(email)
            lang = entry.get("language") or "zh-CN"
            if lang not in LANGS:
                raise DirectoryError(f"{where}: key 'language': {lang!r} is not one of {', '.join(LANGS)}")
            people.append(Person(
                name=entry["name"].strip(),
                email=email,
                department=str(entry.get("department") or "").strip(),
                title=str(entry.get("title") or "").strip(),
                manager=(entry.get("manager") or "").strip().lower() or None,
                aliases=[str(a).strip() for a in _as_list(entry.get("aliases"), where, "aliases")],
                delegates=[str(d).strip().lower() for d in _as_list(entry.get("delegates"), where, "delegates")],
                language=lang,
            ))
        for i, p in enumerate(people, start=1):
            if p.manager and p.manager not in seen:
                raise DirectoryError(f"{source}: people[{i}]: key 'manager': unknown person {p.manager}")
        cycle = manager_cycle(people)
        if cycle:
            i = next(n for n, p in enumerate(people, start=1) if p.email == cycle[0])
            raise DirectoryError(f"{source}: people[{i}]: key 'manager': managers go round in a circle "
                                 f"({' -> '.join(cycle + cycle[:1])}); an escalation would never reach the top")
        return cls(people)

    # --- lookups ----------------------------------------------------------
    def get(self, email: str | None) -> Person | None:
        return self._by_email.get((email or "").strip().lower())

    def language_of(self, email: str | None, default: str = "zh-CN") -> str:
        p = self.get(email)
        return p.language if p else default

    def name_of(self, email: str | None) -> str:
        p = self.get(email)
        return p.name if p else (email or "")

    def manager_of(self, email: str | None) -> str | None:
        p = self.get(email)
        return p.manager if p else None

    def delegators_of(self, email: str) -> list[str]:
        """Whom `email` may answer for (the people who list it under delegates)."""
        return self._delegate_of.get(email.lower(), [])

    @cached_property
    def _by_key(self) -> dict[str, list[Person]]:
        # built on first lookup: folding loads OpenCC, which a directory only read by email never needs
        index: dict[str, list[Person]] = {}
        for p in self.people:
            for key in {fold(p.name), *(fold(a) for a in p.aliases), p.email, *_romanized(p.email)}:
                if key:
                    index.setdefault(key, []).append(p)
        return index

    @cached_property
    def departments(self) -> set[str]:
        """Every department, folded (see `fold`)."""
        return {fold(p.department) for p in self.people if p.department}

    def named(self, text: str) -> list[Person]:
        """Everyone whose name, one of whose aliases, or whose email is `text`, both folded."""
        return list(self._by_key.get(fold(text), ()))

    def in_department(self, dept: str) -> list[Person]:
        """Everyone in department `dept` (folded, as in `departments`)."""
        return [p for p in self.people if fold(p.department) == dept]

    def find(self, text: str) -> list[Person]:
        """Everyone `text` may name: an email, a name, an alias, or 部门-姓(*). Empty: nobody."""
        text = text.strip().strip("<>").strip()
        if not text:
            return []
        if "@" in text:
            p = self.get(text)
            return [p] if p else []
        exact = [p for p in self.people if text == p.name or text in p.aliases]
        if exact:
            return exact
        folded = self.named(text)
        if folded:
            return folded
        m = DEPT_NAME_RE.match(text)
        if m and m.group("dept"):
            in_dept = self.in_department(fold(m.group("dept")))
            name = fold(m.group("name") or "")
            if not name:
                return in_dept
            return [p for p in in_dept if fold(p.name).startswith(name)
                    or any(fold(a).startswith(name) for a in p.aliases)]
        return []

    def resolve(self, text: str) -> Person | None:
        """The one person `text` names, or None when it names nobody or several people."""
        found = self.find(text)
        return found[0] if len(found) == 1 else None

    def resolve_spoken(self, text: str | None) -> Person | None:
        """The one colleague a reply's words name (the new owner of a handover, `tasks reassign --to`):
        an address, a name or alias (either script), "小李" when one colleague is surnamed 李, an
        English first name when only one person has it; else None."""
        text = (text or "").strip()
        if not text:
            return None
        found = self.resolve(text) or self.resolve(re.sub(r"[来會会去]$", "", text))
        if found is not None:
            return found
        # a name in either script was looked up by find (folded); what is left are the familiar forms
        key = fold(text)
        nick = _NICKNAME.fullmatch(key)
        same = [p for p in self.people if fold(p.name).startswith(nick.group(1))] if nick else []
        if not same and re.fullmatch(r"[A-Za-z]+", text):
            same = [p for p in self.people if p.name.split()[0].casefold() == key]
        return same[0] if len(same) == 1 else None


def _romanized(email: str) -> tuple[str, ...]:
    """"Lei Wang" and "Wang Lei" for lei.wang@: English minutes write a colleague's name in pinyin,
    given name first or family name first, as the address spells it; "@lei.wang" names them by the
    address without its domain. A name two people share in this way is ambiguous (the index keeps
    both), so it resolves to nobody and is asked about. A local part without a dot or underscore
    ("lina") is no key: it reads as a first name, which two colleagues may share."""
    local = email.split("@", 1)[0].lower()
    if not re.search(r"[._]", local):
        return ()
    m = re.fullmatch(r"([a-z]{2,})[._]([a-z]{2,})", local)
    return (local, f"{m[1]} {m[2]}", f"{m[2]} {m[1]}") if m else (local,)


def manager_cycle(people: list[Person]) -> list[str]:
    """The first chain of managers that comes back to where it started, as emails; [] when none.
    (Escalation walks up this chain: a cycle means nobody at the top.)"""
    manager = {p.email: p.manager for p in people}
    done: set[str] = set()
    for p in people:
        path: list[str] = []
        at = p.email
        while at and at not in done:
            if at in path:
                return path[path.index(at):]
            path.append(at)
            at = manager.get(at)
        done.update(path)
    return []


def removed_owners(old: "Directory", new: "Directory", open_tasks: list) -> dict[str, list]:
    """Who left people.yaml on a reload while still owning open tasks: {email: [their open tasks]}.
    Pure; `open_tasks` are the store's open tasks (anything with .owner)."""
    gone = {p.email for p in old.people} - {p.email for p in new.people}
    out: dict[str, list] = {}
    for t in open_tasks:
        owner = (t.owner or "").lower()
        if owner in gone:
            out.setdefault(owner, []).append(t)
    return out


def _one_line(value: object, where: str, key: str) -> None:
    """Names end up in headers and tables: a line break or another control character is refused."""
    if isinstance(value, str) and _CONTROL_RE.search(value):
        raise DirectoryError(f"{where}: key '{key}': {value!r} contains a line break or another control character")


def _as_list(value: object, where: str, key: str) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise DirectoryError(f"{where}: key '{key}': expected a list")
    return value


def load_people(path: str | Path) -> Directory:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DirectoryError(f"{path}: file not found") from None
    except yaml.YAMLError as e:
        raise DirectoryError(f"{path}: not valid YAML: {e}") from None
    return Directory.from_data(data, source=str(path))
