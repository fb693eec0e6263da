"""Grading a class in parallel: a process pool, each task of each submission under limits.

>>> result = grade_class(assignment, submissions, jobs=2)  # doctest: +SKIP
>>> result.grades[0].verdict  # doctest: +SKIP
'correct'

Before the pool starts, this process grades every task's model answer once (:func:`warm_up`):
that builds and verifies the reference results (SymPy, the generated modules of code tasks),
and the workers, forked from it, inherit them, so nothing is loaded per submission. Each
worker keeps one sandbox (:class:`check.sandbox.Sandbox`) for code tasks. Symbolic and numeric
tasks run in a forked child, each under the assignment's CPU-time and memory limits
(:func:`classroom.grade.isolate.judge_bounded`); code runs in the sandbox under its own
limits. Jobs go to the workers in chunks of about :data:`CHUNK` answers. A crash,
a hang or a blow-up is graded "error" with its reason, and the rest go on; a worker process
that dies takes no one else along: each submission it held is graded again alone in a fresh
worker, and one that kills that worker too is graded "error". Nothing is cached
between runs: every run reads the assignment and grades every submission.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing import get_context, util

from check.sandbox import Sandbox, SandboxError
from classroom.grade.credit import Grade, Judgement, award
from classroom.grade.isolate import judge_bounded
from classroom.grade.judges import judge, reference_file
from derive.errors import BackpropError
from derive.files import read_bytes

MODEL = "model answer"
CHUNK = 20  # answers judged in one bounded child, at most
_WORKER: dict = {}  # this worker's sandbox, started on first use


@dataclass(frozen=True)
class Missing:
    """A task without a usable input: not answered, or unreadable (with the reason)."""

    verdict: str
    reason: str = ""


@dataclass(frozen=True)
class Job:
    """One student's tasks to grade: (task, text | Path | Missing) pairs."""

    student: str
    items: tuple


@dataclass
class ClassResult:
    """The grades (by student, then task), the models' judgements and the sandbox used."""

    grades: list[Grade]
    models: dict = field(default_factory=dict)  # task name -> Judgement
    protections: list[str] = field(default_factory=list)
    setup_seconds: float = 0.0  # loading the references (and the self-test)
    grading_seconds: float = 0.0


def jobs_for(assignment, submissions) -> list[Job]:
    """One job per submission, its tasks in the assignment's order."""
    found = []
    for sub in submissions:
        items = []
        for task in assignment.tasks:
            if task.name in sub.inputs:
                items.append((task, sub.inputs[task.name]))
            elif task.name in sub.problems:
                items.append((task, Missing("unreadable", sub.problems[task.name])))
            else:
                items.append((task, Missing("not answered")))
        found.append(Job(sub.student, tuple(items)))
    return found


def model_jobs(assignment) -> list[Job]:
    """The model answers (and each solution file of a numbers task), as jobs to grade."""
    found = []
    for task in assignment.tasks:
        if task.model is not None:
            found.append(Job(MODEL, ((replace(task, solutions=None), task.model),)))
        if task.solutions is not None:
            for path in sorted(task.solutions.glob("*.toml")):
                own = replace(task, solutions=None, model=path)
                found.append(Job(f"solution {path.stem}", ((own, path),)))
    return found


def warm_up(assignment) -> tuple[dict, list[str]]:
    """Grade each task's model answer here (loading every reference before the workers fork);
    the judgements by task name and the sandbox's protections ([] without code tasks)."""
    models, box = {}, _sandbox_if_needed([t for t in assignment.tasks])
    try:
        for task in assignment.tasks:
            model = task.model
            if model is None:  # a numbers task with only solution files: the first one
                model = min(task.solutions.glob("*.toml"), default=None)
            if model is None:
                models[task.name] = Judgement("error", "no model answer and no solution file")
                continue
            own = replace(task, solutions=None, model=model)
            # here, not in a bounded child: what the checkers build and cache must stay
            models[task.name] = judge(own, model, MODEL, box, assignment.limits.seconds)
        return models, box.protections if box else []
    finally:
        if box:
            box.close()


def _sandbox_if_needed(tasks) -> Sandbox | None:
    return Sandbox() if any(t.mode == "code" for t in tasks) else None


def grade_class(
    assignment, submissions, jobs: int | None = None, progress=None, self_test: bool = False
) -> ClassResult:
    """Grade every submission; ``progress(n)`` is called as n more submissions are done.
    BackpropError (one line) if a model answer cannot be read or graded at all (an unknown
    quantity, a spec that does not load); with ``self_test``, also if a model answer or a
    solution file (graded in the pool) is not correct."""
    started = time.monotonic()
    models, protections = warm_up(assignment)
    broken = [(n, j) for n, j in models.items() if j.verdict in ("unreadable", "error")]
    if broken:  # an unknown quantity, a spec that does not load: every answer would say so
        name, judgement = broken[0]
        raise BackpropError(f"task {name}: the model answer is {judgement.verdict}: "
                            f"{judgement.diagnosis}")  # fmt: skip
    if self_test:
        failed = failed_models(assignment, jobs)
        if failed:
            more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
            raise BackpropError(f"self-test failed: {failed[0]}{more}")
    ready = time.monotonic()
    grades = run_jobs(jobs_for(assignment, submissions), assignment.limits, jobs, progress)
    done = time.monotonic()
    return ClassResult(grades, models, protections, ready - started, done - ready)


def failed_models(assignment, jobs: int | None = None) -> list[str]:
    """One line per model answer or solution file that is not graded correct ([] if none)."""
    failed = []
    for grade in run_jobs(model_jobs(assignment), assignment.limits, jobs):
        if grade.verdict != "correct":
            said = f": {grade.diagnosis}" if grade.diagnosis else ""
            failed.append(f"task {grade.task}: the {grade.student} is graded {grade.verdict}{said}")
    return failed


def run_jobs(jobs: list[Job], limits, workers: int | None = None, progress=None) -> list[Grade]:
    """The grades of every job, in the jobs' order; in ``workers`` processes (default: all
    cores; 1: in this process). The same answer (the same text, or the same numbers file
    against the same solution file) given by several students is judged once."""
    keys = [[_same_answer(task, given, job.student) for task, given in job.items] for job in jobs]
    owned, owned_keys, seen = [], [], set()
    for job, job_keys in zip(jobs, keys, strict=True):
        mine = [(item, key) for item, key in zip(job.items, job_keys, strict=True)
                if key is None or key not in seen]  # fmt: skip
        seen.update(key for _, key in mine)
        owned.append(Job(job.student, tuple(item for item, _ in mine)))
        owned_keys.append([key for _, key in mine])
    judged = _judge_all(owned, limits, workers, progress)
    first = {
        key: judgement
        for job_keys, judgements in zip(owned_keys, judged, strict=True)
        for key, judgement in zip(job_keys, judgements, strict=True)
        if key is not None
    }
    grades = []
    for job, job_keys, own_job, judgements in zip(jobs, keys, owned, judged, strict=True):
        mine = {task.name: j for (task, _), j in zip(own_job.items, judgements, strict=True)}
        for (task, _), key in zip(job.items, job_keys, strict=True):
            grades.append(award(job.student, task, mine[task.name] if key is None else first[key]))
    return grades


def _same_answer(task, given, student: str):
    """What makes two answers to ``task`` the same (None: judge this one on its own): the
    text; for numbers, the file's bytes and those of the file it is judged against. Code is
    always run (the file is the student's program, not an answer)."""
    if isinstance(given, str):
        return (task.name, given)
    if task.mode != "numbers" or isinstance(given, Missing):
        return None
    try:
        return (task.name, read_bytes(given), read_bytes(reference_file(task, student)))
    except BackpropError:
        return None


def _judge_all(jobs: list[Job], limits, workers, progress) -> list[list[Judgement]]:
    """Every job's judgements, in order; jobs go to the workers in chunks (one bounded child
    per chunk, not per job: a fork of a process holding SymPy is not free)."""
    workers = max(1, min(workers or len(os.sched_getaffinity(0)), len(jobs) or 1))
    results: dict[int, list[Judgement]] = {}
    if workers == 1:
        box = _sandbox_if_needed([task for job in jobs for task, _ in job.items])
        try:
            for chunk in _chunks(jobs, range(len(jobs)), 1):
                judged = judge_jobs([jobs[n] for n in chunk], limits, box)
                results.update(zip(chunk, _done(judged, progress), strict=True))
        finally:
            if box:
                box.close()
        return [results[n] for n in range(len(jobs))]
    lost = _pool_round(jobs, range(len(jobs)), limits, workers, results, progress)
    for n in lost:  # a worker died: each job it took along again, alone in a fresh worker
        if _pool_round(jobs, [n], limits, 1, results, progress):
            results[n] = _done([_lost(jobs[n])], progress)[0]
    return [results[n] for n in range(len(jobs))]


def _chunks(jobs: list[Job], pending, workers: int) -> list[list[int]]:
    """Consecutive jobs with about ``size`` answers to judge between them: at most
    :data:`CHUNK`, and at least four chunks per worker (so the load stays balanced)."""
    pending = list(pending)
    count = {n: sum(not isinstance(g, Missing) for _, g in jobs[n].items) for n in pending}
    size = max(1, min(CHUNK, sum(count.values()) // (4 * workers)))
    chunks, current, filled = [], [], 0
    for n in pending:
        current.append(n)
        filled += count[n]
        if filled >= size:
            chunks.append(current)
            current, filled = [], 0
    return chunks + [current] if current else chunks


def _pool_round(jobs, pending, limits, workers, results, progress) -> list[int]:
    """Judge the ``pending`` jobs in a fresh pool; the ones a dying worker took along."""
    lost = []
    context = get_context("fork")  # the workers inherit the references already loaded
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker)
    try:
        futures = {
            pool.submit(judge_jobs, [jobs[n] for n in chunk], limits): chunk
            for chunk in _chunks(jobs, pending, workers)
        }
        for future in as_completed(futures):
            chunk = futures[future]
            try:
                results.update(zip(chunk, _done(future.result(), progress), strict=True))
            except BrokenProcessPool:
                lost += chunk
    finally:
        if lost:  # a broken pool's queues may never drain: end its workers, do not wait
            for process in list((pool._processes or {}).values()):  # noqa: SLF001
                process.kill()
        pool.shutdown(wait=not lost, cancel_futures=bool(lost))
    return sorted(lost)


def _done(judged: list[list[Judgement]], progress) -> list[list[Judgement]]:
    """``judged`` (one list per job), after telling ``progress`` how many jobs are done."""
    if progress is not None:
        progress(len(judged))
    return judged


def _lost(job: Job) -> list[Judgement]:
    return [Judgement("error", "the grading worker died on this submission") for _ in job.items]


def _start_worker() -> None:
    _WORKER.clear()


def _worker_sandbox() -> Sandbox:
    if "sandbox" not in _WORKER:
        box = Sandbox()
        _WORKER["sandbox"] = box
        util.Finalize(box, box.close, exitpriority=10)  # multiprocessing runs it at exit
    return _WORKER["sandbox"]


def judge_jobs(jobs: list[Job], limits, sandbox: Sandbox | None = None) -> list[list]:
    """The judgements of some students' tasks, one list per job in order (in a worker, or
    here): code in the sandbox, every symbolic and numeric task in one bounded child."""
    found: dict[tuple[int, int], Judgement] = {}
    bounded, items = [], []
    for j, job in enumerate(jobs):
        for n, (task, given) in enumerate(job.items):
            if isinstance(given, Missing):
                found[j, n] = Judgement(given.verdict, given.reason)
            elif task.mode == "code":
                box = sandbox or _worker_sandbox()
                found[j, n] = _judge_code(task, given, job.student, box, limits)
            else:
                bounded.append((j, n))
                items.append((task, given, job.student))
    for where, judgement in zip(bounded, judge_bounded(items, limits, judge), strict=True):
        found[where] = judgement
    return [[found[j, n] for n in range(len(job.items))] for j, job in enumerate(jobs)]


def _judge_code(task, given, student: str, sandbox, limits) -> Judgement:
    try:
        return judge(task, given, student, sandbox, limits.seconds)
    except (BackpropError, SandboxError) as exc:
        return Judgement("error", str(exc) or type(exc).__name__)
