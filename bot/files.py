"""Sending a file to someone's DM the way Slack now wants it: an upload URL, the bytes, then sharing it."""

from __future__ import annotations

import urllib.request
from typing import IO

from slack_sdk import WebClient

UPLOAD_TIMEOUT_SECONDS = 300


def share_file_in_dm(client: WebClient, *, user_id: str, file: IO[bytes], filename: str, title: str,
                     comment: str) -> str:
    """Upload `file` (read from where it stands, not held in memory whole) and share it in the person's DM with
    copbot; returns the file's id. Raises on any step that fails (SlackApiError, or URLError for the upload)."""
    length = file.seek(0, 2)
    file.seek(0)
    answer = client.files_getUploadURLExternal(filename=filename, length=length)
    upload = urllib.request.Request(str(answer["upload_url"]), data=file, method="POST",
                                    headers={"Content-Length": str(length),
                                             "Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(upload, timeout=UPLOAD_TIMEOUT_SECONDS) as response:  # noqa: S310 (Slack's URL)
        response.read()
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_completeUploadExternal(files=[{"id": answer["file_id"], "title": title}], channel_id=channel,
                                        initial_comment=comment)
    return str(answer["file_id"])
