"""Colab notebooks for the parallel-training workflow."""
