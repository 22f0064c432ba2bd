"""Exam content: the exam format, the catalog of exams, workspaces, metrics."""
