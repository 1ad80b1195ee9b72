"""Renderers for lesson screens: a step, the key bar, `course status` and `course lessons`."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel
from rich.segment import SegmentLines
from rich.table import Table
from rich.text import Text

from course_cli.content import Lesson, Step
from course_cli.learner.tutor import ExerciseStatus, LessonStatus, Position

KEYS = (("n", "next"), ("b", "back"), ("r", "run example"), ("h", "hint"), ("q", "quit"))


def render_step(
    lesson: Lesson, step: Step, exercise: ExerciseStatus | None = None
) -> RenderableType:
    """The header panel, the step's Markdown, and the state of the exercise it introduces."""
    topic = lesson.topic_of(step)
    place = (
        f"{topic.index}/{len(lesson.topics)} {topic.title} · step {step.index}/{len(topic.steps)}"
    )
    title = Text.assemble((place, "topic"), ("  —  ", "muted"), (step.title, "heading"))
    header = Panel(title, subtitle=f"{lesson.title} · {step.number}", border_style="cyan")
    parts: list[RenderableType] = [header, Markdown(step.markdown(), code_theme="monokai")]
    if step.exercise:
        line = Text.assemble(
            ("\nExercise: ", "heading"),
            (f"course check {step.exercise}", "command"),
            ("   stuck? ", "muted"),
            (f"course hint {step.exercise}", "command"),
        )
        if exercise is not None:
            line.append("\n")
            line.append_text(_exercise_state(exercise))
        parts.append(line)
    return Group(*parts)


def _exercise_state(exercise: ExerciseStatus) -> Text:
    if exercise.status == "passed":
        return Text(f"✓ {exercise.id} passed — well done", style="ok")
    if exercise.status == "not started":
        return Text(f"{exercise.id}: not checked yet", style="muted")
    score = f" ({exercise.score}/{exercise.max_score})" if exercise.max_score else ""
    return Text(f"✗ {exercise.id}: last check {exercise.status}{score}", style="fail")


def render_key_bar() -> Text:
    """The interactive key bar: `[n] next  [b] back  ...`."""
    bar = Text()
    for key, label in KEYS:
        bar.append(f" {key} ", "reverse key")
        bar.append(f" {label}   ")
    return bar


def render_hint(step: Step) -> RenderableType:
    """The step's hint, or a pointer to the exercise hints when it has none."""
    if step.hint:
        return Panel(Text(step.hint), title="hint", border_style="cyan")
    if step.exercise:
        return Text(f"Hints for the exercise: course hint {step.exercise}", style="hint")
    return Text("No hint for this step: it has nothing to solve.", style="muted")


def render_example(step: Step) -> RenderableType:
    """What pressing `r` shows for a step's example."""
    if step.example is None:
        return Text("This step has no example to run.", style="muted")
    from course_cli.ui.examples import run_example  # only when a learner asks for it

    return run_example(step.example)


def fit_example(console: Console, example: RenderableType, rows: int) -> RenderableType | None:
    """`example` cut to its first `rows` rows on `console`, the last saying how much more `r`
    shows; unchanged when it fits, None when no row is left."""
    lines = console.render_lines(example, console.options, pad=False)
    if len(lines) <= rows:
        return example
    if rows < 1:
        return None
    shown = max(rows - 1, 0)
    more = Text(f"… {len(lines) - shown} more lines of the example: press r to see it all", "muted")
    return Group(SegmentLines(lines[:shown], new_lines=True), more)


def render_position_note(position: Position) -> RenderableType | None:
    """A line saying the learner hit an end of the lesson, if they did."""
    if position.at_end:
        return Text("This is the last step. `course status` shows what is left to do.", style="ok")
    if position.at_start:
        return Text("This is the first step.", style="muted")
    return None


def render_continue_help(lesson: Lesson, step: Step) -> RenderableType:
    """How to move on without the interactive loop."""
    steps = lesson.steps
    pos = lesson.position(step)
    lines = Text("\n")
    if pos + 1 < len(steps):
        lines.append("course next", "command")
        lines.append(f"       → {steps[pos + 1].number} {steps[pos + 1].title}\n")
    if pos > 0:
        lines.append("course back", "command")
        lines.append(f"       → {steps[pos - 1].number} {steps[pos - 1].title}\n")
    lines.append("course goto STEP", "command")
    lines.append("  → jump, e.g. course goto 2.3\n")
    lines.append("course status", "command")
    lines.append("     → what you have done and what is next\n")
    lines.append("course start", "command")
    lines.append("      → the interactive walk (in a terminal)")
    return lines


def render_status(status: LessonStatus) -> RenderableType:
    """`course status`: steps seen per topic, exercises, and what to do next."""
    topics = Table(title=f"{status.lesson.title} ({status.lesson.id})", title_justify="left")
    topics.add_column("#", justify="right")
    topics.add_column("topic")
    topics.add_column("steps seen", justify="right")
    topics.add_column("")
    for t in status.topics:
        done = "[ok]✓[/]" if t.seen == t.total else ""
        topics.add_row(str(t.index), escape(t.title), f"{t.seen}/{t.total}", done)
    exercises = Table(title="Exercises", title_justify="left")
    exercises.add_column("exercise")
    exercises.add_column("status")
    exercises.add_column("score", justify="right")
    for e in status.exercises:
        style = {"passed": "ok", "failed": "fail"}.get(e.status, "muted")
        score = f"{e.score}/{e.max_score}" if e.score is not None and e.max_score else ""
        exercises.add_row(escape(e.id), f"[{style}]{escape(e.status)}[/]", score)
    current = Text.assemble(
        ("Current step: ", "heading"), f"{status.current.number} {status.current.title}"
    )
    nxt = Text.assemble(("Next: ", "heading"), status.next_action)
    return Group(topics, exercises, current, nxt)


def render_lessons(lessons: list[Lesson]) -> RenderableType:
    """`course lessons`: each lesson with its topics."""
    table = Table(title="Lessons", title_justify="left")
    table.add_column("lesson")
    table.add_column("topics")
    table.add_column("steps", justify="right")
    table.add_column("exercises", justify="right")
    for lesson in lessons:
        topics = "\n".join(f"{t.index}. {t.title} ({len(t.steps)} steps)" for t in lesson.topics)
        table.add_row(
            f"[heading]{escape(lesson.id)}[/]\n{escape(lesson.title)}",
            escape(topics),
            str(len(lesson.steps)),
            str(len(lesson.exercises)),
        )
    return table
