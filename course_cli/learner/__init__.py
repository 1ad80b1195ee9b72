"""The learner's side of the course: moving through the lesson (`tutor`), the loop around the
grader (`loop`: progress, hints, reset, solution) and `course watch` (`watch`)."""
