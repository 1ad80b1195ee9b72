"""Lesson content: the model, and the loader that reads and validates `lessons/<id>/`."""

from course_cli.content.loader import available_lessons, load_lesson
from course_cli.content.model import Exercise, Lesson, Step, Topic

__all__ = ["Exercise", "Lesson", "Step", "Topic", "available_lessons", "load_lesson"]
