"""tfexam: a mock-exam simulator for the TensorFlow Developer Certificate.

The package is split so that the session engine and every view over it (CLI, TUI, report) stay free
of TensorFlow; only :mod:`simulator.grading.worker` and the modules it imports load TF, and they run
in separate grading processes.
"""

__version__ = "0.1.0"
