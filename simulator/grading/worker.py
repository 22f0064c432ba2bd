"""The grading worker process: ``python -m simulator.grading.worker``.

Started by :class:`simulator.grading.pool.GradingPool` as a plain subprocess (never a fork of a
process that ran TensorFlow: a forked child deadlocks in its first ``tf.function``). It lowers its
priority, imports TensorFlow and warms it up before saying "ready", then grades jobs read from
stdin and answers on a private copy of stdout; everything else it or TensorFlow prints goes to the
log file the pool gave it as stderr, never to the candidate's terminal.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import time
import traceback
from typing import TextIO

from simulator.grading.protocol import GradingJob, GradingResult, parse_line, ready_line
from simulator.grading.reasons import Reason


def _take_protocol_channel() -> TextIO:
    """Keep fd 1 for protocol messages only; route every other write to stdout into the log."""
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return channel


def _lower_priority() -> str:
    """Yield the CPU to the candidate's training: the idle scheduling class on Linux, else nice.

    Returns what was done, for the log.
    """
    log = logging.getLogger("tfexam.worker")
    if os.environ.get("TFEXAM_WORKER_IDLE_CLASS") == "1" and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
            return "idle scheduling class"
        except OSError:
            log.warning("could not enter the idle scheduling class; using nice instead")
    niceness = int(os.environ.get("TFEXAM_WORKER_NICE", "10"))
    if niceness > 0 and hasattr(os, "nice"):
        try:
            return f"niceness {os.nice(niceness)}"
        except OSError:
            log.warning("could not lower priority")
    return "normal priority"


def _warm_up() -> str:
    """Import TF and run a tiny model once so the first real job pays no start-up costs.

    TensorFlow's thread pools are sized from the pool's settings before the first operation (the
    only moment they can be), and the GPUs the pool hid stay hidden. Returns a description of
    that, for the log.
    """
    import absl.logging
    import keras
    import numpy as np
    import tensorflow as tf

    absl.logging.set_verbosity(absl.logging.ERROR)
    tf.get_logger().setLevel("ERROR")
    intra = int(os.environ.get("TF_NUM_INTRAOP_THREADS", "0"))
    inter = int(os.environ.get("TF_NUM_INTEROP_THREADS", "0"))
    tf.config.threading.set_intra_op_parallelism_threads(intra)
    tf.config.threading.set_inter_op_parallelism_threads(inter)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2, activation="softmax")])
    model(np.zeros((2, 4), dtype="float32"), training=False)
    import simulator.grading.job  # noqa: F401  (loads the grading code and its imports)

    gpus = len(tf.config.list_physical_devices("GPU"))
    return (
        f"TensorFlow {tf.__version__}, {tf.config.threading.get_intra_op_parallelism_threads()}"
        f" intra-op and {tf.config.threading.get_inter_op_parallelism_threads()} inter-op"
        f" threads, {gpus} GPUs visible"
    )


def main() -> int:
    channel = _take_protocol_channel()
    logging.basicConfig(
        level=logging.INFO,
        format=f"%(asctime)s worker[{os.getpid()}] %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    log = logging.getLogger("tfexam.worker")
    priority = _lower_priority()
    started = time.perf_counter()
    runtime = _warm_up()
    from simulator.grading.job import grade

    warm_s = time.perf_counter() - started
    log.info("ready after %.2fs (%s; %s)", warm_s, priority, runtime)
    channel.write(ready_line(os.getpid(), warm_s))
    for line in sys.stdin:
        message = parse_line(line)
        if message is None:
            continue
        if message["type"] == "stop":
            break
        if message["type"] != "job":
            continue
        job = GradingJob.from_message(message)
        log.info("job %s: %s (question %s)", job.job_id, job.model_path, job.question_id)
        try:
            result = grade(job)
        except Exception as error:
            log.error("job %s crashed:\n%s", job.job_id, traceback.format_exc())
            result = GradingResult.not_gradable(
                job.job_id,
                Reason("load-failed", f"the grader failed: {type(error).__name__}: {error}"),
            )
        result = dataclasses.replace(result, worker_pid=os.getpid())
        log.info("job %s: %s %s", job.job_id, result.state, result.message)
        channel.write(result.to_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
