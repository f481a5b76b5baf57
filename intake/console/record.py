"""Writing an action to the audit log: time, user, address, object, old -> new, reason."""

from __future__ import annotations

from typing import Any

from intake.console.access import client_ip, user
from intake.console.state import current
from storage.audit import AuditEntry


def audit(
    action: str,
    obj: str,
    *,
    reason: str = "",
    period: str = "",
    province: str = "",
    old: Any = None,
    new: Any = None,
) -> AuditEntry:
    desk = current().desk
    return desk.audit.append(
        AuditEntry(
            at=desk.now().isoformat(timespec="seconds"),
            user=user().name,
            ip=client_ip(),
            action=action,
            object=obj,
            reason=reason,
            period=period,
            province=province,
            old=old,
            new=new,
        )
    )
