"""docker-compose.yml is valid against the compose specification and self-consistent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE = BASE_DIR / "docker-compose.yml"


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_validates_against_the_compose_specification():
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(COMPOSE)],
        capture_output=True, text=True, timeout=120, check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_dependency_names_a_service():
    services = _compose()["services"]

    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        names = depends_on if isinstance(depends_on, list) else list(depends_on)
        missing = [dependency for dependency in names if dependency not in services]
        assert missing == [], f"{name} depends on unknown services {missing}"


def test_stack_has_the_five_services_from_one_image_with_health_checks():
    services = _compose()["services"]

    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    images = {services[name].get("image") for name in ("web", "worker", "beat")}
    assert len(images) == 1
    for name in ("web", "worker", "beat"):
        assert services[name]["build"]["context"] == "."
    for name in ("postgres", "redis", "web", "worker"):
        assert "test" in services[name]["healthcheck"], name


def test_dockerfile_installs_the_project_and_runs_unprivileged():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()

    assert "pip install" in dockerfile
    assert "\nUSER " in dockerfile
    assert "gunicorn" in dockerfile or "gunicorn" in COMPOSE.read_text()
