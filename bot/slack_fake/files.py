"""files_upload_v2 as Slack serves it: an upload URL, the upload, then the share.

``files.getUploadURLExternal`` hands out a file id and an upload URL (served here, at
``/upload/<file id>``); the client POSTs the bytes there; ``files.completeUploadExternal``
shares the uploaded files into a channel (a DM, for /addons) with the message's blocks
or initial comment. Each uploaded file is kept with its bytes.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class UploadedFile:
    """A file the app uploaded and shared: its name, title and bytes."""

    id: str
    filename: str
    title: str
    content: bytes


class FileUploads:
    """The three steps of an external upload; the files are kept in ``files``."""

    def __init__(self) -> None:
        self.files: dict[str, UploadedFile] = {}  # shared, by id
        self._announced: dict[str, tuple[str, int]] = {}  # id -> (filename, length)
        self._received: dict[str, bytes] = {}  # id -> the uploaded bytes
        self._file_ids = itertools.count(1)

    def add_upload_route(self, app: web.Application) -> None:
        """Serve the upload URLs."""
        app.router.add_post("/upload/{file_id}", self._handle_upload)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self._announced:
            return web.Response(status=404, text="unknown upload")
        body = await request.read()  # slack_sdk posts the bytes as the body
        self._received[file_id] = body
        return web.Response(text=f"OK - {len(body)}")

    def announce_upload(self, params: dict[str, Any], base: str) -> dict[str, Any]:
        """files.getUploadURLExternal: a file id and where to upload its bytes."""
        filename = str(params.get("filename") or "")
        length = str(params.get("length") or "")
        if not filename or not length.isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_ids):09d}"
        self._announced[file_id] = (filename, int(length))
        return {"ok": True, "file_id": file_id, "upload_url": f"{base}/upload/{file_id}"}

    def complete_upload(self, params: dict[str, Any]) -> list[UploadedFile] | str:
        """The shared files of a completeUploadExternal call, or Slack's error code."""
        wanted = params.get("files") or []
        if isinstance(wanted, str):
            try:
                wanted = json.loads(wanted)
            except json.JSONDecodeError:
                return "invalid_arguments"
        shared = []
        for item in wanted:
            file_id = str(item.get("id", ""))
            if file_id not in self._received:
                return "file_not_found"
            filename, length = self._announced[file_id]
            content = self._received[file_id]
            if len(content) != length:
                return "file_upload_size_mismatch"
            title = str(item.get("title") or filename)
            shared.append(UploadedFile(file_id, filename, title, content))
        if not shared:
            return "invalid_arguments"
        for file in shared:
            self.files[file.id] = file
        return shared
