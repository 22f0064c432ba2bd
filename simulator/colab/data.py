"""A classic question's data in a Colab notebook: downloaded from the original public URLs.

A classic question's workspace data is made from public files (the dataset registry says where the
real exam's starter downloaded each one), less the part tfexam keeps back as its hidden test. The
notebook does the same in Colab instead of asking the candidate to upload hundreds of megabytes:
it downloads each public file from its first URL (the real starter's), checks its size and
sha256 against the registry, and then runs the question's own recipe, which writes the files the
workspace holds (``notebook_recipe(seed)`` in the question's ``data.py``; the hidden part is
left out by name or position, so the Colab model trains on exactly the workspace's data).

The CLI writes notebooks: nothing here imports TensorFlow.
"""

from __future__ import annotations

from simulator.datasets.prepare import question_datasets
from simulator.datasets.registry import RemoteFile
from simulator.exam.code import load_question_module
from simulator.exam.format import Question

#: The function a classic ``data.py`` defines to take part: ``notebook_recipe(seed) -> str``.
RECIPE = "notebook_recipe"

_FETCH = '''\
import hashlib, os, urllib.request

DOWNLOADS = ".tfexam-downloads"  # the public files, as downloaded
FILES = {files}  # name: (url, accepted (size, sha256) copies) from tfexam's registry


def fetch(name):
    """Download one public file once (again if a copy is damaged); returns its path."""
    url, accepted = FILES[name]
    os.makedirs(DOWNLOADS, exist_ok=True)
    path = os.path.join(DOWNLOADS, name)
    if not (os.path.exists(path) and _matches(path, accepted)):
        print("downloading", url)
        urllib.request.urlretrieve(url, path)
        if not _matches(path, accepted):
            raise RuntimeError(f"{{name}} from {{url}} is not the file the exam used")
    return path


def _matches(path, accepted):
    """Whether the file is one of the copies the exam's data is known to be made from."""
    size = os.path.getsize(path)
    digest = None
    for wanted_size, wanted_sha256 in accepted:
        if wanted_size is not None and size != wanted_size:
            continue
        if wanted_sha256 is None:
            return True
        if digest is None:
            digest = hashlib.sha256()
            with open(path, "rb") as stream:
                for block in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(block)
        if digest.hexdigest() == wanted_sha256:
            return True
    return False


'''


#: For recipes of image questions: ``extract(archive, target, leave_out=())`` writes a zip's
#: pictures under ``target`` as the workspace has them (the rule of
#: ``simulator.datasets.images.pictures``: class folders, no macOS resource files).
PICTURE_EXTRACT = """
import zipfile
from pathlib import PurePosixPath


def extract(archive, target, leave_out=()):
    # the zip's pictures under target, as tfexam's workspace has them
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
                continue
            if "__MACOSX" in path.parts or path.name.startswith(".") or len(path.parts) < 2:
                continue
            if info.filename in leave_out:
                continue
            out = os.path.join(target, *path.parts)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, "wb") as stream:
                stream.write(zipped.read(info.filename))
"""


def has_recipe(question: Question) -> bool:
    """Whether the question's data comes from public files that a notebook can download."""
    if question.data is None or not question_datasets(question):
        return False
    return callable(getattr(load_question_module(question, question.data, "data"), RECIPE, None))


def accepted_copies(remote: RemoteFile) -> list[tuple[int | None, str | None]]:
    """(size, sha256) of the official file and of each other copy the registry accepts."""
    return [(remote.size, remote.sha256), *((v.size, v.sha256) for v in remote.also_accepted)]


def download_urls(question: Question) -> dict[str, str]:
    """The URL each of the question's public files is downloaded from (the registry's first)."""
    return {
        remote.name: remote.urls[0]
        for dataset in question_datasets(question)
        for remote in dataset.files
    }


def recipe_code(question: Question, seed: int) -> str:
    """The question's recipe: code that calls ``fetch(name)`` and writes the workspace's data."""
    recipe = getattr(load_question_module(question, question.data or "", "data"), RECIPE)
    code: str = recipe(seed)
    return code.strip("\n")


def download_code(question: Question, seed: int) -> str:
    """The notebook cell: fetch the public files, then write the workspace's data from them."""
    files = {
        remote.name: (remote.urls[0], accepted_copies(remote))
        for dataset in question_datasets(question)
        for remote in dataset.files
    }
    listed = "{\n" + "".join(f"    {name!r}: {entry!r},\n" for name, entry in files.items()) + "}"
    return _FETCH.format(files=listed) + recipe_code(question, seed) + '\nprint("data ready")'
