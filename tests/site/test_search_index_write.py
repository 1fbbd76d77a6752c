"""A bundle is whole before Pagefind is stopped (site/search_index.py, ``_write``).

Pagefind can answer "written" before its last file, ``pagefind-entry.json``, is on disk, and
when stopped then it leaves that file empty (seen under load: 7 bundles of 40). Here the
real binary runs behind a relay that makes the race certain: it holds the entry file back
(renamed aside) when it passes on the binary's answer to the write, puts it back half a
second later, and, like the binary, stops at once, the file still aside, when its input
ends. The bundle must come out whole.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pagefind.service import get_executable
from tag_digest.site.search import SearchRecord
from tag_digest.site.search_index import ENTRY, bundle_complete, write_bundle

RELAY = r"""#!{python}
import base64, json, os, subprocess, sys, threading, time
real = subprocess.Popen([{real!r}, *sys.argv[1:]], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
outputs = {{}}
def forward_input():
    data = b""
    while chunk := os.read(0, 65536):
        real.stdin.write(chunk); real.stdin.flush()
        data += chunk
        *messages, data = data.split(b",")
        for m in messages:
            request = json.loads(base64.b64decode(m))
            if request["payload"].get("type") == "WriteFiles":
                outputs[request["message_id"]] = request["payload"]["output_path"]
    os._exit(0)  # input ended: stop at once, as the binary does
def restore(held, entry):
    time.sleep(0.5)
    os.rename(held, entry)
threading.Thread(target=forward_input, daemon=True).start()
data = b""
while chunk := os.read(real.stdout.fileno(), 65536):
    data += chunk
    *messages, data = data.split(b",")
    for m in messages:
        reply = json.loads(base64.b64decode(m))
        folder = outputs.get(reply.get("message_id"))
        if folder and os.path.exists(os.path.join(folder, {entry!r})):
            entry = os.path.join(folder, {entry!r})
            os.rename(entry, entry + ".held")
            threading.Thread(target=restore, args=(entry + ".held", entry)).start()
        os.write(1, m + b",")
"""


def test_a_bundle_is_whole_before_pagefind_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = get_executable()
    assert real is not None
    relay = tmp_path / "pagefind"
    relay.write_text(RELAY.format(python=sys.executable, real=str(real), entry=ENTRY), "utf-8")
    relay.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(relay))
    records = [
        SearchRecord(
            url=f"days/2024-12-0{n}/index.html#p-{n}",
            content=text,
            language="ru",
            meta={"title": "Автор"},
            filters={"tag": ["#rstats"], "month": ["2024-12"]},
        )
        for n, text in enumerate(["Кошка сидит на окне", "Собака спит у двери"], start=1)
    ]
    target = write_bundle(records, tmp_path / "bundle")
    assert bundle_complete(target)
    entry = json.loads((target / ENTRY).read_text(encoding="utf-8"))
    assert entry["languages"]["ru"]["page_count"] == 2
    assert not list(target.glob("*.held"))
