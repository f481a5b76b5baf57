"""When the daemon sends digests and reminders: APScheduler cron jobs, plus a catch-up at start.

APScheduler alone would not do: with its default misfire grace time of one second a digest that
came due while the daemon was down is skipped silently, and a new scheduler knows nothing of runs
before it started.  So each job only says "look now"; Organizer.run_due compares the trigger's
latest due time with what the store says was sent, and one job runs once at start-up to catch up.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler

from intake.organizer.desk import Organizer

if TYPE_CHECKING:
    from intake.daemon.parts import DaemonParts as Daemon

log = logging.getLogger(__name__)


def organizer_for(daemon: Daemon) -> Organizer:
    return Organizer(daemon.config, daemon.store, daemon.outbox)


def tick(daemon: Daemon, organizer: Organizer, now: datetime | None = None) -> dict[str, list[str]]:
    """Queue what is due; wake the delivery thread when something was queued.  Never raises."""
    try:
        done = organizer.run_due(now or datetime.now(organizer.digest_tz))
    except Exception:
        log.exception("digests/reminders round failed")
        return {"reminders": [], "digests": []}
    if done["digests"] or done["reminders"]:
        daemon.wake.set()
    return done


def run_due_once(daemon: Daemon, now: datetime | None = None) -> dict[str, list[str]]:
    """`intake run --once`: the digests and reminders due (or missed) at now."""
    return tick(daemon, organizer_for(daemon), now)


def start_scheduler(
    daemon: Daemon, organizer: Organizer | None = None, now: datetime | None = None
) -> BackgroundScheduler:
    """A started BackgroundScheduler: a catch-up run now, then the [digest] and [reminders] cron jobs.

    now: the catch-up run's time (tests freeze it); the cron jobs use the clock.
    """
    organizer = organizer or organizer_for(daemon)
    scheduler = BackgroundScheduler(
        timezone=organizer.digest_tz,
        job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )
    scheduler.add_job(
        tick,
        "date",
        args=(daemon, organizer, now),
        id="organizer-catch-up",
        run_date=datetime.now(organizer.digest_tz),
    )
    if daemon.config.digest.enabled:
        scheduler.add_job(tick, organizer.digest_trigger, args=(daemon, organizer), id="digests")
    if daemon.config.reminders.enabled:
        scheduler.add_job(tick, organizer.reminder_trigger, args=(daemon, organizer), id="reminders")
    scheduler.start()
    log.info("organizer jobs scheduled: %s", ", ".join(j.id for j in scheduler.get_jobs()))
    return scheduler
