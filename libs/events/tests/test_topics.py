"""Topics are created explicitly, with the settings replays rely on, and the broker reports them."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from events.kafka import DEAD_LETTER_RETENTION_MS
from events.testing import kafka_for_tests


async def _configs(bootstrap_servers: str, topic: str) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        (response,) = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        await admin.close()
    ((error, _, _, _, entries),) = response.resources
    assert error == 0
    return {entry[0]: entry[1] for entry in entries}


async def test_event_topics_keep_every_record_and_dead_letters_a_month(
    bootstrap_servers: str, topic_prefix: str
) -> None:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=3)
    events, letters = kafka.topic("sample"), kafka.dead_letter_topic("sample.watch")
    assert await kafka.ensure_topics(events, letters) == {events: 3, letters: 3}

    settings = await _configs(bootstrap_servers, events)
    assert settings["retention.ms"] == "-1"  # rebuilds and replays read every topic from its start
    assert settings["retention.bytes"] == "-1"
    assert settings["cleanup.policy"] == "delete"  # compaction would keep a stream's last event only
    assert (await _configs(bootstrap_servers, letters))["retention.ms"] == str(DEAD_LETTER_RETENTION_MS)


async def test_ensuring_an_existing_topic_reports_the_partitions_it_has(
    bootstrap_servers: str, topic_prefix: str
) -> None:
    first = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=2)
    topic = first.topic("sample")
    await first.ensure_topics(topic)
    # A topic that exists is left as it is (a client's metadata request may have created it):
    # the caller learns its real partition count rather than the one it asked for.
    later = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=8)
    assert await later.ensure_topics(topic) == {topic: 2}
