from assessment.testing import Plan, plan  # noqa: F401  (shared fixture)
