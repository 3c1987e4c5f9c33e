"""The repository stands on its own: no file names a path outside it (another checkout's folder, a
machine's /work/...); documents are referenced by paths inside the repository."""
from __future__ import annotations

import re
import subprocess

from helpers import ROOT

OUTSIDE = re.compile(r"/work/|\.\./shared|ROOT\.parent\b|\bshared/(API|CLINICAL|DESIGN|CONVENTIONS)\.md")
SKIP_SUFFIXES = (".png", ".jpg", ".ico", ".woff", ".woff2", ".gz", ".tsv", ".pdf")


def _tracked_files() -> list[str]:
    listing = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    return [name for name in listing if not name.endswith(SKIP_SUFFIXES) and name != "tests/test_repository.py"]


def test_no_file_names_a_path_outside_the_repository():
    offenders = []
    for name in _tracked_files():
        path = ROOT / name
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{name}:{number}: {line.strip()[:100]}")
    assert offenders == []


def test_the_check_sees_such_paths():
    assert OUTSIDE.search("see /work/shared/CLINICAL.md") and OUTSIDE.search("ROOT.parent / 'shared'")
    assert not OUTSIDE.search("see docs/CLINICAL.md")


def test_the_readme_layout_table_names_every_package():
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Layout"):readme.index("## Benchmarks")]
    packages = sorted(p.parent.relative_to(ROOT).as_posix() for p in ROOT.glob("*/**/__init__.py")
                      if not p.is_relative_to(ROOT / ".venv") and not p.is_relative_to(ROOT / "tests"))
    assert [p for p in packages if p not in table] == []


def test_every_package_says_what_it_owns():
    for init in ROOT.glob("*/**/__init__.py"):
        if init.is_relative_to(ROOT / ".venv") or init.parent.name in ("queries", "views"):
            continue  # db/queries and server/views hold only the triage modules, reshaped on their own branch
        assert init.read_text().lstrip().startswith('"""'), f"{init.relative_to(ROOT)} has no docstring"
