"""An in-memory Bot API for benchmarks: answers every call at once and counts them."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 999
BOT_USERNAME = "school_aup_bot"
DATE = 1_795_000_000


class LoopbackBotApi(BaseRequest):
    """Replies to each Bot API call with a plausible result, without any network."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._message_id = 1000

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Records the call and returns its canned result."""
        endpoint = url.rsplit("/", 1)[-1]
        self.counts[endpoint] += 1
        params = request_data.parameters if request_data is not None else {}
        return 200, json.dumps({"ok": True, "result": self._result(endpoint, params)}).encode()

    def _result(self, endpoint: str, params: dict[str, Any]) -> Any:
        if endpoint == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "School assistant",
                    "username": BOT_USERNAME}
        if endpoint in {"sendMessage", "sendDocument"}:
            self._message_id += 1
            return {"message_id": self._message_id, "date": DATE,
                    "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                    "text": str(params.get("text", ""))}
        return True
