"""The reader's one path for Chinese script and numerals, and the directory's one person lookup built on it."""

from mailflow.read.people import Directory
from mailflow.read.people_refs import PeopleRefs
from mailflow.read.reply_lexicon import normalize, percents
from mailflow.read.zh import cn_number, cn_numeral


def test_numbers_in_chinese_digits_or_a_mix_are_read_as_numbers():
    assert cn_number("八十五") == 85
    assert cn_number("两百") == 200
    assert cn_number("一百零五") == 105
    assert cn_number("二〇二七") == 2027          # a year, digit by digit
    assert cn_number("3十") == 30
    assert cn_number("③") == 3
    assert cn_number("42") == 42


def test_words_that_are_not_numbers_give_none():
    assert cn_number("") is None
    assert cn_number("明天") is None
    assert cn_number("十分") is None


def test_a_whole_hundred_percent_may_be_written_without_one():
    found = percents(normalize("进度百分之百"), 0, 8)
    assert [v for _, _, v, _ in found] == [100]


def test_word_list_numbers_are_written_in_chinese():
    assert [cn_numeral(n) for n in (1, 10, 11, 20, 37)] == ["一", "十", "十一", "二十", "三十七"]


def _directory() -> Directory:
    return Directory.from_data({"people": [
        {"name": "陈怡君", "email": "chen@corp.example", "department": "业务部", "aliases": ["Joy"]},
        {"name": "王磊", "email": "wang@corp.example", "department": "技术部"},
        {"name": "王芳", "email": "wangf@corp.example", "department": "市场部"},
    ]})


def test_a_name_is_found_in_either_script_width_or_case():
    d = _directory()
    assert [p.email for p in d.find("陳怡君")] == ["chen@corp.example"]
    assert [p.email for p in d.find("JOY")] == ["chen@corp.example"]
    assert d.find("李娜") == []


def test_a_department_and_a_surname_narrow_to_one_person_in_either_script():
    d = _directory()
    assert [p.email for p in d.find("技術部-王*")] == ["wang@corp.example"]
    assert [p.email for p in d.find("業務部-陳")] == ["chen@corp.example"]
    assert [p.email for p in d.find("技术部")] == ["wang@corp.example"]      # a department alone: everyone in it


def test_minutes_references_read_through_the_same_directory():
    refs = PeopleRefs(_directory())
    assert refs.resolve("陳怡君（業務部）").email == "chen@corp.example"
    assert refs.resolve("王磊 技术部").email == "wang@corp.example"


def test_a_date_in_traditional_characters_reads_as_in_simplified_and_keeps_its_span():
    from datetime import datetime
    from mailflow.read.dates import DEFAULT_CALENDAR, find_all
    now = datetime(2026, 12, 2, 10, 0)
    trad, simp = "請於下週三下班前交，國慶節後第一個工作天再議", "请于下周三下班前交，国庆节后第一个工作日再议"
    got_t = [(s, e, d.due) for s, e, d in find_all(trad, now, DEFAULT_CALENDAR)]
    got_s = [(s, e, d.due) for s, e, d in find_all(simp, now, DEFAULT_CALENDAR)]
    assert got_t == got_s and got_t
    assert trad[got_t[0][0]:got_t[0][1]].startswith("下週三")
