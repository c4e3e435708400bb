"""Deployment configuration: docker-compose.yml, the shared Dockerfile and the Kustomize base.

No network, no Docker engine: ``docker-compose config`` only parses and interpolates the file,
the Kubernetes manifests are validated against the JSON schemas packaged by kubernetes-validate.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic_settings import BaseSettings

from kmzb_contracts import TOPIC_PARTITIONS, TopicNames
from kmzb_geo_router.settings import GeoRouterSettings
from kmzb_intake.settings import IntakeSettings
from kmzb_notifier.settings import NotifierSettings
from kmzb_stats.settings import StatsSettings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
K8S_BASE = ROOT / "deploy" / "k8s" / "base"
K8S_VERSION = "1.30.0"
TEST_SECRET = "compose-config-test-secret-0123456789"

# compose service / k8s Deployment name -> (settings class, python module, workspace package, directory)
SERVICES: dict[str, tuple[type[BaseSettings], str, str, str]] = {
    "intake": (IntakeSettings, "kmzb_intake", "kmzb-intake", "services/intake"),
    "notifier": (NotifierSettings, "kmzb_notifier", "kmzb-notifier", "services/notifier"),
    "stats": (StatsSettings, "kmzb_stats", "kmzb-stats", "services/stats"),
    "geo-router": (GeoRouterSettings, "kmzb_geo_router", "kmzb-geo-router", "services/geo-router"),
}
ALWAYS_SET = ("KAFKA_BOOTSTRAP", "MONGO_URL", "HTTP_HOST")
REQUIRED_INTERPOLATION = re.compile(r"^\$\{(?P<name>[A-Z0-9_]+):\?[^}]*\}$")


def _prefix(settings_cls: type[BaseSettings]) -> str:
    return str(settings_cls.model_config["env_prefix"])


def _required_env(settings_cls: type[BaseSettings]) -> set[str]:
    """Env var names of the fields without a default."""
    fields = settings_cls.model_fields
    return {f"{_prefix(settings_cls)}{name.upper()}" for name, field in fields.items() if field.is_required()}


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _compose_env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _k8s_documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _validate_k8s(doc: dict[str, Any], where: str) -> None:
    try:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        pytest.fail(f"{where}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}: {exc.message}")


def _base_resources() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.name, doc)
        for path in sorted(K8S_BASE.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in _k8s_documents(path)
    ]


# --- docker-compose -------------------------------------------------------------------------


def _docker_compose() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose binary not installed (Debian package docker-compose)")
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
    return {k: v for k, v in os.environ.items() if not k.startswith(("KMZB_", "COMPOSE_", "DOCKER_"))}


def test_compose_config_is_valid() -> None:
    binary = _docker_compose()
    result = _run_compose_config(binary, {**_clean_env(), "KMZB_INTAKE_DEVICE_KEY_SECRET": TEST_SECRET})
    assert result.returncode == 0, result.stderr


def test_compose_requires_the_intake_secret() -> None:
    binary = _docker_compose()
    result = _run_compose_config(binary, _clean_env())
    assert result.returncode != 0
    assert "KMZB_INTAKE_DEVICE_KEY_SECRET" in result.stderr


def test_compose_env_covers_every_service_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    services = _compose()["services"]
    for name, (settings_cls, module, package, directory) in SERVICES.items():
        assert name in services, f"compose has no service {name}"
        env = _compose_env(services[name])
        prefix = _prefix(settings_cls)
        missing = _required_env(settings_cls) - env.keys()
        assert not missing, f"{name}: compose does not set required {sorted(missing)}"
        for key in ALWAYS_SET:
            assert f"{prefix}{key}" in env, f"{name}: compose does not set {prefix}{key}"
        assert not [k for k in env if not k.startswith(prefix)], f"{name}: env var outside {prefix}"

        # The environment compose supplies must load into the settings class as intended.
        for key in list(os.environ):
            if key.startswith("KMZB_"):
                monkeypatch.delenv(key)
        for key, value in env.items():
            required = REQUIRED_INTERPOLATION.match(value)
            monkeypatch.setenv(key, TEST_SECRET if required else value)
        settings = settings_cls()
        assert settings.kafka_bootstrap == "kafka:9092"
        assert settings.mongo_url.startswith("mongodb://mongo:")
        assert settings.http_host == "0.0.0.0"
        assert settings.log_json is True

        build_args = services[name]["build"]["args"]
        assert build_args["SERVICE_MODULE"] == module
        assert build_args["SERVICE_PACKAGE"] == package
        assert build_args["SERVICE_DIR"] == directory
        assert (ROOT / directory / "pyproject.toml").is_file()
        assert int(build_args["SERVICE_PORT"]) == settings.http_port
        assert f"{settings.http_port}:{settings.http_port}" in services[name]["ports"]
        conditions = {dep: spec["condition"] for dep, spec in services[name]["depends_on"].items()}
        assert conditions == {
            "kafka": "service_healthy",
            "kafka-init": "service_completed_successfully",
            "mongo": "service_healthy",
        }
        assert "/readyz" in " ".join(services[name]["healthcheck"]["test"])


def test_compose_intake_secret_is_required_interpolation() -> None:
    env = _compose_env(_compose()["services"]["intake"])
    match = REQUIRED_INTERPOLATION.match(env["KMZB_INTAKE_DEVICE_KEY_SECRET"])
    assert match and match["name"] == "KMZB_INTAKE_DEVICE_KEY_SECRET"


def test_compose_creates_every_topic_with_the_contract_partitions() -> None:
    init = _compose()["services"]["kafka-init"]
    script = " ".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    for topic in TopicNames().model_dump().values():
        assert topic in script, f"kafka-init does not create {topic}"
    assert f"--partitions {TOPIC_PARTITIONS}" in script


def test_dockerfile_copies_every_workspace_manifest() -> None:
    """The dependency layer needs every member's pyproject.toml for ``uv sync --frozen``."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    for manifest in sorted(ROOT.glob("*/*/pyproject.toml")):
        if manifest.parts[-3] in {"libs", "services"}:
            relative = manifest.relative_to(ROOT).as_posix()
            assert f"COPY {relative} {relative}" in text, f"Dockerfile misses {relative}"


# --- Kubernetes -----------------------------------------------------------------------------


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S_BASE / "kustomization.yaml").read_text(encoding="utf-8"))
    files = {path.name for path in K8S_BASE.iterdir() if path.is_file()} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    assert not list(K8S_BASE.glob("*.yml")), "use the .yaml suffix"


def test_k8s_base_manifests_are_valid() -> None:
    resources = _base_resources()
    assert resources
    for where, doc in resources:
        _validate_k8s(doc, where)
    kinds = [doc["kind"] for _, doc in resources]
    assert not [kind for kind in kinds if kind == "Secret"], "the intake secret must not be committed"
    assert kinds.count("Deployment") == len(SERVICES)
    assert kinds.count("Service") == len(SERVICES)
    assert "Namespace" in kinds and "ConfigMap" in kinds


def test_k8s_deployments_cover_every_service_setting() -> None:
    resources = _base_resources()
    config_maps = {doc["metadata"]["name"]: doc["data"] for _, doc in resources if doc["kind"] == "ConfigMap"}
    deployments = {doc["metadata"]["name"]: doc for _, doc in resources if doc["kind"] == "Deployment"}
    services = {doc["metadata"]["name"]: doc for _, doc in resources if doc["kind"] == "Service"}
    assert deployments.keys() == SERVICES.keys()
    for name, (settings_cls, *_) in SERVICES.items():
        pod = deployments[name]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        env = container.get("env", [])
        names: set[str] = {item["name"] for item in env}
        for source in container.get("envFrom", []):
            keys = config_maps[source["configMapRef"]["name"]]
            names |= {f"{source.get('prefix', '')}{key}" for key in keys}
        prefix = _prefix(settings_cls)
        missing = (_required_env(settings_cls) | {f"{prefix}{key}" for key in ALWAYS_SET}) - names
        assert not missing, f"{name}: Deployment does not set {sorted(missing)}"
        assert container["image"] == f"ghcr.io/kmzb/{name}:latest"

        secrets = [item["name"] for item in env if "secretKeyRef" in item.get("valueFrom", {})]
        assert secrets == ([f"{prefix}DEVICE_KEY_SECRET"] if name == "intake" else [])

        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert "/tmp" in {mount["mountPath"] for mount in container["volumeMounts"]}
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert {"requests", "limits"} <= container["resources"].keys()

        port = settings_cls.model_fields["http_port"].default
        assert container["ports"][0]["containerPort"] == port
        assert services[name]["spec"]["ports"][0]["port"] == port


def test_k8s_kustomize_renders_valid_manifests() -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl binary not installed: rendered Kustomize output not checked")
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S_BASE)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    docs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    assert len(docs) == len(_base_resources())
    for doc in docs:
        _validate_k8s(doc, "kubectl kustomize")
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "kmzb"
