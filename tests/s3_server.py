"""A real S3-compatible HTTP server for the object storage tests: moto's server mode (`moto_server`,
from PyPI; MinIO's server is not packaged on these machines), started as its own process on a free
port, with an empty private bucket. Import the fixture into a test module to use it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "moto_server"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3_server(tmp_path):
    """{"bucket", "endpoint_url", "access_key", "secret_key", "region", "env"}: the server's settings,
    as config.settings.PRIVATE_S3 and as the DANGJIAN_S3_* environment of a child process."""
    import boto3

    port = _free_port()
    log = open(tmp_path / "moto.log", "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen([str(BIN), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)  # noqa: S310 - local test server
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("moto_server did not start: " + (tmp_path / "moto.log").read_text()[-500:])
            time.sleep(0.2)
    conf = {"bucket": "dangjian-private", "endpoint_url": endpoint, "access_key": "test-access",
            "secret_key": "test-secret", "region": "us-east-1", "prefix": "", "verify": None,
            "addressing_style": "path", "url_seconds": 60}
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=conf["access_key"],
                          aws_secret_access_key=conf["secret_key"], region_name=conf["region"])
    client.create_bucket(Bucket=conf["bucket"])
    conf["client"] = client
    conf["env"] = {"DANGJIAN_S3_BUCKET": conf["bucket"], "DANGJIAN_S3_ENDPOINT_URL": endpoint,
                   "DANGJIAN_S3_ACCESS_KEY": conf["access_key"], "DANGJIAN_S3_SECRET_KEY": conf["secret_key"],
                   "DANGJIAN_S3_REGION": conf["region"]}
    try:
        yield conf
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


S3RVER = Path(__file__).resolve().parent / "s3rver" / "node_modules" / "s3rver" / "bin" / "s3rver.js"


@pytest.fixture
def s3rver_server(tmp_path):
    """An S3 server that, like MinIO and S3 and unlike moto, refuses a presigned URL once it has expired:
    s3rver from npm (tests/s3rver/, installed by `make test`), with an empty bucket. Same shape as
    `s3_server`. Its fixed credentials are S3RVER/S3RVER."""
    import os
    import shutil

    import boto3
    from botocore.client import Config

    node = shutil.which("node")
    if not (node and S3RVER.exists()):
        if os.environ.get("CI") == "true":
            pytest.fail("s3rver is not installed (tests/s3rver): `make test` installs it")
        pytest.skip("s3rver is not installed (tests/s3rver): `make test` installs it")
    port = _free_port()
    bucket = "dangjian-private"
    (tmp_path / "s3data").mkdir()
    log = open(tmp_path / "s3rver.log", "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen([node, str(S3RVER), "-d", str(tmp_path / "s3data"), "-a", "127.0.0.1", "-p", str(port),
                             "--configure-bucket", bucket, "--silent"], stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("s3rver did not start: " + (tmp_path / "s3rver.log").read_text()[-500:]) from None
            time.sleep(0.2)
    conf = {"bucket": bucket, "endpoint_url": endpoint, "access_key": "S3RVER", "secret_key": "S3RVER",
            "region": "us-east-1", "prefix": "", "verify": None, "addressing_style": "path", "url_seconds": 60}
    conf["client"] = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="S3RVER",
                                  aws_secret_access_key="S3RVER", region_name="us-east-1",
                                  config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    try:
        yield conf
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
