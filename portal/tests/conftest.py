# The demands tests' own set-up (default categories, a fresh work calendar) applies here too.
from demands.tests.conftest import _fresh_work_calendar, api_key, default_categories  # noqa: F401
