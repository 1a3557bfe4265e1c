"""Operators' view: /metrics in the Prometheus text format, /healthz, JSON log lines, outage lines."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.fakeapi import FakeTelegram
from bot.logs import JsonFormatter, OutageLog
from bot.monitoring import health
from bot.settings import Settings
from bot.usecases.runtime import open_runtime
from storage import deliveries as delivery_queries
from storage import session_scope
from tests.helpers import ADMIN, DatabaseProxy, running_bot


async def test_metrics_and_health_are_served_and_parse(
    fake: FakeTelegram, database_url: str, own_sample_path
) -> None:
    async with running_bot(
        fake,
        database_url,
        monitoring_port=0,
        scheduler_interval_seconds=0.2,
        delivery_chat_interval_seconds=0,
    ) as application:
        await fake.reply_to(501, "/subscribe")
        await fake.reply_to(501, "/schedule instant")
        before = len(fake.messages_to(ADMIN))
        fake.send_document(ADMIN, own_sample_path.name, own_sample_path.read_bytes())
        await fake.wait_for_messages(ADMIN, 2, after=before)
        await fake.wait_for_messages(501, 3)  # two replies, then the pushed digest
        port = application.bot_data.monitoring.port
        runtime = application.bot_data.runtime
        for _ in range(50):  # until a tick has run and the pushed digest is recorded as sent
            async with session_scope(runtime.sessions) as session:
                sent = (await delivery_queries.delivery_counts(session))["sent"]
            if runtime.last_tick_at is not None and sent:
                break
            await asyncio.sleep(0.1)
        async with httpx.AsyncClient() as client:
            metrics = await client.get(f"http://127.0.0.1:{port}/metrics")
            healthz = await client.get(f"http://127.0.0.1:{port}/healthz")
    assert metrics.status_code == 200
    families = {family.name: family for family in text_string_to_metric_families(metrics.text)}
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families.values()
        for sample in family.samples
    }
    assert samples[("digestbot_deliveries_total", (("outcome", "sent"),))] >= 1
    assert samples[("digestbot_articles_ingested_total", (("via", "upload"),))] >= 1
    assert samples[("digestbot_outbox_rows", (("state", "sent"),))] >= 1
    assert samples[("digestbot_send_seconds_count", ())] >= 1
    assert samples[("digestbot_tick_seconds_count", ())] >= 1
    assert "digestbot_poll_seconds" in families and "digestbot_telegram_429" in families
    assert healthz.status_code == 200
    details = healthz.json()
    assert details["status"] == "ok" and details["database"] == "ok" and details["last_tick"]


async def test_health_is_unhealthy_when_the_database_is_down() -> None:
    settings = Settings(database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nothing")
    async with open_runtime(settings) as runtime:
        healthy, details = await health(runtime)
    assert not healthy and details["status"] == "unhealthy" and "database" in details


def test_an_outage_is_two_log_lines_not_a_traceback_per_try(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    outage = OutageLog(logging.getLogger("digestbot.test"), "the database")
    for _ in range(20):
        outage.failed(ConnectionRefusedError("connection refused"))
    outage.answered()
    outage.answered()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(":")[0] for r in warnings] == [
        "the database is failing",
        "the database answers again after 0 s",
    ]
    assert all(r.exc_info is None for r in caplog.records)


def test_json_log_lines() -> None:
    record = logging.LogRecord("digestbot", logging.WARNING, __file__, 1, "hello %s", ("world",), None)
    entry = json.loads(JsonFormatter().format(record))
    assert (
        entry["message"] == "hello world" and entry["level"] == "WARNING" and entry["logger"] == "digestbot"
    )


async def test_healthz_answers_503_within_a_second_when_the_database_hangs(postgres_url: str) -> None:
    """What the /healthz handler answers with, against a database that stops answering."""
    from sqlalchemy.engine import make_url

    from tests.helpers import reset_database

    await reset_database(postgres_url)
    url = make_url(postgres_url)
    proxy = DatabaseProxy(url.port or 5432)
    await proxy.start()
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
    try:
        async with open_runtime(Settings(database_url=through_proxy)) as runtime:
            healthy, _ = await health(runtime)
            assert healthy
            proxy.blackhole = True
            started = asyncio.get_running_loop().time()
            healthy, details = await health(runtime)
            elapsed = asyncio.get_running_loop().time() - started
            proxy.cut()  # the engine's connections end, and it closes
        assert not healthy and elapsed < 1.0 and "no answer" in str(details["database"])
    finally:
        await proxy.stop()
