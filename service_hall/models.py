"""Import every model module so that the metadata (and Alembic autogenerate) sees all tables."""

from forms.models import FormDefinitionVersion  # noqa: F401
from power_lists.models import ItemDelegation, PendingImport, PowerItem, PowerListVersion  # noqa: F401
from service_hall.accounts.credentials import UserSession  # noqa: F401
from service_hall.accounts.models import ApiToken, User  # noqa: F401
from service_hall.accounts.throttle import LoginThrottle  # noqa: F401
from service_hall.audit.models import AuditChainHead, AuditRecord  # noqa: F401
from service_hall.calendar.models import CalendarDay  # noqa: F401
from service_hall.cases.models import (  # noqa: F401
    AccountabilityTrigger,
    Application,
    ApplicationMaterial,
    ClockPause,
    CorrectionNotice,
    Counter,
    Delivery,
    FollowUpCheck,
    Notice,
    Rating,
    RectificationTask,
    ReviewOpinion,
    Visit,
)
from service_hall.certificates.models import Certificate  # noqa: F401
from service_hall.files.models import ApplicantFile, ReuseGrant, StoredBlob  # noqa: F401
from service_hall.jurisdictions.models import Jurisdiction  # noqa: F401
