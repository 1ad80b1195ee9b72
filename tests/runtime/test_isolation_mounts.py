"""The namespaced worker's view of the files: what is masked, and what is left to /tmp."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_cli.runtime.worker import mounts


def masked(args: list[str]) -> set[str]:
    """The folders a command covers with an empty tmpfs."""
    return {args[i + 1] for i, arg in enumerate(args) if arg == "--tmpfs"}


def test_another_course_cli_is_masked_where_the_sandbox_would_see_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    package = Path(mounts.__file__).resolve().parents[2]
    visible = Path("/usr/lib/python3/dist-packages/course_cli")
    monkeypatch.setattr(mounts, "other_package_folders", lambda _package: {visible})
    assert str(visible) in masked(mounts.package_binds())
    assert str(package) in masked(mounts.package_binds())


def test_a_course_cli_under_tmp_is_left_to_the_sandbox_s_own_tmp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The sandbox's /tmp is a fresh tmpfs: masking a folder there would only create its
    # parents, writable by the sandbox (an editable install's site-packages/course_cli in a
    # clone under /tmp gave a submission a writable "site-packages").
    under_tmp = Path("/tmp/clone/.venv/lib/python3.11/site-packages/course_cli")
    monkeypatch.setattr(mounts, "other_package_folders", lambda _package: {under_tmp})
    monkeypatch.setattr(mounts, "python_dirs", lambda: [Path("/usr")])
    assert str(under_tmp) not in masked(mounts.package_binds())


def test_a_course_cli_inside_a_bound_python_under_tmp_is_still_masked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    venv = Path("/tmp/clone/.venv")
    inside = venv / "lib/python3.11/site-packages/course_cli"
    monkeypatch.setattr(mounts, "other_package_folders", lambda _package: {inside})
    monkeypatch.setattr(mounts, "python_dirs", lambda: [Path("/usr"), venv])
    assert str(inside) in masked(mounts.package_binds())
