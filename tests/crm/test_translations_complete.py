"""Every message the code and templates use has a real Chinese translation in both locales.

makemessages runs on a copy of the project, so the committed .po files stay as they are.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COPIED = ("crm", "compliance", "customers", "loyalty", "feedback", "templates", "locale")
LOCALES = ("zh_Hans", "zh_Hant")
MSGID = re.compile(r'^msgid ((?:".*"\n)+)', re.MULTILINE)


def _msgids(po_text: str) -> list[str]:
    """The msgids of a .po text, header left out, multi-line msgids joined."""
    found = []
    for match in MSGID.finditer(po_text):
        msgid = "".join(re.findall(r'"(.*)"', match.group(1)))
        if msgid:
            found.append(msgid)
    return found


@pytest.fixture(scope="module")
def merged_catalogues(tmp_path_factory) -> Path:
    """A copy of the project whose catalogues makemessages has merged with the sources."""
    assert shutil.which("msgattrib"), "gettext tools (msgattrib) are needed for this check"
    copy = tmp_path_factory.mktemp("project")
    for name in COPIED:
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "manage.py", copy / "manage.py")
    env = {**os.environ, "PYTHONPATH": str(copy)}
    args = ["manage.py", "makemessages", *(f"-l{locale}" for locale in LOCALES), "-v0"]
    result = subprocess.run(
        [sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return copy


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", ["--untranslated", "--only-fuzzy"])
def test_every_message_has_a_translation(merged_catalogues, locale, kind):
    po = merged_catalogues / "locale" / locale / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgattrib", kind, "--no-obsolete", "--no-wrap", str(po)],
        capture_output=True, text=True, check=True,
    )

    missing = _msgids(result.stdout)

    assert not missing, f"{len(missing)} message(s) {kind} in {locale}:\n" + "\n".join(missing)


def test_msgids_are_read_from_msgattrib_output():
    po = 'msgid ""\nmsgstr ""\n\nmsgid ""\n"two "\n"lines"\nmsgstr ""\n\nmsgid "one"\nmsgstr ""\n'

    assert _msgids(po) == ["two lines", "one"]
