"""What a list row of cases loads with its page (docs/architecture.md, "Lists at scale")."""

from __future__ import annotations

from sqlalchemy.orm import defer, joinedload
from sqlalchemy.orm.interfaces import ORMOption

from power_lists.models import PowerItem
from service_hall.accounts.models import User
from service_hall.cases.models import Application
from service_hall.jurisdictions.models import Jurisdiction

# What a list row of cases prints, joined by primary key into the page's own statement (docs/architecture.md,
# "Lists at scale"): the item's power type (for the status label), the town's name, the applicant's name;
# the form values and the signed pledge text stay in the database.
LIST_ROW = (
    defer(Application.data), defer(Application.pledge_text),
    joinedload(Application.power_item, innerjoin=True).load_only(PowerItem.id, PowerItem.power_type),
    joinedload(Application.town, innerjoin=True).load_only(Jurisdiction.id, Jurisdiction.code, Jurisdiction.name),
)
APPLICANT_NAME: ORMOption = (joinedload(Application.applicant, innerjoin=True)
                             .load_only(User.id, User.real_name, User.organisation_name)
                             .lazyload(User.extra_roles))
