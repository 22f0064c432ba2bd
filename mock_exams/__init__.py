"""The mock exams shipped with tfexam, one folder per exam (see docs/authoring.md).

This is a package only so that the exam folders travel inside the wheel; it holds no code.
"""
