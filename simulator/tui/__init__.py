"""The PyCharm-style exam TUI: a Textual view over the session engine.

Nothing in this package imports TensorFlow (grading happens in worker processes); the app only
subscribes to the engine's events and reads the session store.
"""
