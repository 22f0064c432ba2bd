"""Training runs: the candidate's scripts started, watched and stopped by tfexam.

No TensorFlow here either: a run is a child process whose output is parsed as text.
"""
