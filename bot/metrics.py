"""Prometheus metrics of one bot process, in a registry of its own (a test's application has its
own, and two in one process do not mix).

What the process does it counts itself: updates handled by type and outcome, how long each took,
notifications that failed by reason, escalations. What the database knows is read from it when
scraped, so every replica tells the same truth about it: the outbox's depth and oldest age, the
reports filed by category (counted from the reports themselves, so a restart loses nothing).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, generate_latest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import DeliveryStatus, Notification, ReportStatus, SeizureReport, utcnow

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# An update is handled in tens of milliseconds; an export or a PDF takes seconds.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Waiting to be sent: new, retried, or sent again because the first send's outcome is unknown.
UNSENT = (DeliveryStatus.PENDING, DeliveryStatus.OUTCOME_UNKNOWN)


class Metrics:
    def __init__(self, replica_id: str = "-") -> None:
        self.registry = CollectorRegistry()
        Info(
            "seizure_replica", "Which bot process this is (REPLICA_ID)", registry=self.registry
        ).info({"replica": replica_id})
        self.updates = Counter(
            "seizure_updates_handled",
            "Updates handled, by update type and outcome (handled, failed: tried again, given_up)",
            ["type", "outcome"],
            registry=self.registry,
        )
        self.handling_seconds = Histogram(
            "seizure_update_handling_seconds",
            "Time to handle one update, by update type",
            ["type"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.notifications_failed = Counter(
            "seizure_notifications_failed",
            "Notification sends that failed, by reason",
            ["reason"],
            registry=self.registry,
        )
        self.escalations = Counter(
            "seizure_escalations",
            "Unacknowledged reports escalated a level by this process",
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "seizure_outbox_depth", "Notifications waiting to be sent", registry=self.registry
        )
        self.outbox_oldest_age = Gauge(
            "seizure_outbox_oldest_age_seconds",
            "Age of the oldest notification waiting to be sent (0: none waits)",
            registry=self.registry,
        )
        self.reports_filed = Gauge(
            "seizure_reports_filed",
            "Reports filed (all time, from the database), by category",
            ["category"],
            registry=self.registry,
        )

    def update_handled(self, update_type: str, outcome: str, seconds: float) -> None:
        self.updates.labels(update_type, outcome).inc()
        self.handling_seconds.labels(update_type).observe(seconds)

    async def read_database(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        """The outbox and the reports as the database has them now."""
        async with session_factory() as session:
            depth, oldest = (
                await session.execute(
                    select(func.count(), func.min(Notification.created_at)).where(
                        Notification.status.in_(UNSENT)
                    )
                )
            ).one()
            filed = await session.execute(
                select(SeizureReport.category, func.count())
                .where(SeizureReport.status != ReportStatus.DRAFT)
                .group_by(SeizureReport.category)
            )
            by_category = dict(filed.all())
        self.outbox_depth.set(depth)
        age = (utcnow() - oldest).total_seconds() if oldest else 0.0
        self.outbox_oldest_age.set(max(age, 0.0))
        for category, count in by_category.items():
            self.reports_filed.labels(category.value).set(count)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
