"""The order of a bundle and 统一出件, checked whenever an item case changes status, whichever page or
API does it (docs/bundles.md, "Cases"):

- an item that needs another item's result is not approved before that item is;
- with 统一出件 (``Delivery.TOGETHER``) no result is delivered alone while another item is still open.

Checked at flush time (like the closed-town guard of ``service_hall.cases.guards``) so no entry point
can forget it. Raises Conflict with the reason.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from service_hall.bundles.models import BundleCaseItem, Delivery
from service_hall.cases.models import Application, CaseStatus
from service_hall.core.errors import Conflict

_DECIDED = frozenset({CaseStatus.APPROVED, CaseStatus.DELIVERED, CaseStatus.REFUSED, CaseStatus.DENIED,
                      CaseStatus.WITHDRAWN, CaseStatus.REVOKED, CaseStatus.TERMINATED})


class BundleOrder(Conflict):
    """An item case moved out of the order its bundle sets."""


def _new_status(obj: Application) -> CaseStatus | None:
    history = inspect(obj).attrs.status.history
    return history.added[0] if history.added else None


@event.listens_for(Session, "before_flush")
def _keep_bundle_order(session: Session, flush_context: Any, instances: Any) -> None:
    changed = [(obj, status) for obj in session.dirty if isinstance(obj, Application)
               and (status := _new_status(obj)) in (CaseStatus.APPROVED, CaseStatus.DELIVERED)]
    if not changed:
        return
    with session.no_autoflush:
        for case, status in changed:
            link = session.scalar(select(BundleCaseItem).where(BundleCaseItem.application_id == case.id))
            if link is None:
                continue
            bundle_case = link.bundle_case
            others = {other.item_code: other.application for other in bundle_case.links if other.id != link.id}
            if status is CaseStatus.APPROVED:
                waiting = [others[code].item_name for code in bundle_case.bundle.after(link.item_code)
                           if code in others and others[code].status not in (CaseStatus.APPROVED,
                                                                             CaseStatus.DELIVERED)]
                if waiting:
                    raise BundleOrder("本事项需要" + "、".join(f"“{n}”" for n in waiting)
                                      + "的办理结果，须待其准予后再作出决定")
            elif bundle_case.delivery is Delivery.TOGETHER:
                open_ = [c.item_name for c in others.values() if c.status not in _DECIDED]
                if open_:
                    raise BundleOrder("申请人选择统一出件：须待" + "、".join(f"“{n}”" for n in open_)
                                      + "作出决定后一并送达")
