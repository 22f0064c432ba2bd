"""The session report: what happened in a mock exam, built from the store, in several formats.

``records`` holds what a report says; ``build.build_report`` reads a session once and computes
every figure and the advice (``advice``); ``text``, ``markdown``, ``html`` (with ``svg`` and the
shared ``markup``) and JSON only render that one record, so the formats never disagree. Words
that several formats write (``values``) are defined once.
"""
