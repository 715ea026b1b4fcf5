"""The story stage's logic over plain mappings: stories, suppression, escalation, spikes.

The worker passes changelogged faust Tables as the mappings; tests pass dicts. One call per
article, in event-time order, returns the alert messages to publish (new alerts, updates
and spike alerts); matches that change nothing are counted in ``suppressed``.

At-least-once delivery hands the stage an article again after a crash, and the tables
may already hold its effect: their changelogs run ahead of the committed input offset.
So each processed article is marked in ``processed``: a repeat sends nothing and leaves
stories, alert state and spike counts as they are. Its alerts were sent already: the stage
writes the marks to their changelog only once the broker has its alerts and other state
(streams/alert/story_agent.py, ``write_through``).

Only the newest ``PROCESSED_KEPT`` marks are kept: a repeat is one of the articles
processed since the input's last commit, always the most recent ones, whereas keeping a
mark for the whole story window held ~330 bytes an article for 72 hours (4 GB at 50/s).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from ..spikes import SpikeRule, keys_for, observe
from ..stories import StoryParams, article_unit, assign, event_unit
from .build import build_alert, build_spike_alert
from .suppression import decide

Mapping_ = MutableMapping[str, Any]
# Marks of the articles processed last, in processing order. Commits trail processing by
# about a second, or by as long as the reorder buffer holds one article back (30 s at
# most): at 100 articles/s that is 3,000 marks, so 20,000 leaves a wide margin.
PROCESSED_KEPT = 20_000


@dataclass
class StoryBook:
    stories: Mapping_
    index: Mapping_
    alerts: Mapping_
    counts: Mapping_
    spike_rules: list[SpikeRule]
    params: StoryParams = field(default_factory=StoryParams)
    suppression_window: float = 24 * 3600.0
    on_suppressed: Callable[[str], None] | None = None
    processed: Mapping_ = field(default_factory=dict)  # article id -> {"at": event time}
    processed_kept: int = PROCESSED_KEPT
    _order: deque[str] | None = field(default=None, init=False, repr=False)

    def process(self, matched: dict[str, Any], now: float) -> list[dict[str, Any]]:
        article = matched["article"]
        done = self.processed.get(article["id"])
        if done is not None:  # delivered again (a restart): its alerts are out already
            return []
        out = self._process(matched, article, now)
        # Written last: the other tables' changelog records are queued before it.
        self.processed[article["id"]] = {"at": article["ingested_at"]}
        self._forget_old_marks(article["id"])
        return out

    def _forget_old_marks(self, newest: str) -> None:
        if self._order is None:
            # Marks recovered from the changelog come in the order they were written.
            self._order = deque(k for k in self.processed if k != newest)
        self._order.append(newest)
        while len(self._order) > self.processed_kept:
            self.processed.pop(self._order.popleft(), None)

    def _process(
        self, matched: dict[str, Any], article: dict[str, Any], now: float
    ) -> list[dict[str, Any]]:
        signature = tuple(matched["signature"]) if matched.get("signature") else None
        out: list[dict[str, Any]] = []
        article_story: str | None = None
        for match in matched["matches"]:
            event = match["event"]
            if match["scope"] == "event" and event is not None and not _is_primary(article, event):
                # A secondary event (a drone strike inside a summit story) is its own story.
                story_id, _ = assign(
                    event_unit(article, event), self.stories, self.index, self.params
                )
            else:
                if article_story is None:
                    article_story, _ = assign(
                        article_unit(article, signature), self.stories, self.index, self.params
                    )
                story_id = article_story
            alert = self._alert(article, match, story_id, now)
            if alert is not None:
                out.append(alert)
        if article_story is None:
            # Articles join their story even when nothing fires, so later alerts list them.
            assign(article_unit(article, signature), self.stories, self.index, self.params)
        out.extend(self._spikes(article, now))
        return out

    def _alert(
        self, article: dict[str, Any], match: dict[str, Any], story_id: str, now: float
    ) -> dict[str, Any] | None:
        event = match["event"]
        killed = event.get("killed") if event is not None else article.get("killed")
        key = f"{match['rule']}|{story_id}"
        decision = decide(
            self.alerts.get(key),
            rule=match["rule"],
            story_id=story_id,
            severity=match["severity"],
            killed=killed,
            places=_places(article, event),
            article_id=article["id"],
            at=article["ingested_at"],
            window=self.suppression_window,
        )
        self.alerts[key] = decision.state
        if decision.action == "suppress":
            if self.on_suppressed is not None:
                self.on_suppressed(match["rule"])
            return None
        story = self.stories[story_id]
        return build_alert(article, match, decision.state, story, story_id, decision.changes, now)

    def _spikes(self, article: dict[str, Any], now: float) -> list[dict[str, Any]]:
        out = []
        for rule in self.spike_rules:
            for key in keys_for(rule, article):
                spike = observe(self.counts, rule, key, article["ingested_at"], article["id"])
                if spike is not None:
                    out.append(build_spike_alert(spike, article, now))
        return out

    def expire(self, now: float) -> int:
        """Forget, by event time, what can no longer matter; return how many entries went.

        Stories close after the story window. An alert's state goes only once its story
        could not reopen either, so an expired state never hands out an old alert id again.
        """
        keep_alerts = max(self.params.window, self.suppression_window)
        gone_stories = [
            k for k, v in list(self.stories.items()) if now - v["last_at"] > self.params.window
        ]
        gone = {
            "stories": gone_stories,
            "alerts": [k for k, v in list(self.alerts.items()) if now - v["last_at"] > keep_alerts],
            "processed": [
                k for k, v in list(self.processed.items()) if now - v["at"] > self.params.window
            ],
        }
        for key in gone["stories"]:
            del self.stories[key]
        for key in gone["alerts"]:
            del self.alerts[key]
        for key in gone["processed"]:
            del self.processed[key]
        dead = set(gone_stories)
        pruned = 0
        for key, ids in list(self.index.items()):
            alive = [i for i in ids if i not in dead and i in self.stories]
            if len(alive) != len(ids):
                pruned += 1
                if alive:
                    self.index[key] = alive
                else:
                    del self.index[key]
        return sum(len(v) for v in gone.values()) + pruned

    def open_stories(self, now_event_time: float) -> int:
        return sum(
            1 for s in self.stories.values() if now_event_time - s["last_at"] <= self.params.window
        )


def _is_primary(article: dict[str, Any], event: dict[str, Any]) -> bool:
    return bool(
        event["event_type"] == article["event_type"]
        and event.get("sub_type") == article.get("event_subtype")
    )


def _places(article: dict[str, Any], event: dict[str, Any] | None) -> list[str]:
    if event is not None:
        place = event.get("location")
        name = place.get("name") if isinstance(place, dict) else place
        if name:
            return [name]
    primary = article.get("primary_location")
    if isinstance(primary, dict) and primary.get("name"):
        return [primary["name"]]
    return []
