"""Who a name in a reply means (Directory.resolve_spoken): the new owner of a handover
("这个改由小李负责") and `tasks reassign --to`, looked up in people.yaml and nowhere else."""

from __future__ import annotations

import pytest

from mailflow.read.people import Directory

TEAM = Directory.from_data({"people": [
    {"name": "李娜", "email": "lina@corp.example", "aliases": ["Lina"]},
    {"name": "王磊", "email": "wanglei@corp.example"},
    {"name": "王芳", "email": "wangfang@corp.example"},
    {"name": "Tom Chen", "email": "tom@corp.example"},
    {"name": "周晓燕", "email": "zhouxy@corp.example"},
]})

SPOKEN = [
    ("her address", "lina@corp.example", "lina@corp.example"),
    ("her name", "李娜", "lina@corp.example"),
    ("a name written in Traditional script", "周曉燕", "zhouxy@corp.example"),
    ("her English alias", "Lina", "lina@corp.example"),
    ("'小李' when she is the only 李", "小李", "lina@corp.example"),
    ("'李娜来' (李娜 will come and do it)", "李娜来", "lina@corp.example"),
    ("an English first name only one colleague has", "Tom", "tom@corp.example"),
    ("'小王' when two colleagues are surnamed 王: nobody for sure", "小王", None),
    ("a name nobody in people.yaml has", "刘洋", None),
    ("nothing written", "", None),
]


@pytest.mark.parametrize("what, text, email", SPOKEN, ids=[s[0] for s in SPOKEN])
def test_who_a_name_in_a_reply_means(what, text, email):
    found = TEAM.resolve_spoken(text)
    assert (found.email if found else None) == email


# English minutes and replies write a colleague in pinyin, in either order, as the address spells it.
PINYIN = Directory.from_data({"people": [
    {"name": "王磊", "email": "lei.wang@corp.example"},
    {"name": "孙丽", "email": "li.sun@corp.example"},
    {"name": "李孙", "email": "sun.li@corp.example"},          # the same two syllables the other way round
    {"name": "李娜", "email": "lina@corp.example"},
]})


@pytest.mark.parametrize("text, email", [
    ("Lei Wang", "lei.wang@corp.example"), ("Wang Lei", "lei.wang@corp.example"),
    ("WANG LEI", "lei.wang@corp.example"), ("Ｗａｎｇ Ｌｅｉ", "lei.wang@corp.example"),
    ("Sun Li", None), ("Li Sun", None),          # two colleagues spelled so: nobody for sure, ask
    ("Li Na", None),                              # lina@ does not say where the given name ends
    ("Wang", None), ("Lei", None),               # half a name is no name
    ("lei.wang", "lei.wang@corp.example"),       # "@lei.wang": the address without its domain
    ("lina", None),                               # a dotless local part reads as a first name: no key
])
def test_a_pinyin_name_is_the_colleague_whose_address_spells_it(text, email):
    found = PINYIN.resolve(text)
    assert (found.email if found else None) == email
