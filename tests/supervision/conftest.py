from tests.cases.conftest import world  # noqa: F401
from tests.review.conftest import _fresh_sweeper, rworld  # noqa: F401
