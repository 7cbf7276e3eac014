from cobuild.testing import Units, units  # noqa: F401  (shared fixture)
