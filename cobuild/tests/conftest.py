import pytest

from cobuild.testing import Units, units  # noqa: F401  (shared fixture)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded photos and agreement scans go to a throw-away folder, not var/media.
    settings.MEDIA_ROOT = str(tmp_path / "media")
