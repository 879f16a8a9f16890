"""With kubo, content nobody provides is the contributor's absence after a bounded wait, not the
operator's outage; a daemon that does not answer at all still is the operator's fault."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dao.storage import ContentNotFound, ContentTooLarge, NotAFile, StorageUnavailable
from dao.storage.kubo import KuboStorage

CID = "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn"


class _FakeDaemon(BaseHTTPRequestHandler):
    """Answers `version` at once; `cat` per the server's `mode`: hang, a directory error, or bytes."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        mode = self.server.mode
        if self.path.startswith("/api/v0/version"):
            body = json.dumps({"Version": "0.29.0"}).encode()
            self.send_response(200)
        elif mode == "hang":
            time.sleep(4)
            return
        elif mode == "directory":
            body = json.dumps(
                {"Message": "this dag node is a directory", "Code": 0, "Type": "error"}
            ).encode()
            self.send_response(500)
        else:
            body = b"x" * 5000
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def daemon():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeDaemon)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def _kubo(server) -> KuboStorage:
    return KuboStorage(f"/ip4/127.0.0.1/tcp/{server.server_address[1]}/http", timeout=1)


def test_content_nobody_provides_is_not_found_after_a_bounded_wait(daemon):
    daemon.mode = "hang"
    started = time.monotonic()
    with pytest.raises(ContentNotFound, match="no IPFS node provided"):
        b"".join(_kubo(daemon).open(CID))
    assert time.monotonic() - started < 10


def test_a_directory_is_not_a_file_and_big_content_stops_at_the_limit(daemon):
    daemon.mode = "directory"
    with pytest.raises(NotAFile, match="directory"):
        b"".join(_kubo(daemon).open(CID))
    daemon.mode = "bytes"
    with pytest.raises(ContentTooLarge):
        b"".join(_kubo(daemon).open(CID, max_bytes=1000))


def test_a_silent_daemon_is_still_the_operator_s_fault():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StorageUnavailable):
        b"".join(KuboStorage(f"/ip4/127.0.0.1/tcp/{port}/http", timeout=1).open(CID))
