"""Exporting a question as a Colab-ready notebook, to practise training remotely.

Strong candidates trained on Colab while their laptop trained another model, then dropped the
downloaded ``mymodel.h5`` into the exam project. The notebook holds the question's prompt, a first
cell that compares Colab's TensorFlow and Keras with the grader's (a model saved by a newer Keras
may not load in an older one), a cell that uploads the question's data files (only those the
question's data code writes, never other files of the folder), the candidate's starter code as
saved in the workspace, and a last cell that saves the model and downloads it. It is written with
``nbformat`` and validated against the notebook schema before it is saved.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from simulator.exam.format import Exam, Question, format_shape
from simulator.session.events import NotebookExported

#: The store's event kind for an export of a running session's question (the report counts a
#: Colab training as parallel work from then until the model arrives).
NOTEBOOK_EXPORTED = NotebookExported.KIND

#: Files of a question folder that are not data the starter reads.
NOT_DATA = {"prompt.md", "reference_solution.py"}


@dataclass(frozen=True)
class DataItem:
    """Something the starter reads from its folder: a file, or a folder uploaded as a zip."""

    name: str
    is_folder: bool


def data_items(question: Question, folder: Path) -> list[DataItem]:
    """The data next to the starter in a workspace question folder (not models, not the prompt)."""
    items = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name in NOT_DATA or path.name == question.starter:
            continue
        if question.accepts(path.name) or path.suffix in (".ipynb", ".h5", ".keras", ".log"):
            continue
        items.append(DataItem(path.name, path.is_dir()))
    return items


@dataclass(frozen=True)
class GraderVersions:
    """The TensorFlow and Keras the grading workers load models with (None: not installed)."""

    tensorflow: str | None
    keras: str | None

    @classmethod
    def installed(cls) -> GraderVersions:
        """Read from the installed packages' metadata: the CLI never imports TensorFlow."""
        return cls(
            installed_version("tensorflow", "tensorflow-cpu", "tensorflow-macos"),
            installed_version("keras"),
        )


def installed_version(*names: str) -> str | None:
    """The version of the first of ``names`` that is installed (from its metadata, no import)."""
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def question_notebook(
    exam: Exam,
    question: Question,
    starter_code: str,
    prompt: str,
    data: list[DataItem],
    grader: GraderVersions | None = None,
    download: str | None = None,
) -> NotebookNode:
    """The notebook for one question; raises ``nbformat.ValidationError`` if it were invalid.

    ``download``: for a classic question, the cell that downloads its public files from the
    original URLs and writes the workspace's data (:mod:`simulator.colab.data`); it replaces
    the upload cell.
    """
    grader = grader or GraderVersions.installed()
    number = list(exam.questions).index(question) + 1
    model_file = question.model_files[0]
    interface = question.interface
    cells = [
        new_markdown_cell(
            f"# {exam.title}: question {number}, {question.title}\n\n"
            f"Exported by tfexam to train on Colab (Runtime → Change runtime type → GPU). Run the "
            f"cells in order. The last one downloads `{model_file}`: put it into "
            f"`{question.workspace_folder}/` of your tfexam workspace, where it is graded like a "
            f"model trained locally (tagged `external`).\n\n"
            f"Fixed interface: input `{format_shape(interface.input_shape)}` → output "
            f"`{format_shape(interface.output_shape)}` ({interface.output})."
        ),
        new_markdown_cell(prompt),
        new_markdown_cell("## Versions"),
        new_code_cell(_versions_code(grader)),
    ]
    if download is not None:
        cells.append(new_markdown_cell(_download_help(question, data)))
        cells.append(new_code_cell(download))
    elif data:
        cells.append(new_markdown_cell(_data_help(question, data)))
        cells.append(new_code_cell(_upload_code(data)))
    cells.append(new_markdown_cell(f"## The starter file (`{question.starter}`)"))
    cells.append(new_code_cell(starter_code.rstrip("\n")))
    cells.append(new_markdown_cell(f"## Save and download `{model_file}`"))
    cells.append(new_code_cell(_download_code(model_file)))
    notebook = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
            "accelerator": "GPU",
            "colab": {"provenance": [], "name": f"{exam.id}-{question.workspace_folder}.ipynb"},
            "tfexam": {
                "exam": exam.id,
                "question": question.id,
                "folder": question.workspace_folder,
            },
        },
    )
    nbformat.validate(notebook)
    return notebook


def write_notebook(notebook: NotebookNode, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(target))
    return target


def _download_help(question: Question, data: list[DataItem]) -> str:
    names = ", ".join(f"`{d.name}{'/' if d.is_folder else ''}`" for d in data)
    return (
        "## Data\n\n"
        "The next cell downloads the public files from the URLs the real exam's starter used, "
        "checks each against the size and sha256 tfexam knows, and writes what the starter reads "
        f"({names}) exactly as your workspace's `{question.workspace_folder}/` has it: tfexam's "
        "hidden test is left out, so the score of a model trained here is a fair one."
    )


def _data_help(question: Question, data: list[DataItem]) -> str:
    files = [d for d in data if not d.is_folder]
    folders = [d for d in data if d.is_folder]
    lines = [
        "## Data",
        "",
        f"The starter reads these from its folder (`{question.workspace_folder}/` of your workspace). "
        "The next cell asks you to upload them when they are not here yet.",
        "",
    ]
    lines += [f"- `{d.name}`" for d in files]
    if folders:
        lines += [f"- `{d.name}/` as `{d.name}.zip`" for d in folders]
        lines += [
            "",
            "Zip each folder first, in the question's folder: "
            f"`cd {question.workspace_folder} && "
            + " && ".join(f"zip -qr {d.name}.zip {d.name}" for d in folders)
            + "`",
        ]
    return "\n".join(lines)


def _upload_code(data: list[DataItem]) -> str:
    needed = [d.name for d in data]
    folders = [d.name for d in data if d.is_folder]
    return f"""import os
import zipfile

NEEDED = {needed!r}
FOLDERS = {folders!r}  # uploaded as <name>.zip and unpacked here


def missing():
    return [name for name in NEEDED if not os.path.exists(name)]


if missing():
    try:
        from google.colab import files
    except ImportError:
        raise SystemExit(f"put {{missing()}} next to this notebook") from None
    print("Upload:", ", ".join(n + (".zip" if n in FOLDERS else "") for n in missing()))
    files.upload()
for name in FOLDERS:
    if not os.path.exists(name) and os.path.exists(name + ".zip"):
        with zipfile.ZipFile(name + ".zip") as archive:
            archive.extractall(".")
assert not missing(), f"still missing: {{missing()}}"
print("Data ready:", ", ".join(NEEDED))"""


def _versions_code(grader: GraderVersions) -> str:
    return f"""import keras
import tensorflow as tf

# What tfexam grades with: a model saved by a newer Keras may not load there.
GRADER_TF, GRADER_KERAS = {grader.tensorflow!r}, {grader.keras!r}
print("Colab: TensorFlow", tf.__version__, "/ Keras", keras.__version__)
print("tfexam's grader: TensorFlow", GRADER_TF, "/ Keras", GRADER_KERAS)


def major_minor(version):
    return tuple(int(part) for part in version.split(".")[:2] if part.isdigit())


if GRADER_KERAS and keras.__version__ != GRADER_KERAS:
    here, there = major_minor(keras.__version__), major_minor(GRADER_KERAS)
    if here[:1] != there[:1] or here > there:
        print(
            f"WARNING: a model saved here with Keras {{keras.__version__}} may not load in the "
            f"grader's Keras {{GRADER_KERAS}} (TensorFlow {{GRADER_TF}}). Save it as .h5, as the "
            f"last cell does (model.save('mymodel.h5')), with layers that Keras {{GRADER_KERAS}} "
            f"has; or first run !pip install -q tensorflow=={{GRADER_TF}} keras=={{GRADER_KERAS}} "
            "and restart the runtime."
        )"""


def _download_code(model_file: str) -> str:
    return f"""import os

# The starter's last lines train the model and save it; train it here if that cell did not.
if "model" not in globals():
    model = solution_model()
model.save({model_file!r})
print("Saved", os.path.abspath({model_file!r}), os.path.getsize({model_file!r}), "bytes")
try:
    from google.colab import files
except ImportError:
    pass  # not on Colab: the file is next to this notebook
else:
    files.download({model_file!r})"""
