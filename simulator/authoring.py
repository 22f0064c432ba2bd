"""The stable API for exam authors: the one tfexam module an exam's ``data.py`` and ``grader.py``
import.

Everything an exam's own code needs from tfexam is here, under names that stay: tfexam's modules
may move or change between versions, this module's names do not (renaming or removing one breaks
users' exams: add names, keep the old ones). The shipped exams import tfexam only through it,
and a test (tests/test_authoring.py) keeps it so. docs/authoring.md ("The authoring API")
describes each name.

Loading other files of the question
    :func:`sibling_module`: ``sibling_module(__file__, "data.py")`` in a ``grader.py`` loads the
    question's ``data.py`` (to regenerate the data it wrote, from the same code).

Type hints
    :class:`Exam`: the exam a ``check_data(exam)`` hook is asked about.

Data that must be prepared first (``check_data``)
    :func:`require_prepared`: the ``check_data`` of a question that reads registry datasets:
    refuses the session, in one line, until ``tfexam prepare EXAM`` has run.
    :func:`dataset_file`: the verified, cached file of a registry dataset (in ``write_data``,
    the grader and the grading worker alike).
    :class:`DataNotReadyError`: raise it from ``check_data`` for any other data that must be
    fetched first; its message is the one line the candidate sees.

Image datasets (zips of class folders)
    :class:`Picture` (a member of the zip and its class), :func:`pictures` (a zip's pictures),
    :func:`picture_classes` (their class names, numbered as ``flow_from_directory`` does),
    :func:`split_by_class` (draw a fixed number of each class), :func:`extract_pictures` (write
    them as class folders), :func:`load_pictures` (decode them into one array).
    :data:`PICTURE_EXTRACT`: Python for a Colab recipe (``notebook_recipe``) that writes a zip's
    pictures as the workspace has them.

Grader hints
    :class:`Mismatch`: one common way a candidate's preprocessing differs from the starter's,
    returned by the grader's optional ``mismatches(seed)``; :func:`unnormalised_pixels` is the
    image questions' one (raw 0-255 pixels).
"""

from __future__ import annotations

from simulator.colab.data import PICTURE_EXTRACT
from simulator.datasets import dataset_file, require_prepared
from simulator.datasets.images import Picture, pictures, split_by_class
from simulator.datasets.images import classes as picture_classes
from simulator.datasets.images import extract as extract_pictures
from simulator.datasets.images import load as load_pictures
from simulator.exam.code import sibling_module
from simulator.exam.format import Exam
from simulator.exam.workspace import DataNotReadyError
from simulator.grading.hints import Mismatch, unnormalised_pixels

__all__ = [
    "PICTURE_EXTRACT",
    "DataNotReadyError",
    "Exam",
    "Mismatch",
    "Picture",
    "dataset_file",
    "extract_pictures",
    "load_pictures",
    "picture_classes",
    "pictures",
    "require_prepared",
    "sibling_module",
    "split_by_class",
    "unnormalised_pixels",
]
