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
