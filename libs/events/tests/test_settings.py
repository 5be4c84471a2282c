"""Settings are read through one typed model: a bad value fails at start with a message naming
the variable, and LOG_LEVEL sets how much a process logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from events.kafka import KafkaSettings
from events.logs import configure_logging
from events.settings import Settings, SettingsError, exit_on_bad_settings, load


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test runner's own settings (its broker, its database) are not under test here."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def test_the_defaults_are_the_documented_ones() -> None:
    settings = load(Settings)
    assert settings.kafka_partitions == 8
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert settings.kafka_enable_idempotence is False
    assert settings.kafka_compression is None
    assert settings.events_state_cache_size == 4096
    assert settings.log_level == "INFO"
    assert settings.dealerflow_log_format == "json"
    assert settings.local


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KAFKA_PARTITIONS", "abc", "KAFKA_PARTITIONS: 'abc' is not a valid integer"),
        ("KAFKA_PARTITIONS", "0", "KAFKA_PARTITIONS: '0' should be greater than or equal to 1"),
        ("KAFKA_ENABLE_IDEMPOTENCE", "maybe", "KAFKA_ENABLE_IDEMPOTENCE: 'maybe' is not a valid boolean"),
        ("ACCESS_LOG", "sometimes", "ACCESS_LOG: 'sometimes' is not a valid boolean"),
        ("KAFKA_COMPRESSION", "zip", "KAFKA_COMPRESSION: 'zip' should be 'gzip', 'snappy', 'lz4' or 'zstd'"),
        ("DEALERFLOW_LOG_FORMAT", "xml", "DEALERFLOW_LOG_FORMAT: 'xml' should be 'json' or 'text'"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: 'LOUD' should be 'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL'"),
        ("PORT", "http", "PORT: 'http' is not a valid integer"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        load(Settings)
    assert message in str(refused.value)


def test_every_bad_variable_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_PARTITIONS", "many")
    monkeypatch.setenv("LOG_LEVEL", "chatty")
    with pytest.raises(SettingsError, match=r"KAFKA_PARTITIONS: .*; LOG_LEVEL: "):
        load(Settings)


def test_flags_and_levels_read_as_operators_write_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_ENABLE_IDEMPOTENCE", "on")
    monkeypatch.setenv("LOG_LEVEL", "warning")
    monkeypatch.setenv("KAFKA_COMPRESSION", "")
    settings = load(Settings)
    assert settings.kafka_enable_idempotence is True
    assert settings.log_level == "WARNING"
    assert settings.kafka_compression is None


def test_outside_local_development_the_internal_secret_is_required_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEALERFLOW_ENV", "production")
    with pytest.raises(SettingsError, match="INTERNAL_TOKEN_SECRET must be set"):
        load(Settings)
    monkeypatch.setenv("INTERNAL_TOKEN_SECRET", "a-real-secret")
    assert not load(Settings).local


def test_kafka_settings_are_built_from_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_PARTITIONS", "3")
    monkeypatch.setenv("KAFKA_ENABLE_IDEMPOTENCE", "true")
    monkeypatch.setenv("KAFKA_COMPRESSION", "lz4")
    kafka = KafkaSettings.from_env(topic_prefix="t.")
    assert (kafka.partitions, kafka.enable_idempotence, kafka.compression, kafka.topic_prefix) == (3, True, "lz4", "t.")
    monkeypatch.setenv("KAFKA_PARTITIONS", "abc")
    with pytest.raises(SettingsError, match="KAFKA_PARTITIONS: 'abc' is not a valid integer"):
        KafkaSettings.from_env()


def test_a_process_stops_on_a_bad_setting_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped, exit_on_bad_settings("booking"):
        raise SettingsError("KAFKA_PARTITIONS: 'abc' is not a valid integer")
    assert stopped.value.code == 2
    assert capsys.readouterr().err == "booking: bad setting: KAFKA_PARTITIONS: 'abc' is not a valid integer\n"


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """configure_logging takes over the root logger: give pytest's handlers back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("root_logger")
def test_log_level_warning_suppresses_info_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    configure_logging("booking")
    log = logging.getLogger("booking.test")
    log.info("an info line")
    log.warning("a warning line")
    err = capsys.readouterr().err
    assert "a warning line" in err
    assert "an info line" not in err


@pytest.mark.usefixtures("root_logger")
def test_the_default_level_keeps_info_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("booking")
    logging.getLogger("booking.test").info("an info line")
    assert "an info line" in capsys.readouterr().err
