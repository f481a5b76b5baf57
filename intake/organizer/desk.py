"""The organizers' side: daily digests per period and reminders to provinces, queued in the outbox.

Nothing here reads the clock: every entry point takes ``now`` (aware), so tests freeze time and
intake.organizer.schedule passes the real one.  What was sent is kept in the store's meta:

    digest:<program>/<n>              {"due", "sent_at", "key", "reported": {province: versions}}
    reminder:<program>/<n>:<province> [{"date", "stage", "to", "key"}, ...]
    reminded:<province>               the local date of the province's last reminder (any period)
    absent:<program>/<n>:<province>   {"by", "at", "reason", "message"}: it sends nobody (the console
                                      writes it; None once withdrawn)

A digest is due at each fire time of the [digest] cron; the latest fire time not yet sent is sent
once, however late (a daemon that was down sends it when it comes back).  A reminder stage N
(from [reminders] days_before) opens at the first cron fire time N days before the deadline and
closes at the deadline; a province without an accepted receipt gets one reminder per stage and
never more than one a day; a province recorded as sending nobody (不参加, while nothing it sent came
after the record) gets none.  Outbox keys ``digest:<period>:<date>`` and
``reminder:<period>:<province>:<date>`` make a crash between queueing and recording harmless.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from intake.config.sending import period_from
from intake.config.settings import Config
from mailer.compose.digest import compose_digest
from mailer.compose.digest_data import DigestData, DigestSnapshot, build_digest, parse_time
from mailer.compose.reminder import compose_reminder
from mailer.compose.template import receipt_template, template_filename
from mailer.compose.workbook import roster_workbook
from mailer.outbox import Outbox, OutboxItem
from rules.notice import Period
from storage.notes import AbsenceNote, DigestNote, ReminderNote, absence_key, read_absences
from storage.questions import Question, read_questions
from storage.readonly import ReadOnlyStore
from storage.store import Store
from storage.versions import SubmissionVersion

log = logging.getLogger(__name__)
FIRST_LOOKBACK = timedelta(days=1)  # with no digest ever sent, only a due time this recent counts
MAX_LOOKBACK = timedelta(days=32)
MAX_CONTACTS = 3


def last_fire(trigger: CronTrigger, after: datetime, now: datetime) -> datetime | None:
    """The latest fire time t of the trigger with after < t <= now, or None."""
    t = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    last = None
    for _ in range(200_000):
        if t is None or t > now:
            break
        last = t
        t = trigger.get_next_fire_time(t, t + timedelta(microseconds=1))
    return last


@dataclass(frozen=True)
class Reminder:
    period: Period
    province: str
    stage: int  # days before the deadline
    to: tuple[str, ...]
    rejected: bool  # something was received, nothing accepted


class Organizer:
    def __init__(self, config: Config, store: Store | ReadOnlyStore, outbox: Outbox | None = None) -> None:
        self.config = config
        self.notice = config.notice
        self.store = store  # a ReadOnlyStore (the daemon holds the lock) only reads: no sending then
        self.outbox = outbox
        self.digest_tz = ZoneInfo(config.digest.timezone)
        self.digest_trigger = CronTrigger.from_crontab(config.digest.cron, timezone=self.digest_tz)
        self.reminder_tz = ZoneInfo(config.reminders.timezone)
        self.reminder_trigger = CronTrigger.from_crontab(config.reminders.cron, timezone=self.reminder_tz)
        own = {m.address for m in config.mailboxes} | {m.reply_from for m in config.mailboxes}
        own |= {config.outbox.from_addr, config.digest.from_addr, config.reminders.from_addr}
        own |= {p.mailbox for p in self.notice.periods}
        self.own = {a.strip().lower() for a in own if a}
        self.lock = threading.Lock()

    # -- data ------------------------------------------------------------------------------------
    def _writable(self) -> Store:
        if not isinstance(self.store, Store):
            raise ValueError("the store is open read-only (the daemon holds it): nothing can be recorded")
        return self.store

    def _digest_note(self, period: Period) -> DigestNote | None:
        return DigestNote.from_json(self.store.meta_get(f"digest:{period.key}"))

    def _reminders_sent(self, period: Period, province: str) -> tuple[ReminderNote, ...]:
        return ReminderNote.list_from_json(self.store.meta_get(f"reminder:{period.key}:{province}"))

    def absences(self, period: Period) -> dict[str, AbsenceNote]:
        """The period's provinces recorded as sending nobody, with the record (whether it holds is the
        digest's to say: storage.notes.AbsenceNote.holds)."""
        return read_absences(self.store.meta_get, period.key, period.provinces)

    def _accepted(self, period: Period, province: str) -> tuple[bool, list[SubmissionVersion]]:
        versions = self.store.versions(period.program, period.number, province)
        return any(v.accepted for v in versions), versions

    def contacts(self, province: str, period: Period) -> list[str]:
        """[contacts] of the config, else the senders of the province's receipts (this program first)."""
        configured = self.config.contacts.get(province)
        if configured:
            return list(configured)
        found: list[str] = []
        order = sorted(self.notice.periods, key=lambda p: (p.program != period.program, p.key != period.key))
        for p in order:
            for v in reversed(self.store.versions(p.program, p.number, province)):
                sender = v.sender.strip().lower()
                if "@" in sender and sender not in self.own and sender not in found:
                    found.append(sender)
        return found[:MAX_CONTACTS]

    def known_senders(self) -> dict[str, str]:
        """Address (or "@domain") -> the province it is known for: [contacts], [senders], then receipts' senders."""
        known: dict[str, str] = {}
        for summary in self.store.submissions():
            if summary.province and self.notice.unit(summary.province):
                for v in (summary.latest, summary.current):
                    if v is not None and v.sender.strip().lower() not in self.own:
                        known.setdefault(v.sender.strip().lower(), summary.province)
        for province, addresses in (*self.config.policy.senders.items(), *self.config.contacts.items()):
            known.update({a.strip().lower(): province for a in addresses if a.strip()})
        known.pop("", None)
        return known

    def served(self, mailbox: str) -> tuple[str, ...] | None:
        """The periods a configured mailbox (by name) takes receipts for; None when it is not configured."""
        for mb in self.config.mailboxes:
            if mb.name == mailbox:
                return mb.periods or tuple(
                    p.key for p in self.notice.periods if p.mailbox == mb.address.lower()
                )
        return None

    def unplaced(self, period: Period) -> list[SubmissionVersion]:
        """Receipts whose province could not be told, filed for this period or sent to a mailbox that serves it."""
        out = []
        for summary in self.store.submissions():
            if summary.province is not None or summary.program not in (None, period.program):
                continue
            if summary.period not in (None, period.number):
                continue
            for v in self.store.versions(summary.program, summary.period, None):
                served = self.served(v.mailbox)
                if v.period == period.number or served is None or period.key in served:
                    out.append(v)
        return out

    def snapshot(self, period: Period) -> DigestSnapshot:
        """What the period's digest is made of, read from the store."""
        versions = {p: self.store.versions(period.program, period.number, p) for p in period.provinces}
        return DigestSnapshot(
            versions=versions,
            reminders={p: self._reminders_sent(period, p) for p in period.provinces},
            contacts={
                p: self.contacts(p, period)
                for p in period.provinces
                if not any(v.accepted for v in versions[p])
            },
            previous=self._digest_note(period),
            others=[
                s
                for s in self.store.submissions(period.program, period.number)
                if s.province is not None and s.province not in period.provinces
            ],
            questions=[q for q in self._open_questions() if period.key in q.periods],
            unplaced=self.unplaced(period),
            senders=self.known_senders(),
            absent=self.absences(period),
        )

    def _open_questions(self) -> list[Question]:
        """The questions waiting for a person (read from the files when the daemon holds the store)."""
        if isinstance(self.store, Store):
            return self.store.questions(open_only=True)
        return [q for q in read_questions(self.store.directory) if q.open]

    def digest(self, period: Period, now: datetime) -> DigestData:
        return build_digest(self.notice, period, self.snapshot(period), now)

    def from_for(self, period: Period, configured: str = "") -> str:
        """The From of the period's digests and reminders; the delivery picks the account that sends it
        (checked when the configuration loaded: intake.config.sending)."""
        return period_from(self.config, period, configured)

    def digest_message(
        self, period: Period, now: datetime, key: str, to: tuple[str, ...] | None = None
    ) -> tuple[DigestData, bytes, bytes | None]:
        """(figures, .eml bytes, workbook bytes or None)."""
        data = self.digest(period, now)
        workbook = roster_workbook(data) if self.config.digest.attach_workbook else None
        to = to or self.config.organizers.get(period.key) or (period.mailbox,)
        raw = compose_digest(
            data,
            from_addr=self.from_for(period, self.config.digest.from_addr),
            to=to,
            key=key,
            workbook=workbook,
            now=now,
        )
        return data, raw, workbook

    # -- digests ---------------------------------------------------------------------------------
    def digest_key(self, period: Period, when: datetime, manual: bool = False) -> str:
        local = when.astimezone(self.digest_tz)
        return f"digest:{period.key}:{local.date().isoformat()}" + (
            f":manual-{local:%H%M%S}" if manual else ""
        )

    def _active(self, period: Period, when: datetime) -> bool:
        day = when.astimezone(self.notice.timezone).date()
        stop = self.config.digest.stop_after
        if stop == "deadline":
            return day <= period.deadline.astimezone(self.notice.timezone).date() + timedelta(days=1)
        return stop == "never" or day <= period.end

    def due_digests(self, now: datetime) -> list[tuple[Period, datetime]]:
        """(period, due time) for each period whose latest due digest was not sent yet."""
        if not self.config.digest.enabled:
            return []
        out = []
        for period in self.notice.periods:
            if not self.config.organizers.get(period.key):
                continue
            note = self._digest_note(period)
            sent = parse_time(note.due if note else None, self.notice)
            after = max(sent or now - FIRST_LOOKBACK, now - MAX_LOOKBACK)
            due = last_fire(self.digest_trigger, after, now)
            if due is not None and self._active(period, due):
                out.append((period, due))
        return out

    def send_digest(
        self, period: Period, now: datetime, *, due: datetime | None = None, manual: bool = False
    ) -> OutboxItem:
        recipients = self.config.organizers.get(period.key)
        if not recipients:
            raise ValueError(f"no organizers configured for {period.key} ([organizers] in the config)")
        if self.outbox is None:
            raise ValueError("no outbox to send through")
        key = self.digest_key(period, due or now, manual)
        data, raw, _wb = self.digest_message(period, now, key, recipients)
        item = self.outbox.enqueue(
            key, raw, self.from_for(period, self.config.digest.from_addr), list(recipients)
        )
        note = dataclasses.replace(
            self._digest_note(period) or DigestNote(),
            sent_at=now.isoformat(timespec="seconds"),
            key=key,
            reported=data.reported,
        )
        if due is not None:
            note = dataclasses.replace(note, due=due.isoformat())
        self._writable().meta_set(f"digest:{period.key}", note.to_json())
        log.info("%s queued for %d organizers", key, len(recipients))
        return item

    def send_due_digests(self, now: datetime) -> list[str]:
        keys = []
        for period, due in self.due_digests(now):
            try:
                keys.append(self.send_digest(period, now, due=due).key)
            except Exception:  # one period's failure must not stop the others
                log.exception("digest for %s failed", period.key)
        return keys

    # -- reminders -------------------------------------------------------------------------------
    def reminder_stage(self, period: Period, now: datetime) -> int | None:
        """The reminder stage open at now (days before the deadline), or None."""
        if now >= period.deadline:
            return None
        stage = None
        deadline_day = period.deadline.astimezone(self.reminder_tz).date()
        for n in sorted(set(self.config.reminders.days_before), reverse=True):
            midnight = datetime.combine(deadline_day - timedelta(days=n), time(0), tzinfo=self.reminder_tz)
            start = self.reminder_trigger.get_next_fire_time(None, midnight)
            if start is not None and start < period.deadline and start <= now:
                stage = n
        return stage

    def due_reminders(self, now: datetime) -> list[Reminder]:
        if not self.config.reminders.enabled:
            return []
        today = now.astimezone(self.reminder_tz).date().isoformat()
        out: list[Reminder] = []
        planned: set[str] = set()
        for period in sorted(self.notice.periods, key=lambda p: p.deadline):  # the most urgent first
            stage = self.reminder_stage(period, now)
            if stage is None:
                continue
            for province in period.provinces:
                if province in planned or self.store.meta_get(f"reminded:{province}") == today:
                    continue  # one reminder a day per province, whatever the period
                reminder = self._reminder(period, province, stage)
                if reminder is not None:
                    out.append(reminder)
                    planned.add(province)
        return out

    def _reminder(self, period: Period, province: str, stage: int) -> Reminder | None:
        """The reminder due to ``province`` at ``stage``: None if already sent, accepted or unreachable."""
        if any(h.stage <= stage for h in self._reminders_sent(period, province)):
            return None
        accepted, versions = self._accepted(period, province)
        if accepted:
            return None
        absence = AbsenceNote.from_json(self.store.meta_get(absence_key(period.key, province)))
        if absence is not None and absence.holds(v.received_at for v in versions):
            log.info(
                "reminder %s %s: not sent, recorded as sending nobody by %s", period.key, province, absence.by
            )
            return None
        to = tuple(self.contacts(province, period))
        if not to:
            log.info("reminder %s %s: no contact address known", period.key, province)
            return None
        return Reminder(period, province, stage, to, rejected=bool(versions))

    def send_reminder(self, r: Reminder, now: datetime) -> OutboxItem:
        if self.outbox is None:
            raise ValueError("no outbox to send through")
        today = now.astimezone(self.reminder_tz).date().isoformat()
        key = f"reminder:{r.period.key}:{r.province}:{today}"
        unit = self.notice.unit(r.province)
        assert unit is not None
        template = (
            receipt_template(self.notice, r.period, unit) if self.config.reminders.attach_template else None
        )
        from_addr = self.from_for(r.period, self.config.reminders.from_addr)
        raw = compose_reminder(
            self.notice,
            r.period,
            unit,
            to=r.to,
            from_addr=from_addr,
            now=now,
            key=key,
            template=template,
            template_name=template_filename(self.notice, r.period, unit),
            rejected=r.rejected,
        )
        item = self.outbox.enqueue(key, raw, from_addr, list(r.to))
        history = list(self._reminders_sent(r.period, r.province))
        if not any(h.key == key for h in history):
            history.append(ReminderNote(date=today, stage=r.stage, to=r.to, key=key))
        store = self._writable()
        store.meta_set(f"reminder:{r.period.key}:{r.province}", [h.to_json() for h in history])
        store.meta_set(f"reminded:{r.province}", today)
        log.info("%s queued (%d days before the deadline)", key, r.stage)
        return item

    def send_due_reminders(self, now: datetime) -> list[str]:
        keys = []
        for r in self.due_reminders(now):
            try:
                keys.append(self.send_reminder(r, now).key)
            except Exception:
                log.exception("reminder %s %s failed", r.period.key, r.province)
        return keys

    # -- both --------------------------------------------------------------------------------------
    def run_due(self, now: datetime) -> dict[str, list[str]]:
        """Queue every reminder and digest due at now (reminders first, so the digest lists them)."""
        with self.lock:
            return {"reminders": self.send_due_reminders(now), "digests": self.send_due_digests(now)}
