"""The locks: production installs no development tool, and the development lock names
every runtime package at the same version with the same hashes."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV_TOOLS = ("pytest", "pytest-asyncio", "hypothesis", "ruff", "mypy")
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)", re.MULTILINE)


def pins(name: str) -> dict[str, str]:
    """Each package the lock names, with its version and hash lines."""
    text = (ROOT / name).read_text(encoding="utf-8")
    found = {}
    for block in re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text):
        match = PIN.match(block)
        if match:
            hashes = sorted(re.findall(r"--hash=sha256:[0-9a-f]+", block))
            found[match.group(1).lower()] = match.group(2) + " " + " ".join(hashes)
    return found


def test_the_production_lock_holds_no_development_tool() -> None:
    runtime = pins("requirements.lock")
    assert "aiohttp" in runtime
    assert [tool for tool in DEV_TOOLS if tool in runtime] == []


def test_the_development_lock_adds_the_tools_to_the_same_runtime_pins() -> None:
    runtime, development = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: development.get(name) for name in runtime} == runtime
    assert all(tool in development for tool in DEV_TOOLS)


def test_both_locks_were_made_from_the_same_requirements() -> None:
    last = {
        name: (ROOT / name).read_text(encoding="utf-8").splitlines()[-1]
        for name in ("requirements.lock", "requirements-dev.lock")
    }
    assert len(set(last.values())) == 1
    assert next(iter(last.values())).startswith("# inputs: ")
