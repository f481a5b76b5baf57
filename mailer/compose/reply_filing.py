"""What a reply says about where its receipt was filed: a new version, a 补报, or one sent too early.

Pure: the stored versions in, Chinese sentences out (mailer.compose.reply lays them out).

- a receipt that replaced the roster (the second version or later): "这是第 N 版，以本版为准";
- a 补报 (storage VersionKind.SUPPLEMENT): how many it added to how many, and how to replace the
  roster with a whole one instead;
- a receipt sent before the roster that stands (superseded): it replaced nothing, the roster of
  that newer receipt stands and is shown, and how to make this one count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from rules.verdict import Participant, Reading, Status, Verdict
from rules.wording import moment
from storage.versions import SubmissionVersion, VersionKind

REPLACE_HINT = (
    "如需以完整名单替换已登记的名单，请把全部参训人员填在同一张回执表中重新发送，"
    "邮件主题和回执表中不要写“补报”“增补”“追加”。"
)
SUPERSEDED_TAG = "【未替换】"


@dataclass(frozen=True)
class Filing:
    """The version a receipt was filed as, and the roster that stands after it (itself, or a newer one)."""

    version: SubmissionVersion
    standing: SubmissionVersion | None = None

    @property
    def superseded(self) -> bool:
        return self.version.superseded

    @property
    def supplement(self) -> bool:
        return self.version.kind is VersionKind.SUPPLEMENT

    def diff(self) -> Mapping[str, Sequence[Mapping[str, Any]]] | None:
        """The roster changes to show: for an accepted replacement of a roster that stood."""
        v = self.version
        if not v.accepted or v.superseded or v.previous_accepted is None:
            return None
        return v.diff.public()

    def standing_people(self) -> list[Participant]:
        """The roster that stands, as the rules' participants (what a superseded receipt's reply shows)."""
        return [p.participant() for p in self.standing.verdict.participants] if self.standing else []


def sent_at(version: SubmissionVersion, zone: tzinfo) -> str:
    """When the version was sent, as people read it: 7月13日 14:20."""
    when = version.received_at
    return moment(when.astimezone(zone)).split("年", 1)[1] if when else "（时间不详）"


def superseded_headline(what: str, filing: Filing, zone: tzinfo, people: int) -> str:
    """A receipt sent before the roster that stands: it replaced nothing."""
    stands = filing.standing
    own = f"已收到{what}报名回执（{sent_at(filing.version, zone)} 发出，{people} 人）。"
    if stands is None:
        return own + "本回执早于已登记的回执，没有替换已登记的名单。"
    return (
        own + f"贵单位 {sent_at(stands, zone)} 发出的回执（第 {stands.version} 版）比本回执新，已经登记，"
        f"本回执没有替换它。现登记名单仍以 {sent_at(stands, zone)} 的回执为准，"
        f"共 {len(stands.verdict.participants)} 人，如下。"
    )


SUPERSEDED_HINT = (
    "如果要以本回执为准，请重新发送本回执（将按新的发送时间登记）；如已登记的名单无误，无需处理。"
)


def supplement_headline(verdict: Verdict, what: str, version: int) -> str:
    """A 补报: how many it adds to how many (or, rejected, that the roster that stood is unchanged)."""
    added = len(verdict.added)
    before = len(verdict.participants) - added
    if verdict.status is not Status.ACCEPTED:
        return (
            f"已收到{what}补报回执（补报 {added} 人），但有以下问题需要修改，本次补报未登记，"
            f"已登记的 {before} 人名单不变。请修改后直接回复本邮件并附上更正后的回执表。"
        )
    head = (
        f"已收到{what}补报回执，本次补报 {added} 人，已加入已登记的名单（原 {before} 人），"
        f"现共 {len(verdict.participants)} 人，登记如下。"
    )
    return head + (f"（这是第 {version} 版，以本版为准。）" if version > 1 else "")


def is_supplement(verdict: Verdict, filing: Filing | None) -> bool:
    return verdict.reading is Reading.SUPPLEMENT and (filing is None or not filing.superseded)
