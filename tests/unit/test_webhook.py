"""The webhook sink against a real local HTTP server."""

import asyncio
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from streams.alert.webhook import WebhookError, WebhookSink, slack_body

ALERT = {
    "id": "a-1",
    "version": 2,
    "rule": "armed_clash",
    "severity": "high",
    "countries": ["ML"],
    "title": "Clash in Kidal",
    "reason": "Battles in Mali (Kidal)",
}


async def _serve(statuses: list[int], seen: list[Any]) -> tuple[web.AppRunner, str]:
    async def handle(request: web.Request) -> web.Response:
        seen.append(await request.json())
        return web.Response(status=statuses.pop(0) if statuses else 200)

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/hook"


def _run(statuses: list[int], sink_kw: dict[str, Any]) -> tuple[Any, list[Any], list[float]]:
    seen: list[Any] = []
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    async def go() -> Any:
        runner, url = await _serve(statuses, seen)
        try:
            sink = WebhookSink(url, sleep=fake_sleep, **sink_kw)
            async with aiohttp.ClientSession() as session:
                return await sink.post(session, ALERT)
        finally:
            await runner.cleanup()

    try:
        return asyncio.run(go()), seen, waits
    except WebhookError as exc:
        return exc, seen, waits


def test_posts_slack_compatible_json() -> None:
    attempts, seen, waits = _run([], {})
    assert attempts == 1 and waits == []
    assert seen == [slack_body(ALERT)]
    assert seen[0]["text"].startswith(":red_circle: *HIGH* `armed_clash` (ML) v2: Clash in Kidal")
    assert seen[0]["alert"] == ALERT


def test_retries_server_errors_with_exponential_backoff() -> None:
    attempts, seen, waits = _run([503, 500, 429], {"backoff": 0.5})
    assert attempts == 4 and len(seen) == 4
    assert waits == [0.5, 1.0, 2.0]


def test_gives_up_after_the_retries_with_one_line() -> None:
    error, seen, _ = _run([503] * 10, {"retries": 2})
    assert isinstance(error, WebhookError) and len(seen) == 3
    assert "gave up on alert a-1 after 3 attempts: HTTP 503" in str(error)


def test_client_errors_are_not_retried() -> None:
    error, seen, waits = _run([400], {})
    assert isinstance(error, WebhookError) and len(seen) == 1 and waits == []


def test_unreachable_endpoint_is_retried_then_reported() -> None:
    async def nowhere() -> Any:
        sink = WebhookSink("http://127.0.0.1:9/hook", retries=1, sleep=lambda s: asyncio.sleep(0))
        async with aiohttp.ClientSession() as session:
            return await sink.post(session, ALERT)

    with pytest.raises(WebhookError, match="after 2 attempts"):
        asyncio.run(nowhere())
