"""The session report: what happened in a mock exam, built from the store, in several formats.

``model.build_report`` reads a session once and computes every figure; ``text``, ``markdown``,
``html`` and ``json`` only render that one record, so the formats never disagree.
"""
