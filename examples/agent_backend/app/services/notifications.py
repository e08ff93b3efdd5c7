"""Notifications: fan out agent and chat events to subscribers."""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.agents.supervisor import hooks

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notification:
    """An event published on a topic."""

    topic: str
    payload: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Notification], None]


class NotificationCenter:
    """In-process publish/subscribe hub."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[str, list[Subscriber]] = defaultdict(list)

    def subscribe(self, topic: str, subscriber: Subscriber) -> None:
        """Deliver every notification on ``topic`` to ``subscriber``."""
        self._subscribers[topic].append(subscriber)

    def publish(self, notification: Notification) -> int:
        """Deliver ``notification``; return the number of successful deliveries."""
        delivered = 0
        for subscriber in self._subscribers.get(notification.topic, []):
            try:
                subscriber(notification)
                delivered += 1
            except Exception:
                logger.exception("subscriber failed for %s", notification.topic)
        return delivered


_center = NotificationCenter()


def get_notification_center() -> NotificationCenter:
    """Return the process-wide notification center."""
    return _center


def notify(topic: str, **payload: Any) -> int:
    """Publish an event and run the supervisor hooks registered for it."""
    delivered = _center.publish(Notification(topic, payload))
    return delivered + hooks.run_hooks(topic, payload)
