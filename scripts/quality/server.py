"""A static file server on 127.0.0.1 for the checks, gzip-compressing text like a real host."""

from __future__ import annotations

import gzip
import io
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

COMPRESSIBLE = ("text/", "application/json", "application/xml", "application/atom+xml",
                "application/javascript", "image/svg+xml")  # fmt: skip


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - replaces the base class's own map
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".xml": "application/xml",
        ".csv": "text/csv; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
        ".svg": "image/svg+xml",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        """Serve the file, gzip-compressed when the client accepts it and the type is text."""
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the base class redirects to the slash form
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        ctype = self.guess_type(str(path))
        if not (wants_gzip and path.is_file() and ctype.startswith(COMPRESSIBLE)):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)


def free_port() -> int:
    """A port that is free on 127.0.0.1 now (for a site built with that port in SITEURL)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(root: Path, port: int = 0) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1; yields the base URL (``http://127.0.0.1:PORT/``)."""
    handler = partial(_Handler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="quality-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
