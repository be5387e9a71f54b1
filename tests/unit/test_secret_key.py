"""Production mode refuses to start without a secret only its deployment knows."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from mou.app import InsecureSettings, create_app
from mou.settings import (
    EXAMPLE_SECRET_KEY,
    SECRET_KEY_EXAMPLE,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MISSING,
    SECRET_KEY_SHORT,
    get_settings,
)
from tests.integration.processes import PROJECT, mou_env, mou_run

PRODUCTION = dataclasses.replace(get_settings(), dev=False)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", SECRET_KEY_MISSING.format(minimum=SECRET_KEY_MIN_LENGTH)),
        (EXAMPLE_SECRET_KEY, SECRET_KEY_EXAMPLE.format(minimum=SECRET_KEY_MIN_LENGTH)),
        ("x" * 31, SECRET_KEY_SHORT.format(length=31, minimum=SECRET_KEY_MIN_LENGTH)),
    ],
)
def test_production_refuses_a_missing_example_or_short_secret(key: str, message: str) -> None:
    with pytest.raises(InsecureSettings) as refused:
        create_app(dataclasses.replace(PRODUCTION, secret_key=key))
    assert str(refused.value) == message


def test_production_starts_with_a_long_secret_and_dev_mode_without_one() -> None:
    create_app(dataclasses.replace(PRODUCTION, secret_key="k" * SECRET_KEY_MIN_LENGTH))
    create_app(dataclasses.replace(PRODUCTION, dev=True, secret_key=""))


def test_env_example_carries_the_refused_placeholder() -> None:
    example = (PROJECT / ".env.example").read_text()
    assert f"MOU_SECRET_KEY={EXAMPLE_SECRET_KEY}\n" in example


def test_mou_serve_without_a_secret_exits_with_the_message(tmp_path: Path) -> None:
    env = mou_env(MOU_DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite")
    del env["MOU_SECRET_KEY"]
    refused = mou_run("serve", "--port", "1", env=env)
    assert refused.returncode == 2
    assert re.sub(r"\s+", " ", refused.stderr).strip() == (
        "mou serve: " + SECRET_KEY_MISSING.format(minimum=SECRET_KEY_MIN_LENGTH)
    )
