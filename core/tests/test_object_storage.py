"""Private files on S3-compatible object storage (DANGJIAN_S3_*), against a real S3 server the test
starts (tests/s3_server.py): random names, private objects, no public URL, read back by another
process, the readiness probe and the backup's file section reading the bucket."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from core.storage import PrivateS3Storage, PrivateStorage
from tests.s3_server import s3_server  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def s3(s3_server, settings):  # noqa: F811
    settings.PRIVATE_S3 = {k: v for k, v in s3_server.items() if k not in ("client", "env")}
    return s3_server


def test_private_storage_is_the_bucket_when_configured(s3, settings):
    storage = PrivateStorage()
    assert isinstance(storage, PrivateS3Storage)
    assert storage.deconstruct() == ("core.storage.PrivateStorage", (), {})  # migrations unchanged
    name = storage.save(storage.generate_filename("grid/visits/2026/12/门牌.JPG"), ContentFile(b"photo-bytes"))
    assert name.startswith("grid/visits/2026/12/") and name.endswith(".jpg") and "门牌" not in name
    assert len(Path(name).stem) == 32
    body = s3["client"].get_object(Bucket=s3["bucket"], Key=name)["Body"].read()
    assert body == b"photo-bytes"
    grants = s3["client"].get_object_acl(Bucket=s3["bucket"], Key=name)["Grants"]
    assert all(g["Grantee"].get("URI", "").endswith("AllUsers") is False for g in grants)  # not public
    with pytest.raises(ValueError, match="没有公开地址"):
        storage.url(name)
    with pytest.raises(NotImplementedError):
        storage.path(name)
    # Another process (a task worker, another node) with the same environment reads it back.
    env = {**os.environ, **s3["env"]}
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         f"from core.storage import PrivateStorage; s = PrivateStorage(); print(type(s).__name__); "
         f"print(s.open({name!r}, 'rb').read().decode())"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["PrivateS3Storage", "photo-bytes"]
    # A second file under the same upload name never overwrites the first.
    other = storage.save(storage.generate_filename("grid/visits/2026/12/门牌.JPG"), ContentFile(b"other"))
    assert other != name and storage.open(name).read() == b"photo-bytes"


def test_member_photo_storage_keeps_its_migration_name_on_the_bucket(s3):
    from members.models import PrivateStorage as MemberStorage

    storage = MemberStorage()
    assert isinstance(storage, PrivateS3Storage)
    assert storage.deconstruct()[0] == "members.models.PrivateStorage"


def test_a_signed_url_names_its_lifetime_and_serves_the_file(s3):
    storage = PrivateStorage()
    name = storage.save("x/report.pdf", ContentFile(b"%PDF-1.4 test"))
    url = storage.signed_url(name, filename="报告.pdf", content_type="application/pdf", attachment=True)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - the local test server
        assert resp.read() == b"%PDF-1.4 test"
        assert resp.headers["Content-Type"] == "application/pdf"
        assert "attachment" in resp.headers["Content-Disposition"]
    # (moto's server does not check signatures or expiry, so their refusal is MinIO's and S3's to show.)


@pytest.mark.django_db
def test_readyz_checks_the_bucket(s3, client, settings):
    resp = client.get("/readyz")
    assert resp.status_code == 200, resp.content
    storage = resp.json()["checks"]["storage"]
    assert storage["ok"] is True and storage["backend"] == "s3"
    settings.PRIVATE_S3 = {**settings.PRIVATE_S3, "bucket": "no-such-bucket"}
    resp = client.get("/readyz")
    assert resp.status_code == 503 and "storage" in resp.content.decode()


def test_the_backup_file_section_holds_every_object_of_the_bucket(s3):
    from core import backup

    storage = PrivateStorage()
    storage.save("members/photos/a.jpg", ContentFile(b"a" * 10))
    storage.save("imports/2026/b.xlsx", ContentFile(b"b" * 20))

    class Section(io.BytesIO):
        def __init__(self):
            super().__init__()
            import hashlib

            self.digest = hashlib.sha256()

        def write(self, data):
            self.digest.update(data)
            return super().write(data)

        def end(self):
            pass

    section = Section()
    result = backup._write_files(section)
    assert result["count"] == 2 and result["bytes"] == 30
    with tarfile.open(fileobj=io.BytesIO(section.getvalue())) as tar:
        assert sorted(tar.getnames()) == ["imports/2026/b.xlsx", "members/photos/a.jpg"]
        assert tar.extractfile("members/photos/a.jpg").read() == b"a" * 10
