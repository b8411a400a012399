"""The mailflow command as a newcomer and an operator use it."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from mailflow.cli import main
from mailflow.testing import make_mail, write_config


def run_cli(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-P", "-m", "mailflow", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "MAILFLOW_CONFIG": "", **(env or {})})


def test_help_lists_every_command():
    out = CliRunner().invoke(main, ["--help"])
    assert out.exit_code == 0
    for cmd in ("init", "run", "inject", "status", "outbox", "replay"):
        assert cmd in out.output


def test_every_command_has_help():
    runner = CliRunner()
    for name, cmd in main.commands.items():
        out = runner.invoke(main, [name, "--help"])
        assert out.exit_code == 0, name
        assert (cmd.help or "").strip(), f"{name} has no help text"


def test_init_writes_samples_and_never_overwrites(tmp_path):
    target = tmp_path / "demo"
    first = run_cli("init", str(target))
    assert first.returncode == 0, first.stderr
    assert {p.name for p in target.iterdir()} >= {"mailflow.toml", "people.yaml", "meeting.yaml", "mail"}
    (target / "people.yaml").write_text("people: []\n", encoding="utf-8")
    second = run_cli("init", str(target))
    assert second.returncode == 0 and "kept" in second.stdout
    assert (target / "people.yaml").read_text(encoding="utf-8") == "people: []\n"


def test_run_once_in_an_init_folder_exits_0(tmp_path):
    assert run_cli("init", str(tmp_path)).returncode == 0
    res = run_cli("run", "--once", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "once:" in res.stderr
    assert (tmp_path / "mailflow.db").exists()


def test_a_config_error_exits_2_and_names_the_key(tmp_path):
    write_config(tmp_path, smtp={"url": "ftp://nowhere"})
    res = run_cli("status", cwd=tmp_path)
    assert res.returncode == 2
    assert "mailflow.toml" in res.stderr and "[smtp]" in res.stderr and "url" in res.stderr


def test_an_imap_mailbox_without_its_password_is_a_clear_config_error(tmp_path):
    write_config(tmp_path, mailbox={"url": "imaps://mailflow%40corp.example@imap.corp.example:993/INBOX"})
    res = run_cli("run", "--once", cwd=tmp_path, env={"MAILFLOW_IMAP_PASSWORD": ""})
    assert res.returncode == 2 and "MAILFLOW_IMAP_PASSWORD" in res.stderr


def test_secrets_never_reach_the_log(tmp_path):
    write_config(tmp_path, mailbox={"url": "imap://mailflow@127.0.0.1:1/INBOX"})
    proc = subprocess.Popen([sys.executable, "-m", "mailflow", "run", "--once"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "MAILFLOW_CONFIG": "", "MAILFLOW_IMAP_PASSWORD": "s3cret-pw"})
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    assert "s3cret-pw" not in out


def test_inject_then_status_and_outbox(tmp_path):
    assert run_cli("init", str(tmp_path)).returncode == 0
    eml = tmp_path / "q.eml"
    eml.write_bytes(make_mail("张伟 <zhangwei@corp.example>", "在吗\n", subject="问题", message_id="<q@client.example>",
                              date=None))
    assert run_cli("inject", str(eml), cwd=tmp_path).returncode == 0
    assert run_cli("run", "--once", cwd=tmp_path).returncode == 0
    status = run_cli("status", "--json", cwd=tmp_path)
    assert '"outbox": {"sent": 1}' in status.stdout
    outbox = run_cli("outbox", cwd=tmp_path)
    assert "zhangwei@corp.example" in outbox.stdout and "sent" in outbox.stdout
    assert len(list((tmp_path / "mail" / "sent" / "new").iterdir())) == 1


def test_replay_of_an_unknown_id_fails_clearly(tmp_path):
    assert run_cli("init", str(tmp_path)).returncode == 0
    res = run_cli("replay", "999", cwd=tmp_path)
    assert res.returncode == 1 and "999" in res.stderr


def test_sigterm_at_any_moment_after_start_exits_0(tmp_path):
    """From the first log line on (before it only the interpreter is importing, and nothing has
    been touched), SIGTERM ends the daemon with status 0, whether it is still starting or running."""
    import signal
    import time
    assert run_cli("init", str(tmp_path)).returncode == 0
    for delay in (0.0, 0.02, 0.1, 0.5, 1.5):
        proc = subprocess.Popen([sys.executable, "-m", "mailflow", "run"], cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "MAILFLOW_CONFIG": ""})
        proc.stderr.readline()                      # the first log line: mailflow's own code runs
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0, f"SIGTERM {delay}s after start"
        proc.stderr.close()


def test_sighup_reloads_rules_and_keeps_the_old_ones_when_the_new_are_broken(tmp_path):
    import shutil
    import signal
    import threading
    import time
    from mailflow.resources import shipped
    assert run_cli("init", str(tmp_path)).returncode == 0
    shutil.copytree(shipped("rules"), tmp_path / "rules")         # the operator's own copy
    proc = subprocess.Popen([sys.executable, "-m", "mailflow", "run"], cwd=tmp_path, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "MAILFLOW_CONFIG": ""})
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + 10
        while not any(text in line for line in lines):
            assert time.monotonic() < deadline, f"no {text!r} in the log:\n{''.join(lines)}"
            time.sleep(0.05)
    try:
        wait_for("mailflow 0.1.0")
        (tmp_path / "rules" / "broken.yaml").write_text("rules:\n  - name: Bad Name\n", encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        wait_for("reload failed, keeping the previous configuration")
        (tmp_path / "rules" / "broken.yaml").unlink()
        proc.send_signal(signal.SIGHUP)
        wait_for("reloaded rules, templates and people")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


# --- a newcomer's first meeting, and settings that cannot work (issue 12) ------------------------------

def sample_times(folder) -> tuple[str, str]:
    import yaml
    data = yaml.safe_load((folder / "meeting.yaml").read_text(encoding="utf-8"))
    return str(data["start"]), str(data["end"])


@pytest.mark.parametrize("today, day", [
    ("2026-12-02T09:00", "2026-12-04"),      # Wednesday -> Friday
    ("2026-12-04T17:00", "2026-12-08"),      # Friday -> Tuesday, over the weekend
    ("2026-09-30T09:00", "2026-10-09"),      # before National Day: the holiday week does not count
])
def test_init_dates_the_sample_meeting_two_working_days_ahead_at_ten(tmp_path, today, day):
    res = CliRunner().invoke(main, ["init", str(tmp_path), "--now", today])
    assert res.exit_code == 0, res.output
    assert sample_times(tmp_path) == (f"{day} 10:00", f"{day} 12:00")


def test_the_quick_start_meeting_is_in_the_future_and_added_without_a_warning(tmp_path):
    assert run_cli("init", str(tmp_path)).returncode == 0
    added = run_cli("meeting", "add", "meeting.yaml", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "warning" not in added.stderr and "notices to 6 people" in added.stdout
    once = run_cli("run", "--once", cwd=tmp_path)
    assert once.returncode == 0, once.stderr
    assert len(list((tmp_path / "mail" / "sent" / "new").iterdir())) == 6


def test_a_meeting_that_has_ended_is_refused_naming_start_and_nothing_is_queued(tmp_path):
    assert CliRunner().invoke(main, ["init", str(tmp_path), "--now", "2026-11-23T09:00"]).exit_code == 0
    res = run_cli("meeting", "add", "meeting.yaml", "--now", "2026-11-25T12:30", cwd=tmp_path)
    assert res.returncode == 2
    assert "meeting.yaml" in res.stderr and "'start'" in res.stderr and "ended" in res.stderr
    listed = run_cli("meeting", "list", "--json", cwd=tmp_path)
    assert listed.returncode == 0 and json.loads(listed.stdout or "[]") == []


@pytest.mark.parametrize("now, words", [
    ("2026-11-24T09:00", "less than 2 working days"),      # tomorrow
    ("2026-11-25T11:00", "already started"),               # under way: still added, minutes will follow
])
def test_a_meeting_at_short_notice_or_under_way_is_added_with_a_warning(tmp_path, now, words):
    assert CliRunner().invoke(main, ["init", str(tmp_path), "--now", "2026-11-23T09:00"]).exit_code == 0
    res = run_cli("meeting", "add", "meeting.yaml", "--now", now, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "warning" in res.stderr and "'start'" in res.stderr and words in res.stderr


def test_rules_check_fails_on_a_missing_or_empty_rules_folder(tmp_path):
    assert run_cli("init", str(tmp_path)).returncode == 0
    assert run_cli("rules", "check", cwd=tmp_path).returncode == 0        # the shipped rules
    missing = run_cli("rules", "check", "no-such-folder", cwd=tmp_path)
    assert missing.returncode == 2 and "no-such-folder" in missing.stderr
    (tmp_path / "empty-rules").mkdir()
    empty = run_cli("rules", "check", "empty-rules", cwd=tmp_path)
    assert empty.returncode == 2 and "no rules" in empty.stderr
    write_config(tmp_path, paths={"rules": "./my-rules"})
    for args in (["rules", "check"], ["run", "--once"], ["status"]):
        res = run_cli(*args, cwd=tmp_path)
        assert res.returncode == 2, args
        assert "[paths] rules" in res.stderr and "my-rules" in res.stderr


@pytest.mark.parametrize("toml, key", [
    ('[smtp]\nhourly_cap = 0\n', "[smtp] hourly_cap"),
    ('[mailbox]\npoll_interval = 0\n', "[mailbox] poll_interval"),
    ('[org]\nadmin = "运维组"\n', "[org] admin"),
    ('[org]\nname = "助手\\r\\nBcc: x@evil.example"\n', "[org] name"),
    ('[mailbox]\nurl = "imaps://mf:hunter2@imap.corp.example/INBOX"\n', "[mailbox] url"),
    ('[mailbox]\nurl = "imaps://imap.corp.example/INBOX"\n', "[mailbox] url"),
])
def test_a_setting_that_cannot_work_stops_every_command_with_exit_2_naming_the_key(tmp_path, toml, key):
    (tmp_path / "mailflow.toml").write_text(toml, encoding="utf-8")
    res = run_cli("run", "--once", cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert key in res.stderr and "Traceback" not in res.stderr and "hunter2" not in res.stderr


def test_a_rules_folder_with_only_holidays_in_it_stops_the_daemon_instead_of_silencing_every_reminder(tmp_path):
    """./rules next to the config replaces the shipped rules: holidays.yaml alone in it would mean no
    reminder, escalation or follow-up table at all, without a word."""
    import shutil
    from mailflow.resources import shipped
    assert run_cli("init", str(tmp_path)).returncode == 0
    (tmp_path / "rules").mkdir()
    shutil.copy(shipped("rules") / "holidays.yaml", tmp_path / "rules" / "holidays.yaml")
    res = run_cli("run", "--once", cwd=tmp_path)
    assert res.returncode == 2 and "no rules" in res.stderr and "rules" in res.stderr


# --- [org] timezone is the clock of every command (issue 13) ----------------------------------------

@pytest.mark.parametrize("zone, sample_day, offset, today", [
    ("Europe/Berlin", "2026-11-19", "+01:00", "2026-11-18"),
    ("Asia/Shanghai", "2026-11-20", "+08:00", "2026-11-19"),
])
def test_the_commands_read_and_show_times_in_the_org_timezone(tmp_path, zone, sample_day, offset, today):
    from mailflow.testing import write_config
    write_config(tmp_path, org={"timezone": zone})
    # 20:00 UTC on Tuesday 17 November: still Tuesday evening in Berlin, already Wednesday in Shanghai,
    # so the sample meeting two working days ahead is Thursday in Berlin and Friday in Shanghai
    res = CliRunner().invoke(main, ["init", str(tmp_path), "--now", "2026-11-17T20:00:00+00:00"])
    assert res.exit_code == 0 and "kept" in res.output, res.output
    assert sample_times(tmp_path) == (f"{sample_day} 10:00", f"{sample_day} 12:00")
    added = run_cli("meeting", "add", "meeting.yaml", "--now", "2026-11-17T09:00", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    shown = json.loads(run_cli("meeting", "show", "1", "--json", cwd=tmp_path).stdout)
    assert (shown["start"], shown["timezone"]) == (f"{sample_day}T10:00:00{offset}", zone)
    # 今天 at 22:30 UTC on the 18th: the 18th in Berlin, the 19th in Shanghai
    when = run_cli("when", "今天", "--now", "2026-11-18T22:30:00+00:00", "--json", cwd=tmp_path)
    assert json.loads(when.stdout)["due"] == today
    # a --now without an offset is the organisation's wall clock
    naive = run_cli("when", "今天", "--now", "2026-11-18T23:30", "--json", cwd=tmp_path)
    assert json.loads(naive.stdout)["due"] == "2026-11-18"


def test_init_beside_a_config_it_cannot_read_keeps_it_and_still_dates_the_meeting(tmp_path):
    (tmp_path / "mailflow.toml").write_text("[org\ntimezone = ", encoding="utf-8")      # broken TOML
    res = CliRunner().invoke(main, ["init", str(tmp_path), "--now", "2026-12-02T09:00"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "mailflow.toml").read_text(encoding="utf-8") == "[org\ntimezone = "
    assert sample_times(tmp_path) == ("2026-12-04 10:00", "2026-12-04 12:00")    # the default zone's day
