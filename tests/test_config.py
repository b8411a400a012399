"""mailflow.toml + environment -> settings; every error names the file, the section and the key."""

import pytest

from mailflow.config import ConfigError, load_settings


def test_no_file_means_embedded_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(None, env={})
    assert s.mailbox.url == "maildir:./mail/inbox"
    assert s.smtp.url == "maildir:./mail/sent"
    assert s.org.timezone == "Asia/Shanghai" and s.org.language == "zh-CN"
    assert s.source == "(embedded defaults)"


def test_config_found_by_flag_then_env_then_cwd(tmp_path, monkeypatch):
    a, b, c = (tmp_path / n for n in ("a.toml", "b.toml", "mailflow.toml"))
    a.write_text('[org]\nname = "A"\n')
    b.write_text('[org]\nname = "B"\n')
    c.write_text('[org]\nname = "C"\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings(str(a), env={"MAILFLOW_CONFIG": str(b)}).org.name == "A"
    assert load_settings(None, env={"MAILFLOW_CONFIG": str(b)}).org.name == "B"
    assert load_settings(None, env={}).org.name == "C"


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    cfg = tmp_path / "etc" / "mailflow.toml"
    cfg.parent.mkdir()
    cfg.write_text('[store]\npath = "data/mf.db"\n')
    s = load_settings(str(cfg), env={})
    assert s.path(s.store.path) == tmp_path / "etc" / "data" / "mf.db"


@pytest.mark.parametrize("toml, words", [
    ('[mailbox]\nurl = "pop3://x"\n', ["mailflow.toml", "[mailbox]", "url"]),
    ('[smtp]\nurl = "http://x"\n', ["[smtp]", "url"]),
    ('[org]\ntimezone = "Mars/Base"\n', ["[org]", "timezone", "Mars/Base"]),
    ('[org]\nlanguage = "fr"\n', ["[org]", "language"]),
    ('[schedule]\nwork_start = "9am"\n', ["[schedule]", "work_start"]),
    ('[smtp]\npassword = "hunter2"\n', ["[smtp]", "password", "environment"]),
    ('[nonsense]\na = 1\n', ["[nonsense]"]),
    ('[mailbox]\npoll_interval = "often"\n', ["[mailbox]", "poll_interval"]),
    ('[org]\nplus_addressing = "yes"\n', ["[org]", "plus_addressing"]),
])
def test_errors_name_file_section_and_key(tmp_path, toml, words):
    cfg = tmp_path / "mailflow.toml"
    cfg.write_text(toml)
    with pytest.raises(ConfigError) as e:
        load_settings(str(cfg), env={})
    for w in words:
        assert w in str(e.value)


def test_broken_toml_is_a_config_error(tmp_path):
    cfg = tmp_path / "mailflow.toml"
    cfg.write_text("[org\nname=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(str(cfg), env={})


def test_secrets_come_from_the_environment_and_never_show(tmp_path):
    s = load_settings(None, env={"MAILFLOW_SMTP_PASSWORD": "hunter2", "MAILFLOW_IMAP_PASSWORD": "pw-imap",
                                 "MAILFLOW_SECRET": "k3y"})
    assert s.smtp.password == "hunter2" and s.mailbox.password == "pw-imap" and s.secret == "k3y"
    shown = repr(s)
    assert "hunter2" not in shown and "pw-imap" not in shown and "k3y" not in shown


def test_plus_addressing_needs_the_signing_key(tmp_path):
    cfg = tmp_path / "mailflow.toml"
    cfg.write_text("[org]\nplus_addressing = true\n")
    with pytest.raises(ConfigError, match="MAILFLOW_SECRET"):
        load_settings(str(cfg), env={})
    assert load_settings(str(cfg), env={"MAILFLOW_SECRET": "k3y"}).org.plus_addressing
