"""Exporting a question as a Colab-ready notebook, to practise training remotely.

Strong candidates trained on Colab while their laptop trained another model, then dropped the
downloaded ``mymodel.h5`` into the exam project. The notebook holds the question's prompt, a cell
that uploads the question's data files, the starter code unchanged, and a last cell that saves
the model and downloads it. It is written with ``nbformat`` and validated against the notebook
schema before it is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from simulator.exam_format import Exam, Question, format_shape

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


def question_notebook(
    exam: Exam, question: Question, starter_code: str, prompt: str, data: list[DataItem]
) -> NotebookNode:
    """The notebook for one question; raises ``nbformat.ValidationError`` if it were invalid."""
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
    ]
    if data:
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
