"""Post alerts to a webhook as JSON with a Slack-compatible body, retrying with backoff."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

log = logging.getLogger(__name__)
ICONS = {
    "critical": ":rotating_light:",
    "high": ":red_circle:",
    "medium": ":large_orange_circle:",
    "low": ":white_circle:",
}


def slack_body(alert: dict[str, Any]) -> dict[str, Any]:
    """``text`` is what Slack shows; the whole alert rides along for other receivers."""
    where = ", ".join(alert.get("countries", [])[:3]) or "-"
    text = (
        f"{ICONS.get(alert['severity'], '')} *{alert['severity'].upper()}* "
        f"`{alert['rule']}` ({where}) v{alert['version']}: {alert['title']}\n"
        f"{alert['reason']}"
    )
    return {"text": text, "alert": alert}


class WebhookError(RuntimeError):
    pass


@dataclass
class WebhookSink:
    url: str
    retries: int = 5
    backoff: float = 0.5
    timeout: float = 10.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def post(self, session: aiohttp.ClientSession, alert: dict[str, Any]) -> int:
        """POST one alert; retry 5xx, 429 and connection errors; return the attempts used."""
        delay = self.backoff
        for attempt in range(1, self.retries + 2):
            try:
                async with session.post(
                    self.url,
                    json=slack_body(alert),
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                ) as response:
                    if response.status < 300:
                        return attempt
                    if response.status < 500 and response.status != 429:
                        raise WebhookError(
                            f"webhook refused alert {alert['id']}: HTTP {response.status}"
                        )
                    problem = f"HTTP {response.status}"
            except (TimeoutError, aiohttp.ClientError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            if attempt > self.retries:
                break
            log.warning(
                "webhook attempt %d failed (%s); retrying in %.1fs", attempt, problem, delay
            )
            await self.sleep(delay)
            delay *= 2
        raise WebhookError(
            f"webhook gave up on alert {alert['id']} after {attempt} attempts: {problem}"
        )
