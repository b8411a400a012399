"""mailflow.toml + environment -> settings; every error names the file, the section and the key."""

import pytest

from mailflow.config import ConfigError, load_settings

KEY = "k3y-of-twenty-chars!"


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
                                 "MAILFLOW_SECRET": KEY})
    assert s.smtp.password == "hunter2" and s.mailbox.password == "pw-imap" and s.secret == KEY
    shown = repr(s)
    assert "hunter2" not in shown and "pw-imap" not in shown and KEY not in shown


def test_plus_addressing_needs_the_signing_key(tmp_path):
    cfg = tmp_path / "mailflow.toml"
    cfg.write_text("[org]\nplus_addressing = true\n")
    with pytest.raises(ConfigError, match="MAILFLOW_SECRET"):
        load_settings(str(cfg), env={})
    assert load_settings(str(cfg), env={"MAILFLOW_SECRET": KEY}).org.plus_addressing


# --- what used to be accepted with exit 0 and broke later (issue 12, item 9) ----------------------------

@pytest.mark.parametrize("toml, words", [
    # 0 silently turned the mail-loop breaker off
    ('[smtp]\nhourly_cap = 0\n', ["[smtp]", "hourly_cap", "loop"]),
    # 0 polled an empty inbox in a tight loop (90 % CPU); so would a fraction of a second
    ('[mailbox]\npoll_interval = 0\n', ["[mailbox]", "poll_interval", "minimum"]),
    ('[mailbox]\npoll_interval = 0.5\n', ["[mailbox]", "poll_interval"]),
    ('[mailbox]\npoll_interval = nan\n', ["[mailbox]", "poll_interval"]),
    ('[schedule]\ntick_seconds = 0\n', ["[schedule]", "tick_seconds"]),
    ('[smtp]\ntimeout = 0\n', ["[smtp]", "timeout"]),
    # who gets the mail mailflow cannot place must be one address
    ('[org]\nadmin = "王磊"\n', ["[org]", "admin"]),
    ('[org]\nadmin = "a@corp.example, b@corp.example"\n', ["[org]", "admin"]),
    ('[org]\naddress = "会议助手 <mailflow@corp.example>"\n', ["[org]", "address"]),
    # a display name that could write headers of its own
    ('[org]\nname = "助手\\r\\nBcc: evil@x.example"\n', ["[org]", "name", "line break"]),
    ('[org]\nname = ""\n', ["[org]", "name"]),
    # passwords belong in the environment, and a server URL names its host (and the IMAP user)
    ('[mailbox]\nurl = "imaps://mf%40corp.example:hunter2@imap.corp.example/INBOX"\n',
     ["[mailbox]", "url", "password", "MAILFLOW_IMAP_PASSWORD"]),
    ('[smtp]\nurl = "smtps://mf:hunter2@smtp.corp.example:465"\n', ["[smtp]", "url", "MAILFLOW_SMTP_PASSWORD"]),
    ('[mailbox]\nurl = "imaps://imap.corp.example/INBOX"\n', ["[mailbox]", "url", "user"]),
    ('[mailbox]\nurl = "imaps://mf@/INBOX"\n', ["[mailbox]", "url", "host"]),
    ('[smtp]\nurl = "smtp://"\n', ["[smtp]", "url", "host"]),
    ('[mailbox]\nurl = "imaps://mf@imap.corp.example:99999/INBOX"\n', ["[mailbox]", "url", "port"]),
    ('[mailbox]\nurl = "maildir:"\n', ["[mailbox]", "url"]),
    # a rules folder that is not there would mean: no reminders at all, without a word
    ('[paths]\nrules = "./my-rules"\n', ["[paths]", "rules", "my-rules"]),
    ('[paths]\ntemplates = "./my-templates"\n', ["[paths]", "templates"]),
    ('[paths]\nholidays = "./holidays-2027.yaml"\n', ["[paths]", "holidays"]),
])
def test_settings_that_would_break_at_run_time_are_refused_at_load(tmp_path, toml, words):
    cfg = tmp_path / "mailflow.toml"
    cfg.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_settings(str(cfg), env={})
    for w in words:
        assert w in str(e.value)
    assert "hunter2" not in str(e.value)                       # the password is never echoed


def test_sane_values_still_load(tmp_path):
    (tmp_path / "my-rules").mkdir()
    cfg = tmp_path / "mailflow.toml"
    cfg.write_text('[mailbox]\nurl = "imaps://mf%40corp.example@imap.corp.example:993/INBOX"\npoll_interval = 5\n'
                   '[smtp]\nurl = "smtp://relay.corp.example:25"\nhourly_cap = 1\n'
                   '[org]\nname = "Wang, Lei 的助手"\nadmin = "it-ops@corp.example"\n'
                   '[paths]\nrules = "./my-rules"\n', encoding="utf-8")
    s = load_settings(str(cfg), env={})
    assert (s.mailbox.poll_interval, s.smtp.hourly_cap, s.org.admin) == (5, 1, "it-ops@corp.example")


def test_a_short_signing_key_is_refused_because_tokens_could_be_forged_by_guessing_it():
    with pytest.raises(ConfigError, match="MAILFLOW_SECRET.*16"):
        load_settings(None, env={"MAILFLOW_SECRET": "k3y"})
    assert load_settings(None, env={"MAILFLOW_SECRET": KEY}).secret == KEY
