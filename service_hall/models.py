"""Import every model module so that the metadata (and Alembic autogenerate) sees all tables."""

import service_hall.bundles.guards  # keeps a bundle's order and 统一出件 whatever changes an item case
import service_hall.bundles.opinions  # adds 征求意见 reminders to the deadline sweep
import service_hall.bundles.prerequisites  # starts or ends an item waiting for another's result
import service_hall.cases.figures  # keeps the daily figures with every flush
import service_hall.cases.guards
import service_hall.notifications.events  # noqa: F401  (subscribes the outbox to the case flow's events)
from forms.models import FormDefinitionVersion  # noqa: F401
from power_lists.models import ItemDelegation, PendingImport, PowerItem, PowerListVersion  # noqa: F401
from service_hall.accounts.credentials import UserSession  # noqa: F401
from service_hall.accounts.models import ApiToken, User, UserRole  # noqa: F401
from service_hall.accounts.recovery import PasswordResetCode  # noqa: F401
from service_hall.accounts.throttle import LoginThrottle  # noqa: F401
from service_hall.audit.models import AuditChainHead, AuditRecord  # noqa: F401
from service_hall.bundles.models import (  # noqa: F401
    Bundle,
    BundleCase,
    BundleCaseItem,
    BundleCorrection,
    OpinionRequest,
    ReusedMaterial,
)
from service_hall.calendar.models import CalendarDay  # noqa: F401
from service_hall.cases.designs import OutcomeDesign  # noqa: F401
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
from service_hall.files.jobs import Job  # noqa: F401
from service_hall.files.models import ApplicantFile, ReuseGrant, StoredBlob, StoredLargeObject  # noqa: F401
from service_hall.jurisdictions.models import Jurisdiction  # noqa: F401
from service_hall.notifications.models import (  # noqa: F401
    CaseMessage,
    DeliveryAttempt,
    Event,
    InboxItem,
    NoticeReceipt,
    OutboxMessage,
    Preference,
    ThreadRead,
    WebhookSubscription,
)
from service_hall.offices.models import Office, ServiceWindow  # noqa: F401
from service_hall.search import index as _search_index  # noqa: F401  (indexes versions as they are published)
from service_hall.search.models import SearchAlias, SearchDocument, SearchDocumentTown, SearchMiss  # noqa: F401
