"""``.env.example`` names every setting docker-compose.yml reads from the environment."""

from __future__ import annotations

import re

from mou.settings import Settings
from tests.integration.processes import PROJECT


def test_env_example_names_every_variable_compose_reads() -> None:
    compose = (PROJECT / "docker-compose.yml").read_text()
    example = (PROJECT / ".env.example").read_text()
    read = set(re.findall(r"\$\{([A-Z_]+)", compose))
    offered = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    assert "MOU_SECRET_KEY" in read
    assert read == offered


def test_compose_passes_only_settings_the_app_knows() -> None:
    compose = (PROJECT / "docker-compose.yml").read_text()
    known = {f"MOU_{name.upper()}" for name in Settings.__dataclass_fields__}
    assert set(re.findall(r"\b(MOU_[A-Z_]+):", compose)) <= known
