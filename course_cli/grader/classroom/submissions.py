"""Finding a class's submissions for `course grade`: one per learner, staged for grading.

SUBMISSIONS is a folder with one entry (folder, file or zip) per learner, a zip of such a
folder, or one learner's submission or workspace. A learner's files are looked for at the
top, under `exercises/<id>/`, under `<id>/`, then the shallowest below; a file the exercise
accepts in place of its starter's (`handler.mjs` for `handler.py`: `grader.handler_files`)
counts as it, staged under its own name. Each submission is copied into a private folder and
hashed; one that cannot be graded carries a `problem`. A
zip entry that is absolute, climbs out, is a link or has a NUL in its name is never extracted.
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from course_cli.errors import UsageError

# What one learner's file may weigh: the reference solutions are a few KB.
MAX_FILE_BYTES = 1_000_000
# The files staged next to the exercise's own (helper modules a learner split out).
MAX_SIBLING_FILES = 50
_SIBLING_SUFFIXES = (".py", ".vtl", ".json", ".txt", ".mjs", ".js", ".cjs")
# What a zip may unpack to, in all, and how many entries it may have (a zip bomb stops here).
MAX_ZIP_BYTES = 500_000_000
MAX_ZIP_ENTRIES = 20_000
# How deep the search for the exercise's files goes below a learner's folder.
_SEARCH_DEPTH = 5
# What a Gradescope export names its submitters in.
GRADESCOPE_METADATA = "submission_metadata.yml"
# Folders no learner's answer is in.
_SKIPPED_DIRS = {"__pycache__", "__MACOSX", "node_modules", ".git", ".venv", "venv", ".github"}


class SubmissionsError(UsageError):
    """`SUBMISSIONS` is not something `course grade` can read (exit 2)."""


@dataclass(frozen=True)
class Submission:
    """One learner's submission, staged (or the reason it cannot be graded)."""

    learner: str
    source: str  # where it was found, relative to SUBMISSIONS ("alice/handler.py")
    folder: Path | None  # the staged copy holding the exercise's files; None with a problem
    digest: str  # "sha256:..." of the staged files (names and contents)
    problem: str | None = None  # why it cannot be graded, in words for the learner


@dataclass
class SubmissionSet:
    """Every submission found, in learner order, and what was passed over and why."""

    submissions: list[Submission] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    single: bool = False  # SUBMISSIONS was one learner's submission


def find_submissions(
    path: Path,
    exercise_files: list[str],
    exercise_id: str,
    staging: Path,
    *,
    skip: Path | None = None,
    accepted: Mapping[str, tuple[str, ...]] | None = None,
) -> SubmissionSet:
    """Find and stage every submission in `path` into the empty folder `staging`, looking for
    `exercise_files` (or the files `accepted` in their place) and never taking `skip` (the
    results folder) as one. `SubmissionsError` when `path` is not a folder, a zip or a file."""
    path = path.expanduser()
    found = SubmissionSet()
    if not path.exists():
        raise SubmissionsError(
            f"no such file or folder: {path}", hint="give a folder of submissions or a zip"
        )
    finder = _Finder(exercise_files, exercise_id, staging, found, dict(accepted or {}))
    if path.is_file() and zipfile.is_zipfile(path):
        unzipped = staging / "_unzipped"
        unsafe = extract_zip(path, unzipped)
        found.warnings += [f"{path.name}: not extracted (unsafe path): {name}" for name in unsafe]
        root = _descend(unzipped)
        finder.unsafe = _learners_of(unsafe, root.relative_to(unzipped).parts)
        finder.read(root, shown_as=path.name)
    elif path.is_file():
        found.single = True
        found.submissions.append(finder.one(path.stem, path, path.name))
    elif path.is_dir():
        finder.read(path.resolve(), shown_as=None, skip=skip.resolve() if skip else None)
    else:
        raise SubmissionsError(f"{path} is neither a folder, a zip nor a file")
    if not found.submissions:
        raise SubmissionsError(
            f"no submissions in {path}",
            hint="give a folder with one folder or file per learner, or a zip of one",
        )
    found.submissions.sort(key=lambda s: (s.learner.casefold(), s.learner))
    return found


@dataclass
class _Finder:
    files: list[str]
    exercise_id: str
    staging: Path
    found: SubmissionSet
    # Starter file -> the files graded in its place (`grader.handler_files`).
    accepted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unsafe: set[str] = field(default_factory=set)  # learner entries a zip's unsafe path is in
    count: int = 0  # staged folders made so far

    def read(self, root: Path, *, shown_as: str | None, skip: Path | None = None) -> None:
        """Take `root` as one submission if it holds the exercise itself, else each entry."""
        if self._locate(root) is not None and not self._has_learner_folders(root):
            self.found.single = True
            self.found.submissions.append(self.one(root.name, root, shown_as or root.name))
            return
        names: set[str] = set()
        gradescope = gradescope_names(root, self.found.warnings)
        for entry in sorted(root.iterdir(), key=lambda p: p.name):
            if entry.name.startswith(".") or entry.name in _SKIPPED_DIRS or entry.is_symlink():
                continue
            if (skip is not None and entry.resolve() == skip) or entry.name == GRADESCOPE_METADATA:
                continue
            learner = gradescope.get(entry.name) or (entry.stem if entry.is_file() else entry.name)
            if learner in names:
                learner = entry.name  # alice/ and alice.py: tell them apart
            names.add(learner)
            shown = f"{shown_as}/{entry.name}" if shown_as else entry.name
            if entry.name in self.unsafe:
                unsafe = "the zip holds an unsafe path for it (one that climbs out of its folder)"
                problem = self._problem(learner, shown, f"{unsafe}: refused, nothing was graded")
                self.found.submissions.append(problem)
            else:
                self.found.submissions.append(self.one(learner, entry, shown))

    def _has_learner_folders(self, root: Path) -> bool:
        # A folder holding handler.py *and* learner folders that hold it too is a class. A
        # learner's workspace holds `exercises/` and the lesson's `examples/` (handlers too).
        return any(
            d.is_dir()
            and not d.name.startswith(".")
            and d.name not in _SKIPPED_DIRS
            and d.name not in ("exercises", "examples", self.exercise_id)
            and self._locate(d) is not None
            for d in root.iterdir()
        )

    def one(self, learner: str, entry: Path, shown: str) -> Submission:
        """Stage one learner's entry: a folder, a file or a zip."""
        if entry.is_file() and zipfile.is_zipfile(entry):
            inner = self._next_folder("zip")
            unsafe = extract_zip(entry, inner)
            if unsafe:
                return self._problem(
                    learner,
                    shown,
                    f"{entry.name} holds an unsafe path ({unsafe[0]}): refused, nothing was graded",
                )
            entry = _descend(inner)
        if entry.is_file():
            return self._stage_file(learner, entry, shown)
        if not any(_files_below(entry)):
            return self._problem(learner, shown, "the submission is empty: no files in it")
        located = self._locate(entry)
        if located is None:
            listed = ", ".join(sorted(p.name for p in _files_below(entry))[:6])
            wanted = self._wanted()
            return self._problem(
                learner, shown, f"no {wanted} in the submission (it holds: {listed})"
            )
        return self._stage(learner, located, f"{shown}/{located[0].relative_to(entry).as_posix()}")

    def _wanted(self) -> str:
        """The exercise's files in words: "handler.py (or handler.mjs, ...)"."""
        return " and ".join(
            name + (f" (or {', '.join(self.accepted[name])})" if self.accepted.get(name) else "")
            for name in self.files
        )

    def _names(self, starter: str) -> tuple[str, ...]:
        """The names a file counts as `starter` under: the accepted ones first."""
        return (*self.accepted.get(starter, ()), starter)

    def _found(self, base: Path) -> list[Path] | None:
        """Each exercise file in `base` (an accepted one rather than its starter), or None."""
        found = []
        for starter in self.files:
            present = [base / name for name in self._names(starter) if _regular(base / name)]
            if not present:
                return None
            found.append(present[0])
        return found

    def _stage_file(self, learner: str, file: Path, shown: str) -> Submission:
        if len(self.files) != 1 or self._staged_name(self.files[0], file) is None:
            return self._problem(
                learner, shown, f"{file.name} is not {self._wanted()}: nothing to grade"
            )
        return self._stage(learner, [file], shown, rename=True)

    def _staged_name(self, starter: str, file: Path) -> str | None:
        """What `file`, taken as `starter`, is staged as: the accepted name of its kind (its
        suffix), or the starter's; None when it is neither kind."""
        return next(
            (name for name in self._names(starter) if Path(name).suffix == file.suffix), None
        )

    def _locate(self, folder: Path) -> list[Path] | None:
        """The exercise's files in `folder` (see the module docstring), or None."""
        for base in (folder, folder / "exercises" / self.exercise_id, folder / self.exercise_id):
            found = self._found(base)
            if found is not None:
                return found
        first_names = set(self._names(self.files[0]))
        below = sorted(
            (p for p in _files_below(folder) if p.name in first_names),
            key=lambda p: (len(p.parts), str(p)),
        )
        for first in below:
            found = self._found(first.parent)
            if found is not None:
                return found
        if len(self.files) == 1:
            # A lone file of one kind under another name; the starter's kind first, so a
            # stray .js beside a Python class's answer is never what gets graded.
            for name in reversed(self._names(self.files[0])):
                same_kind = [p for p in _files_below(folder) if p.suffix == Path(name).suffix]
                if len(same_kind) == 1:
                    return same_kind
        return None

    def _stage(
        self, learner: str, files: list[Path], shown: str, *, rename: bool = False
    ) -> Submission:
        target = self._next_folder("s")
        digest = hashlib.sha256()
        names = {starter: self._names(starter) for starter in self.files}
        if not rename and len(files) == 1 and files[0].name not in names[self.files[0]]:
            rename = True  # a lone file of the right kind under another name
        wanted = {
            (self._staged_name(starter, file) or starter) if rename else file.name: file
            for starter, file in zip(self.files, files, strict=True)
        }
        siblings = [] if rename else _siblings(files[0].parent, set(wanted))
        for name, source in [*wanted.items(), *((p.name, p) for p in siblings)]:
            size = source.stat().st_size
            if size > MAX_FILE_BYTES:
                return self._problem(
                    learner,
                    shown,
                    f"{source.name} is {size / 1e6:.1f} MB; a file of this "
                    f"exercise may be at most {MAX_FILE_BYTES / 1e6:g} MB",
                )
            data = source.read_bytes()
            (target / name).write_bytes(data)
            digest.update(name.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
        return Submission(learner, shown, target, "sha256:" + digest.hexdigest())

    def _problem(self, learner: str, shown: str, problem: str) -> Submission:
        digest = "sha256:" + hashlib.sha256(problem.encode()).hexdigest()
        return Submission(learner, shown, None, digest, problem)

    def _next_folder(self, kind: str) -> Path:
        self.count += 1
        folder = self.staging / f"{kind}{self.count}"
        folder.mkdir(parents=True)
        return folder


def gradescope_names(root: Path, warnings: list[str]) -> dict[str, str]:
    """Folder -> learner name(s), from a Gradescope export's `submission_metadata.yml`
    (`submission_123: {":submitters": [{":name": ...}]}`); {} without one. A file that does
    not read as that leaves the folder names, with a warning."""
    metadata = root / GRADESCOPE_METADATA
    if not metadata.is_file():
        return {}
    import yaml  # type: ignore[import-untyped]

    try:
        document = yaml.safe_load(metadata.read_text(encoding="utf-8", errors="replace"))
        names = {}
        for folder, about in dict(document).items():
            people = [str(p[":name"]) for p in about.get(":submitters") or () if p.get(":name")]
            if people:
                names[str(folder)] = " & ".join(people)
    except (yaml.YAMLError, TypeError, ValueError, AttributeError, KeyError):
        warnings.append(f"{GRADESCOPE_METADATA} could not be read: learners are named by folder")
        return {}
    return names


def extract_zip(archive: Path, target: Path) -> list[str]:
    """Extract `archive` into `target`, never outside it; return the entries refused as unsafe.
    `SubmissionsError` for an unreadable zip, or one over the entry or size limits."""
    target.mkdir(parents=True, exist_ok=True)
    unsafe: list[str] = []
    written = 0
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            if len(members) > MAX_ZIP_ENTRIES:
                raise SubmissionsError(
                    f"{archive.name} has {len(members)} entries; more than {MAX_ZIP_ENTRIES} "
                    "is not a class of submissions"
                )
            for member in members:
                relative = _safe_member(member)
                if relative is None:
                    unsafe.append(member.filename.replace("\0", "\\0"))
                    continue
                destination = target.joinpath(*relative.parts)
                if member.is_dir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as source, destination.open("wb") as sink:
                    while chunk := source.read(1 << 16):
                        written += len(chunk)
                        if written > MAX_ZIP_BYTES:
                            raise SubmissionsError(
                                f"{archive.name} unpacks to more than "
                                f"{MAX_ZIP_BYTES // 1_000_000} MB; refused"
                            )
                        sink.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise SubmissionsError(f"cannot read {archive.name} as a zip: {error}") from None
    return unsafe


def _safe_member(member: zipfile.ZipInfo) -> PurePosixPath | None:
    """The member's path relative to the target, or None if extracting it would be unsafe."""
    name = member.filename.replace("\\", "/")
    if "\0" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    if stat.S_ISLNK(member.external_attr >> 16):
        return None
    parts = [part for part in PurePosixPath(name).parts if part not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return PurePosixPath(*parts)


def _learners_of(unsafe: list[str], prefix: tuple[str, ...]) -> set[str]:
    """The learner folders (below `prefix`, the folders a download wraps them in) that the
    unsafe entries sit in: `export/ben/../../x` belongs to ben."""
    learners = set()
    for name in unsafe:
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if len(parts) > len(prefix) + 1 and parts[: len(prefix)] == prefix:
            first = parts[len(prefix)]
            if first not in ("..", ".", "/"):
                learners.add(first)
    return learners


def _descend(root: Path) -> Path:
    """Into a lone top folder (`class-export/alice/...`): what a download often wraps."""
    while True:
        entries = [e for e in root.iterdir() if e.name not in _SKIPPED_DIRS]
        if len(entries) != 1 or not entries[0].is_dir() or entries[0].is_symlink():
            return root
        root = entries[0]


def _files_below(folder: Path, depth: int = _SEARCH_DEPTH) -> Iterator[Path]:
    """Regular files below `folder`, never through a link nor into skipped folders."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_symlink() or entry.name in _SKIPPED_DIRS:
            continue
        if entry.is_file():
            yield entry
        elif entry.is_dir() and depth > 0 and not entry.name.startswith("."):
            yield from _files_below(entry, depth - 1)


def _siblings(folder: Path, exclude: set[str]) -> list[Path]:
    """The regular files next to the exercise's (a learner's helper modules), capped."""
    found = [
        p
        for p in sorted(folder.iterdir(), key=lambda p: p.name)
        if p.name not in exclude
        and not p.name.startswith(".")
        and _regular(p)
        and p.suffix in _SIBLING_SUFFIXES
    ]
    return found[:MAX_SIBLING_FILES]


def _regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()
