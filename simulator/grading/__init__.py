"""Grading: a pool of separate worker processes that load and score candidate models.

Only :mod:`simulator.grading.worker` and the modules it imports (``model_loading``,
``evaluation``) load TensorFlow, and only inside worker processes. The pool, the protocol and the
settings here are plain Python so that the engine and every UI can use them without TF.
"""
