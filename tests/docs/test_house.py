"""README.md stays a five-minute read, its links lead somewhere, and
docs/architecture.md names every module of the house."""

from __future__ import annotations

import ast
import re

from bot.settings import Settings
from tests.docs.blocks import ROOT, documents

README_LINES = 250
HOUSE = ("domain", "bot", "handlers", "storage")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def modules() -> list[str]:
    """Every module of the four top-level folders but the packages' ``__init__``."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for folder in HOUSE
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "__init__.py"
    )


def job(module: str) -> str:
    """The first sentence of a module's docstring: a row to paste into the table."""
    doc = ast.get_docstring(ast.parse((ROOT / module).read_text(encoding="utf-8"))) or ""
    return doc.split("\n\n")[0].replace("\n", " ")


def test_the_readme_is_read_in_five_minutes() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < README_LINES, f"README.md has {len(lines)} lines"


def test_the_readme_leads_to_every_page_of_the_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    unlinked = [
        path.name for path in (ROOT / "docs").glob("*.md") if f"(docs/{path.name})" not in readme
    ]
    assert not unlinked, f"README.md does not link {unlinked}"


def test_every_relative_link_of_the_documents_leads_to_a_file() -> None:
    broken = [
        f"{path.relative_to(ROOT)}: {target}"
        for path in documents()
        for target in LINK.findall(path.read_text(encoding="utf-8"))
        if "://" not in target
        and not target.startswith("mailto:")
        and not (path.parent / target).exists()
    ]
    assert not broken, broken


def test_the_architecture_page_names_every_module_with_its_job() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [module for module in modules() if f"`{module}`" not in page]
    rows = "\n".join(f"| `{module}` | {job(module)} |" for module in missing)
    assert not missing, f"docs/architecture.md does not name these modules; rows to edit:\n{rows}"


def test_the_deployment_page_lists_every_setting() -> None:
    names = [
        str(field.validation_alias or name).upper() for name, field in Settings.model_fields.items()
    ]
    page = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert [name for name in names if f"`{name}`" not in page] == []
