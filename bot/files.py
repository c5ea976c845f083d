"""Sending a file the way Slack now wants it: an upload URL, the bytes, then sharing it in a channel or a DM."""

from __future__ import annotations

import io
import urllib.request
from typing import IO

from slack_sdk import WebClient

from bot.charts import Chart, render_png

UPLOAD_TIMEOUT_SECONDS = 300


def share_file(client: WebClient, *, channel_id: str, file: IO[bytes], filename: str, title: str, comment: str,
               alt_txt: str | None = None, thread_ts: str | None = None) -> str:
    """Upload `file` (read from where it stands, not held in memory whole) and share it in `channel_id` (a
    channel or a DM's id); returns the file's id. Raises on any step that fails (SlackApiError, or URLError
    for the upload)."""
    length = file.seek(0, 2)
    file.seek(0)
    asked = {"alt_txt": alt_txt} if alt_txt else {}
    answer = client.files_getUploadURLExternal(filename=filename, length=length, **asked)
    upload = urllib.request.Request(str(answer["upload_url"]), data=file, method="POST",
                                    headers={"Content-Length": str(length),
                                             "Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(upload, timeout=UPLOAD_TIMEOUT_SECONDS) as response:  # noqa: S310 (Slack's URL)
        response.read()
    threaded = {"thread_ts": thread_ts} if thread_ts else {}
    client.files_completeUploadExternal(files=[{"id": answer["file_id"], "title": title}], channel_id=channel_id,
                                        initial_comment=comment, **threaded)
    return str(answer["file_id"])


def share_file_in_dm(client: WebClient, *, user_id: str, file: IO[bytes], filename: str, title: str,
                     comment: str, alt_txt: str | None = None) -> str:
    """`share_file` into the person's DM with copbot."""
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    return share_file(client, channel_id=channel, file=file, filename=filename, title=title, comment=comment,
                      alt_txt=alt_txt)


def share_chart(client: WebClient, *, chart: Chart, filename: str, comment: str, channel_id: str | None = None,
                user_id: str | None = None, thread_ts: str | None = None) -> str:
    """Draw `chart` and share it as a PNG, with its alt text, in `channel_id` or else in `user_id`'s DM."""
    png = io.BytesIO(render_png(chart))
    name = filename if filename.endswith(".png") else f"{filename}.png"
    if channel_id is None:
        if user_id is None:
            raise ValueError("share_chart needs a channel_id or a user_id")
        return share_file_in_dm(client, user_id=user_id, file=png, filename=name, title=chart.title,
                                comment=comment, alt_txt=chart.alt_text())
    return share_file(client, channel_id=channel_id, file=png, filename=name, title=chart.title, comment=comment,
                      alt_txt=chart.alt_text(), thread_ts=thread_ts)
