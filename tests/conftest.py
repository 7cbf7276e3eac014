from demands.tests.conftest import api_key, default_categories  # noqa: F401  (fixtures)
