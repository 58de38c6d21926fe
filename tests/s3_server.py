"""A real S3-compatible server for tests: moto in server mode, in its own process.

Tests start it with :func:`moto_server` (a context manager giving its
endpoint URL), create buckets in named regions and upload folders with
:func:`upload`. Fake credentials are set for the test process only.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing-key-id",
    "AWS_SECRET_ACCESS_KEY": "testing-secret-key",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_command(port: int) -> list[str]:
    exe = Path(sys.executable).with_name("moto_server")
    if exe.exists():
        return [str(exe), "-H", "127.0.0.1", "-p", str(port)]
    found = shutil.which("moto_server")
    if found is None:
        pytest.skip("moto[server] is not installed (pip install -e '.[test]')")
    return [found, "-H", "127.0.0.1", "-p", str(port)]


@contextmanager
def moto_server() -> Iterator[str]:
    """Start moto's S3 server on a free port; yield its endpoint URL; stop it afterwards."""
    port = _free_port()
    proc = subprocess.Popen(_server_command(port), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, **FAKE_ENV})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def client(endpoint: str):  # noqa: ANN201 - a boto3 client
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=FAKE_ENV["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=FAKE_ENV["AWS_SECRET_ACCESS_KEY"])


def make_bucket(endpoint: str, name: str, region: str) -> None:
    """Create a bucket in ``region`` (us-east-1 takes no location constraint)."""
    kw = {} if region == "us-east-1" else \
        {"CreateBucketConfiguration": {"LocationConstraint": region}}
    client(endpoint).create_bucket(Bucket=name, **kw)


def upload(endpoint: str, folder: Path, bucket: str, prefix: str = "") -> None:
    """Upload every file below ``folder`` to ``bucket/prefix``, keeping relative paths."""
    s3 = client(endpoint)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            key = "/".join(p for p in (prefix.strip("/"), path.relative_to(folder).as_posix())
                           if p)
            s3.upload_file(str(path), bucket, key)
