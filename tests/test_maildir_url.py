"""`maildir:PATH` in [mailbox] url and [smtp] url: one reading for the inbox, the outbox and the
config check (edges/urls.maildir_path). The path is what the operator typed: a space, 中文 or a `%`
is itself, a relative path sits next to the config file, `~` is home."""

from pathlib import Path

import pytest

from mailflow.config import ConfigError, load_settings
from mailflow.edges.mailbox import open_inbox
from mailflow.edges.mailer import open_mailer
from mailflow.edges.urls import maildir_path
from mailflow.testing import write_config

BASE = Path("/srv/mailflow")


@pytest.mark.parametrize("url, folder", [
    ("maildir:./mail/inbox", BASE / "mail" / "inbox"),           # relative: next to the config file
    ("maildir:mail/inbox", BASE / "mail" / "inbox"),
    ("maildir:/var/spool/mailflow/inbox", Path("/var/spool/mailflow/inbox")),
    ("maildir:///var/spool/mailflow/inbox", Path("/var/spool/mailflow/inbox")),   # the URL form
    ("maildir:./mail/team inbox", BASE / "mail" / "team inbox"),
    ("maildir:./邮件/收件箱", BASE / "邮件" / "收件箱"),
    ("maildir:./mail/50%", BASE / "mail" / "50%"),                # a percent sign is a percent sign
    ("maildir:./mail/a%20b", BASE / "mail" / "a%20b"),            # not an escape: no surprise decoding
    ("maildir:/srv/会议%25纪要", Path("/srv/会议%25纪要")),
    ("  maildir:./mail/inbox  ", BASE / "mail" / "inbox"),        # TOML padding around the value
])
def test_the_path_is_taken_as_written(url, folder):
    assert maildir_path(url, BASE) == folder


def test_without_a_base_a_relative_path_stays_relative_to_the_working_directory():
    assert maildir_path("maildir:./mail/sent") == Path("mail/sent")


def test_a_tilde_is_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert maildir_path("maildir:~/Maildir/收件箱", BASE) == tmp_path / "Maildir" / "收件箱"


@pytest.mark.parametrize("url", ["maildir:", "maildir://", "maildir:   "])
def test_no_path_is_refused_by_the_inbox_the_outbox_and_the_config_alike(url, tmp_path):
    with pytest.raises(ValueError, match="has no path"):
        open_inbox(url, None, base_dir=tmp_path)
    with pytest.raises(ValueError, match="has no path"):
        open_mailer(url, None, base_dir=tmp_path)
    cfg = write_config(tmp_path, smtp={"url": url})
    with pytest.raises(ConfigError, match=r"\[smtp\] url.*has no path"):
        load_settings(str(cfg), env={})


def test_inbox_and_outbox_open_the_folders_the_config_names(tmp_path):
    """The same odd names through the whole way a config takes: load, then open as the app does."""
    (tmp_path / "etc").mkdir()
    cfg = write_config(tmp_path / "etc", mailbox={"url": "maildir:./收件 箱%20"},
                       smtp={"url": "maildir:./已发送 100%"})
    s = load_settings(str(cfg), env={})
    inbox = open_inbox(s.mailbox.url, None, base_dir=s.base_dir)
    outbox = open_mailer(s.smtp.url, None, base_dir=s.base_dir)
    assert inbox.path == tmp_path / "etc" / "收件 箱%20"
    assert (inbox.path / "new").is_dir()                           # the Maildir was made under that name
    assert outbox.path == tmp_path / "etc" / "已发送 100%"
