"""The mailflow command as a newcomer and an operator use it."""

import os
import subprocess
import sys

from click.testing import CliRunner

from mailflow.cli import main


def run_cli(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "mailflow", *args], cwd=cwd, capture_output=True, text=True,
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
    (tmp_path / "mailflow.toml").write_text('[smtp]\nurl = "ftp://nowhere"\n', encoding="utf-8")
    res = run_cli("status", cwd=tmp_path)
    assert res.returncode == 2
    assert "mailflow.toml" in res.stderr and "[smtp]" in res.stderr and "url" in res.stderr


def test_an_imap_mailbox_without_its_password_is_a_clear_config_error(tmp_path):
    (tmp_path / "mailflow.toml").write_text(
        '[mailbox]\nurl = "imaps://mailflow%40corp.example@imap.corp.example:993/INBOX"\n', encoding="utf-8")
    res = run_cli("run", "--once", cwd=tmp_path, env={"MAILFLOW_IMAP_PASSWORD": ""})
    assert res.returncode == 2 and "MAILFLOW_IMAP_PASSWORD" in res.stderr


def test_secrets_never_reach_the_log(tmp_path):
    (tmp_path / "mailflow.toml").write_text(
        '[mailbox]\nurl = "imap://mailflow@127.0.0.1:1/INBOX"\n', encoding="utf-8")
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
    eml.write_bytes("From: 张伟 <zhangwei@corp.example>\r\nTo: mailflow@corp.example\r\nSubject: 问题\r\n"
                    "Message-ID: <q@client.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n在吗\r\n"
                    .encode())
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
