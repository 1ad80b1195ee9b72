"""The README's pictures: `docs/make_pictures.py` draws both, and the README shows the committed
ones."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from course_cli.content import load_lesson
from course_cli.learner.tutor import find_step
from tests.conftest import PYTHON, REPO, course_subprocess_env

SCRIPT = REPO / "docs" / "make_pictures.py"
PICTURES = REPO / "docs" / "pictures"
NAMES = ("course-start.svg", "course-check.svg")


def _svg_text(path: Path) -> str:
    """The words an SVG shows, one line per terminal row run together (Rich writes each
    styled run as its own <text>, spaces as no-break spaces)."""
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return "".join(root.itertext()).replace("\xa0", " ")


@pytest.mark.slow
def test_the_script_draws_both_pictures(tmp_path: Path, course_home: Path) -> None:
    out = tmp_path / "pictures"
    done = subprocess.run(
        [PYTHON, str(SCRIPT), "--out", str(out)],
        cwd=tmp_path,
        env=course_subprocess_env(course_home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(NAMES)

    start = _svg_text(out / "course-start.svg")
    step = find_step(load_lesson("lesson-3"), "body-is-a-string")
    assert step.title in start
    assert f"· {step.number}" in start  # the header panel's subtitle
    assert "GET /products/p1 → 502" in start  # the live example ran
    assert "Malformed Lambda" in start
    assert " n  next" in start  # the walk's key bar: the screen as `course start` draws it

    check = _svg_text(out / "course-check.svg")
    assert "course check 03-fix-the-502" in check
    assert "expected status 200, got 502" in check
    assert re.search(r"\d+ of \d+ checks failed: \d+/\d+", check)
    assert "stuck? course hint 03-fix-the-502" in check

    for name in NAMES:  # the throw-away workspace and home leave no trace in the pictures
        assert "course-pictures-" not in (out / name).read_text(encoding="utf-8")
    # Neither the learner's progress nor this test's home was used.
    assert not (course_home / "progress.json").exists()


def test_the_readme_shows_the_committed_pictures() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    top = readme.split("\n## ", 1)[0]  # before the first section
    for name in NAMES:
        assert f"](docs/pictures/{name})" in top, name
        _svg_text(PICTURES / name)  # committed, and well-formed XML
