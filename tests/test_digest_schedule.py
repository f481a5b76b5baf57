"""When digests go out: the cron time in Asia/Shanghai, a missed one sent once on return, never twice.

The clock is frozen: every call gets its `now`; nothing sleeps.
"""

from __future__ import annotations

import email
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from pathlib import Path
from types import SimpleNamespace

import pytest
from apscheduler.triggers.cron import CronTrigger

from intake.config.settings import Config, load_config
from intake.daemon.runner import Daemon
from intake.errors import ConfigError
from intake.organizer.desk import Organizer, last_fire
from intake.organizer.schedule import start_scheduler
from mailer.outbox import Outbox
from storage.store import Store
from tests.helpers import CST, cst
from tests.organizer_data import PERIOD, populate, write_config

Env = tuple[Config, Store, Outbox, Organizer]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    config = load_config(write_config(tmp_path, digest='cron = "0 8 * * *"', reminders="enabled = false"))
    store = Store(config.storage_dir)
    populate(store)
    outbox = Outbox(config.outbox.directory)
    yield config, store, outbox, Organizer(config, store, outbox)
    store.close()


def keys(outbox: Outbox) -> list[str]:
    return sorted(i.key for i in outbox.items())


def test_last_fire_is_the_latest_cron_time_in_the_window() -> None:
    trigger = CronTrigger.from_crontab("0 8 * * *", timezone=CST)
    assert last_fire(trigger, cst("2023-06-10T00:00"), cst("2023-06-12T10:00")) == cst("2023-06-12T08:00")
    assert last_fire(trigger, cst("2023-06-12T08:00"), cst("2023-06-12T10:00")) is None  # strictly after
    assert last_fire(trigger, cst("2023-06-12T08:01"), cst("2023-06-13T07:59")) is None
    # 08:00 in Shanghai is 00:00 UTC: a `now` given in UTC gives the same answer
    assert last_fire(trigger, cst("2023-06-11T09:00"), datetime(2023, 6, 12, 0, 30, tzinfo=UTC)) == cst(
        "2023-06-12T08:00"
    )


def test_digest_goes_out_at_the_cron_time_once(env: Env) -> None:
    config, store, outbox, organizer = env
    assert organizer.run_due(cst("2023-06-09T08:00"))["digests"] == ["digest:gz-status/1:2023-06-09"]
    assert organizer.run_due(cst("2023-06-10T07:59")) == {"reminders": [], "digests": []}
    assert organizer.run_due(cst("2023-06-10T08:00"))["digests"] == ["digest:gz-status/1:2023-06-10"]
    assert organizer.run_due(cst("2023-06-10T08:00:30"))["digests"] == []
    assert organizer.run_due(cst("2023-06-10T21:00"))["digests"] == []
    assert store.meta_get(f"digest:{PERIOD}")["due"] == cst("2023-06-10T08:00").isoformat()
    assert organizer.run_due(cst("2023-06-11T08:00:01"))["digests"] == ["digest:gz-status/1:2023-06-11"]
    assert keys(outbox) == [f"digest:gz-status/1:2023-06-{d}" for d in ("09", "10", "11")]


def test_digest_missed_while_the_daemon_was_down_is_sent_once_when_it_comes_back(env: Env) -> None:
    config, store, outbox, organizer = env
    assert organizer.run_due(cst("2023-06-10T08:05"))["digests"] == ["digest:gz-status/1:2023-06-10"]
    # down from 6月10日 09:00 to 6月13日 10:30: the 11th, 12th and 13th 08:00 digests came due meanwhile
    store.close()
    store = Store(config.storage_dir)  # a new process: nothing in memory, only what is stored
    back = Organizer(config, store, outbox)
    assert back.run_due(cst("2023-06-13T10:30"))["digests"] == ["digest:gz-status/1:2023-06-13"]
    assert back.run_due(cst("2023-06-13T10:31"))["digests"] == []
    assert keys(outbox) == ["digest:gz-status/1:2023-06-10", "digest:gz-status/1:2023-06-13"]
    item = outbox.get("digest:gz-status/1:2023-06-13")
    assert item is not None
    msg = email.message_from_bytes(item.raw, policy=policy.default)
    assert msg["Subject"].startswith("【报名日报】高职状态平台培训第1期 6月13日")
    assert msg["Auto-Submitted"] == "auto-generated"
    store.close()


def test_first_start_sends_only_a_digest_due_within_the_last_day(env: Env) -> None:
    _config, _store, outbox, organizer = env
    assert organizer.due_digests(cst("2023-06-10T07:00")) != []  # yesterday 08:00 is within a day
    env_keys = organizer.run_due(cst("2023-06-10T07:00"))["digests"]
    assert env_keys == ["digest:gz-status/1:2023-06-09"]
    assert keys(outbox) == env_keys


def test_no_digest_after_the_period_ends_or_without_organizers(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, reminders="enabled = false"))
    with Store(config.storage_dir) as store:
        organizer = Organizer(config, store, Outbox(config.outbox.directory))
        assert organizer.due_digests(cst("2023-07-16T09:00")) != []  # the period's last day
        assert organizer.due_digests(cst("2023-07-17T09:00")) == []  # stop_after = "end" (default)
    other = tmp_path / "other"
    other.mkdir()
    config = load_config(write_config(other, organizers=()))
    with Store(config.storage_dir) as store:
        assert (
            Organizer(config, store, Outbox(config.outbox.directory)).due_digests(cst("2023-06-10T09:00"))
            == []
        )


def test_stop_after_deadline_still_sends_the_morning_after(tmp_path: Path) -> None:
    config = load_config(
        write_config(tmp_path, digest='stop_after = "deadline"', reminders="enabled = false")
    )
    with Store(config.storage_dir) as store:
        organizer = Organizer(config, store, Outbox(config.outbox.directory))
        assert [p.key for p, _d in organizer.due_digests(cst("2023-06-20T09:00"))] == [PERIOD]
        assert organizer.due_digests(cst("2023-06-21T09:00")) == []


def test_scheduler_catches_up_at_start_and_schedules_cron_jobs_without_a_grace_limit(env: Env) -> None:
    config, store, outbox, organizer = env
    daemon = SimpleNamespace(config=config, store=store, outbox=outbox, wake=threading.Event())
    scheduler = start_scheduler(daemon, organizer, now=cst("2023-06-12T09:00"))
    try:
        assert daemon.wake.wait(10), "the catch-up job queued nothing"
        jobs = {j.id: j for j in scheduler.get_jobs()}
        assert set(jobs) == {"digests"}  # reminders are disabled in this config
        assert isinstance(jobs["digests"].trigger, CronTrigger)
        assert str(jobs["digests"].trigger.timezone) == "Asia/Shanghai"
        assert jobs["digests"].misfire_grace_time is None and jobs["digests"].coalesce
    finally:
        scheduler.shutdown(wait=True)
    assert keys(outbox) == ["digest:gz-status/1:2023-06-12"]


def test_run_once_sends_the_digest_that_is_due(tmp_path: Path) -> None:
    cfg = write_config(
        tmp_path, digest='cron = "* * * * *"\nstop_after = "never"', reminders="enabled = false"
    )
    config = load_config(cfg)
    with Daemon(config) as daemon:
        daemon.run_once()
        [item] = daemon.outbox.items()
        assert item.key.startswith("digest:gz-status/1:") and item.state == "sent"
    [eml] = list((tmp_path / "sent").iterdir())
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["Auto-Submitted"] == "auto-generated" and "未报送 7 省" in msg["Subject"]


@pytest.mark.parametrize(
    "section, text, key",
    [
        ("digest", 'cron = "0 8 * * 1-5"', "digest.cron"),  # numeric weekdays: APScheduler 3 != crontab
        ("digest", 'cron = "0 25 * * *"', "digest.cron"),
        ("digest", 'timezone = "Mars/Olympus"', "digest.timezone"),
        ("digest", 'stop_after = "soon"', "digest.stop_after"),
        ("reminders", "days_before = [3, -1]", "reminders.days_before"),
        ("reminders", 'days_before = ["3"]', "reminders.days_before"),
        ("reminders", "sent = true", "reminders.sent"),
    ],
)
def test_bad_schedule_settings_name_the_key(tmp_path: Path, section: str, text: str, key: str) -> None:
    digest, reminders = (text, "") if section == "digest" else ("", text)
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, digest=digest, reminders=reminders))
    assert info.value.key == key


def test_organizers_and_contacts_must_name_known_periods_and_provinces(tmp_path: Path) -> None:
    write_config(tmp_path, organizers=())
    with pytest.raises(ConfigError, match="organizers.gz-status/9"):
        load_config(_rewrite(tmp_path, "[organizers]", '[organizers]\n"gz-status/9" = ["a@b.cn"]'))
    with pytest.raises(ConfigError, match="contacts.火星"):
        load_config(write_config(tmp_path, contacts='"火星" = ["a@b.cn"]'))
    with pytest.raises(ConfigError, match="contacts.河南"):
        load_config(write_config(tmp_path, contacts='"河南" = ["not an address"]'))
    config = load_config(
        write_config(tmp_path, contacts='"河南" = ["zs@haedu.cn"]', digest='cron = "30 7 * * mon-fri"')
    )
    assert config.contacts == {"河南": ("zs@haedu.cn",)} and config.digest.cron == "30 7 * * mon-fri"
    assert config.reminders.days_before == (3, 1) and config.digest.attach_workbook


def _rewrite(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


def test_config_example_documents_every_digest_and_reminder_key_with_its_default() -> None:
    import tomllib
    from dataclasses import fields

    from intake.config.settings import DigestConfig, RemindersConfig
    from tests.helpers import ROOT

    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    for section, cls in (("digest", DigestConfig), ("reminders", RemindersConfig)):
        body = text.split(f"\n[{section}]\n", 1)[1].split("\n[", 1)[0]
        commented = "\n".join(
            line[2:] for line in body.splitlines() if line.startswith("# ") and " = " in line
        )
        documented = tomllib.loads(commented)
        defaults = {
            f.name: list(f.default) if isinstance(f.default, tuple) else f.default for f in fields(cls)
        }
        assert documented == defaults, section
