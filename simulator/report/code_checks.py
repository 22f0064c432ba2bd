"""What a candidate's training script says about itself, read with :mod:`ast` (never run).

Each check answers one question about the code ("are the pictures scaled?", "does the loss fit
the labels?") and speaks only where the code is explicit: a value it cannot read (a variable, a
computed argument) is taken as the candidate's intent, never as a mistake. A script that does
not parse says nothing here (its run's error says it). Every finding carries the file and line
that show it, so a learner can open the file at that line and see for themselves.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from simulator.exam.format import Question

#: Losses by the names Keras accepts, in the form the checks compare: a string, a class of
#: ``keras.losses`` or its function.
LOSS_NAMES = {
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy",
    "categoricalcrossentropy": "categorical_crossentropy",
    "binary_crossentropy": "binary_crossentropy",
    "binarycrossentropy": "binary_crossentropy",
}
#: Layers that keep a time axis when ``return_sequences=True``.
RECURRENT = frozenset({"LSTM", "GRU", "SimpleRNN"})
#: Layers after which one value per window remains, whatever came before.
COLLAPSING = frozenset(
    {"Flatten", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "Reshape", "Lambda",
     "GlobalAveragePooling2D", "GlobalMaxPooling2D"}
)  # fmt: skip
#: Calls that turn integer labels into one-hot rows.
ONE_HOT_CALLS = frozenset(
    {"to_categorical", "one_hot", "eye", "get_dummies", "OneHotEncoder", "LabelBinarizer",
     "CategoryEncoding"}
)  # fmt: skip
#: Calls that load a question's pictures as arrays of 0-255 values.
ARRAY_LOADS = frozenset({"load", "load_data"})
#: The value pictures are divided by to scale them into [0, 1].
PIXEL_MAX = 255.0


@dataclass(frozen=True)
class CodeFinding:
    """One mistake the code shows: its code, the sentence (without the question), and where."""

    code: str
    sentence: str
    #: The lines that show it, each with its source line (stripped).
    lines: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class _Call:
    name: str
    node: ast.Call
    parent: ast.Call | None

    @property
    def line(self) -> int:
        return self.node.lineno


class Script:
    """One parsed training script and the facts the checks share."""

    def __init__(self, path: Path, source: str, tree: ast.Module) -> None:
        self.path = path
        self.source = source
        self.lines = source.splitlines()
        self.tree = tree
        self.calls = _calls(tree)
        compiled = {_receiver(c.node) for c in self.calls if c.name == "compile"} - {None}
        #: ``model.fit(...)`` of a model compiled in this file, or any ``fit`` given ``epochs``.
        self.fits = [
            c
            for c in self.calls
            if c.name == "fit" and (_receiver(c.node) in compiled or _keyword(c.node, "epochs"))
        ]

    @classmethod
    def read(cls, path: Path) -> Script | None:
        """The script at ``path``; None where it cannot be read or does not parse."""
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return cls.parse(source, path)

    def named(self, *names: str) -> list[_Call]:
        return [c for c in self.calls if c.name in names]

    def snippet(self, line: int) -> str:
        """The source line, stripped (what the evidence quotes)."""
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return text if len(text) <= 100 else text[:99] + "…"

    def finding(self, code: str, sentence: str, *lines: int) -> CodeFinding:
        return CodeFinding(code, sentence, tuple((n, self.snippet(n)) for n in lines))

    def epochs_line(self) -> int | None:
        """The line of the ``epochs=`` of the script's last ``fit``, if it has one."""
        for call in reversed(self.fits):
            value = _keyword(call.node, "epochs")
            if value is not None:
                return value.lineno
        return None

    def validates(self) -> bool:
        """Whether a ``fit`` has validation data (``validation_data``, ``validation_split``)."""
        return any(
            _keyword(c.node, "validation_data") is not None
            or _keyword(c.node, "validation_split") is not None
            or len(c.node.args) >= 7  # validation_data given by position
            for c in self.fits
        )

    @classmethod
    def parse(cls, source: str, path: Path) -> Script | None:
        """``source`` as the script at ``path``; None where it does not parse."""
        try:
            return cls(path, source, ast.parse(source, filename=str(path)))
        except (SyntaxError, ValueError):
            return None

    def restores_best_weights(self) -> bool:
        """Whether an ``EarlyStopping(restore_best_weights=True)`` or a checkpoint that keeps
        the best epoch is in the script: then the saved model is not the last epoch's."""
        for call in self.named("EarlyStopping"):
            if _constant(_keyword(call.node, "restore_best_weights")) is True:
                return True
        return any(
            _constant(_keyword(c.node, "save_best_only")) is True
            for c in self.named("ModelCheckpoint")
        )


def check_script(
    script: Script, question: Question, reference: Script | None = None
) -> list[CodeFinding]:
    """Every mistake the script shows for ``question``, in the order of the checks.

    ``reference``: the question's reference solution. Where it trains without validation data
    itself (a line fitted to six points), a script that does the same is not told otherwise."""
    return [
        *_pixels_not_scaled(script, question),
        *_loss_and_labels(script),
        *_sequence_output(script, question),
        *(_no_validation(script) if reference is None or reference.validates() else []),
    ]


# The checks -------------------------------------------------------------------------------------


def _is_picture_question(question: Question) -> bool:
    """Pictures: a classifier whose input has two or more axes (28x28, 150x150x3)."""
    interface = question.interface
    return interface.output in ("softmax", "sigmoid") and len(interface.input_shape) >= 2


def _pixels_not_scaled(script: Script, question: Question) -> list[CodeFinding]:
    if not script.fits or not _is_picture_question(question):
        return []
    if script.named("Rescaling"):
        return []
    found = []
    unscaled = [
        call.line
        for call in script.named("ImageDataGenerator")
        if _keyword(call.node, "preprocessing_function") is None and _no_rescale(call.node)
    ]
    if unscaled:
        found.append(
            script.finding(
                "pixels-not-scaled",
                "the pictures of ImageDataGenerator(...) are not scaled (no rescale=1/255 and no "
                "Rescaling layer): the model trains on 0-255 values while the grader gives it "
                "values in [0, 1]",
                *unscaled,
            )
        )
    divides = _divides_by_pixel_max(script.tree)
    if divides or any(_keyword(c.node, "rescale") is not None for c in script.calls):
        return found
    for call in script.named("image_dataset_from_directory"):
        found.append(
            script.finding(
                "pixels-not-scaled",
                "the pictures of image_dataset_from_directory(...) are 0-255 values and "
                "nothing divides them by 255 (no Rescaling layer): the grader gives the model "
                "values in [0, 1]",
                call.line,
            )
        )
    loads = _array_loads(script)
    if loads:  # one finding: the first load (a helper function may wrap np.load)
        found.append(
            script.finding(
                "pixels-not-scaled",
                "the pictures loaded here are 0-255 values and nothing divides them by 255 "
                "(no x / 255.0, no Rescaling layer): the grader gives the model values in [0, 1]",
                loads[0].line,
            )
        )
    return found


def _loss_and_labels(script: Script) -> list[CodeFinding]:
    found = []
    output = _output_layer(script)
    sources = _label_sources(script)
    for call in script.named("compile"):
        loss = _loss_name(call.node)
        if loss is None:
            continue
        one_hot = [s for s in sources if s[0] == "one-hot"]
        integer = [s for s in sources if s[0] in ("integer", "binary")]
        if loss == "sparse_categorical_crossentropy" and one_hot:
            where, how = one_hot[0][1], one_hot[0][2]
            found.append(
                script.finding(
                    "loss-label-mismatch",
                    f"the loss sparse_categorical_crossentropy expects integer labels, but the "
                    f"labels are one-hot ({how}, line {where}): use categorical_crossentropy",
                    call.line,
                )
            )
        elif loss == "categorical_crossentropy" and integer and not one_hot:
            where, how = integer[0][1], integer[0][2]
            found.append(
                script.finding(
                    "loss-label-mismatch",
                    f"the loss categorical_crossentropy expects one-hot labels, but the labels "
                    f"are class numbers ({how}, line {where}): use "
                    "sparse_categorical_crossentropy",
                    call.line,
                )
            )
        elif (
            loss == "binary_crossentropy"
            and output is not None
            and output[1] == "softmax"
            and output[0] > 1
        ):
            found.append(
                script.finding(
                    "loss-label-mismatch",
                    f"the loss binary_crossentropy is for one sigmoid output, but the model ends "
                    f"with a softmax over {output[0]} classes (line {output[2]}): use "
                    "categorical_crossentropy (or sparse_categorical_crossentropy for class "
                    "numbers)",
                    call.line,
                )
            )
        elif (
            loss in ("categorical_crossentropy", "sparse_categorical_crossentropy")
            and output is not None
            and output[:2] == (1, "sigmoid")
        ):
            found.append(
                script.finding(
                    "loss-label-mismatch",
                    f"the loss {loss} is for a softmax over classes, but the model ends with "
                    f"one sigmoid output (line {output[2]}): use binary_crossentropy",
                    call.line,
                )
            )
    return found


def _sequence_output(script: Script, question: Question) -> list[CodeFinding]:
    """A value per time step where the question wants one per window. A question whose tester
    reads the last step of a sequence (``sequence_output``, the classic sunspots) accepts both."""
    if question.interface.sequence_output:
        return []
    recurrent = script.named(*RECURRENT)
    dense = script.named("Dense")
    found = []
    if recurrent:
        last = recurrent[-1]
        later = [c for c in script.calls if _after(c, last) and c.name in COLLAPSING]
        if _constant(_keyword(last.node, "return_sequences")) is True and not later:
            shape = list(question.interface.output_shape)
            found.append(
                script.finding(
                    "sequence-output",
                    f"the last recurrent layer, {last.name}(..., return_sequences=True), returns "
                    f"a value per time step, so the model outputs a sequence where the question "
                    f"expects one value per window (output {shape}): drop return_sequences on "
                    "the last one",
                    last.line,
                )
            )
    wrapper = dense[-1].parent if dense else None
    if wrapper is not None and _name(wrapper.func) == "TimeDistributed":
        shape = list(question.interface.output_shape)
        found.append(
            script.finding(
                "sequence-output",
                f"the output layer is TimeDistributed(Dense(...)): it returns a value per "
                f"time step where the question expects one per window (output {shape})",
                dense[-1].line,
            )
        )
    return found


def _no_validation(script: Script) -> list[CodeFinding]:
    if not script.fits or script.validates():
        return []
    last = script.fits[-1]
    return [
        script.finding(
            "no-validation-data",
            "fit(...) has no validation_data (or validation_split): nothing showed how the "
            "model did on data it was not trained on, or when to stop",
            last.line,
        )
    ]


# Reading the tree -------------------------------------------------------------------------------


def _calls(tree: ast.Module) -> list[_Call]:
    """Every call in the module, in source order, with the call it is an argument of."""
    found: list[_Call] = []

    def visit(node: ast.AST, parent: ast.Call | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Call):
                found.append(_Call(_name(child.func), child, parent))
                visit(child, child)
            else:
                visit(child, parent)

    visit(tree, None)
    return sorted(found, key=lambda c: (c.node.lineno, c.node.col_offset))


def _after(call: _Call, other: _Call) -> bool:
    return (call.node.lineno, call.node.col_offset) > (other.node.lineno, other.node.col_offset)


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _dotted(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return f"{_dotted(func.value)}.{func.attr}"
    return func.id if isinstance(func, ast.Name) else ""


def _receiver(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _constant(node: ast.expr | None) -> object:
    """A literal's value (``1.0 / 255`` included); None where it is not one."""
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left, right = _constant(node.left), _constant(node.right)
            if isinstance(left, (int, float)) and isinstance(right, (int, float)) and right:
                return left / right
        return None


def _no_rescale(call: ast.Call) -> bool:
    """No ``rescale``, or a literal one that changes nothing (``None``, ``1``); a variable is
    taken as the candidate's scaling."""
    rescale = _keyword(call, "rescale")
    if rescale is None:
        return True
    return isinstance(rescale, ast.Constant) and rescale.value in (None, 1, 1.0)


def _divides_by_pixel_max(tree: ast.Module) -> bool:
    """Whether anything is divided by 255 (``x / 255.0``, ``x /= 255``) or multiplied by 1/255."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.BinOp, ast.AugAssign)):
            right = node.right if isinstance(node, ast.BinOp) else node.value
            value = _constant(right)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            if isinstance(node.op, ast.Div) and value == PIXEL_MAX:
                return True
            if isinstance(node.op, ast.Mult) and value and abs(value * PIXEL_MAX - 1) < 1e-6:
                return True
    return False


def _loss_name(call: ast.Call) -> str | None:
    loss = _keyword(call, "loss")
    if loss is None and len(call.args) >= 2:
        loss = call.args[1]
    if loss is None:
        return None
    if isinstance(loss, ast.Constant) and isinstance(loss.value, str):
        key = loss.value
    elif isinstance(loss, ast.Call):
        key = _name(loss.func)
    else:
        key = _name(loss)
    return LOSS_NAMES.get(key.lower())


def _label_sources(script: Script) -> list[tuple[str, int, str]]:
    """Where the labels come from and how they are encoded: ``(encoding, line, how)`` with the
    encoding "one-hot", "integer" or "binary"; only where the code says so (or a documented
    default says so)."""
    found: list[tuple[str, int, str]] = []
    for call in script.named("flow_from_directory", "flow_from_dataframe"):
        value = _keyword(call.node, "class_mode")
        mode = "categorical" if value is None else _constant(value)
        shown = f'class_mode="{mode}"' if value is not None else "the default class_mode"
        encoding = {"categorical": "one-hot", "sparse": "integer", "binary": "binary"}.get(
            mode if isinstance(mode, str) else ""
        )
        if encoding:
            found.append((encoding, call.line, f"{call.name}(..., {shown})"))
    for call in script.named("image_dataset_from_directory", "text_dataset_from_directory"):
        value = _keyword(call.node, "label_mode")
        mode = "int" if value is None else _constant(value)
        shown = f'label_mode="{mode}"' if value is not None else 'the default label_mode="int"'
        encoding = {"categorical": "one-hot", "int": "integer", "binary": "binary"}.get(
            mode if isinstance(mode, str) else ""
        )
        if encoding:
            found.append((encoding, call.line, f"{call.name}(..., {shown})"))
    one_hot = script.named(*ONE_HOT_CALLS)
    for call in one_hot:
        found.append(("one-hot", call.line, f"{call.name}(...)"))
    if not one_hot:
        for call in _array_loads(script)[:1]:
            how = f"{_dotted(call.node.func)}(...) gives class numbers"
            found.append(("integer", call.line, how))
    return sorted(found, key=lambda s: s[1])


def _array_loads(script: Script) -> list[_Call]:
    """``np.load(...)`` and ``....load_data()`` calls: pictures and labels as arrays."""
    return [
        c
        for c in script.named(*ARRAY_LOADS)
        if c.name == "load_data" or _dotted(c.node.func).split(".")[0] in ("np", "numpy")
    ]


def _output_layer(script: Script) -> tuple[int, str, int] | None:
    """The last ``Dense`` of the script: its units, activation and line, where both are literal."""
    dense = script.named("Dense")
    if not dense:
        return None
    last = dense[-1].node
    units_node = _keyword(last, "units") or (last.args[0] if last.args else None)
    units = _constant(units_node)
    activation = _constant(
        _keyword(last, "activation") or (last.args[1] if len(last.args) > 1 else None)
    )
    if not isinstance(units, int) or not isinstance(activation, str):
        return None
    return units, activation, last.lineno
