"""Benchmark 5: the hops a campaign id crosses between ``BsgStopCampaignOperator.execute`` and the transport.

One one-campaign operator task runs against the simulator (no latency) under ``sys.settrace``, which
sees every call into the package (not into Airflow, ``requests`` or the standard library) and every
line the package executes. The path is taken at the ``_send`` of the stop request (the login's
``_send`` comes first and is not the campaign's); lines are counted per call over the whole task.

Reported:

- the package functions called between ``execute`` and that ``_send`` (distinct, and in all), whatever
  they do (validation, connection, settings, login, ...);
- the *path*: the call stack at that ``_send`` from ``execute`` down (comprehensions folded into their
  function), with the flow generators (``stop_flow`` → ``call``) placed before the transport's ``run``
  that drives them: every function the campaign's stop goes through, each with the lines that call
  executed in the whole task (one or two lines: it only passed the call on);
- the module chain of that path (consecutive functions of one module are one hop), and the same
  chain in the issue's layers: operator → task engine → stop batch → hook/flows → transport.
"""

from __future__ import annotations

import sys
import threading
import types
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from benchmarks.common import Result, SimProcess, env_vars, execute_kwargs, log, quiet, reset_masker, task_context

PACKAGE = "airflow_provider_campaigns"
TARGET_HOPS = 5
#: the issue's layers; a module maps to the first layer whose prefix it has
LAYERS = (
    ("operators.", "operator"),
    ("engine.task_", "task engine"),
    ("engine.stop_batch", "stop batch"),
    ("hooks.", "hook/flows"),
    ("vendors.", "hook/flows"),
    ("protocol.", "hook/flows"),
    ("core.flow", "hook/flows"),
    ("core.sync_transport", "transport"),
    ("core.transport", "transport"),
    ("core.limits", "transport"),
)
#: a function on the path that executed at most this many lines only passed the call on
FORWARDER_LINES = 2


def _module(code: types.CodeType) -> str | None:
    """``operators.base`` for a code object of the package (``None`` outside it)."""
    path = code.co_filename.replace("\\", "/")
    marker = f"/{PACKAGE}/"
    if marker not in path or f"{marker}simulator/" in path:
        return None
    return path.split(marker, 1)[1].removesuffix(".py").replace("/", ".").removesuffix(".__init__")


def _name(code: types.CodeType) -> str:
    return f"{_module(code)}.{code.co_qualname}"


def _layer(module: str) -> str:
    return next((layer for prefix, layer in LAYERS if module.startswith(prefix)), module)


COMPREHENSIONS = ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>")


@dataclass
class Trace:
    """What the tracer saw during ``execute``; the path is taken at the campaign's ``_send``."""

    campaign_label: str
    calls: list[types.CodeType] = field(default_factory=list)  # every call into the package, in order (generator resumes excluded)
    parents: list[int | None] = field(default_factory=list)  # the calling package frame of each call (by id)
    calls_before_send: int | None = None  # how many of them came before the campaign's _send
    lines: Counter[int] = field(default_factory=Counter)  # lines executed per frame (by id; the frames are kept alive)
    path: list[types.FrameType] | None = None  # set at the campaign's _send
    threads: set[str] = field(default_factory=set)
    _frames: dict[int, types.FrameType] = field(default_factory=dict)

    def tracer(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        if event != "call" or _module(frame.f_code) is None:
            return None
        code = frame.f_code
        if id(frame) not in self._frames:  # a generator's "call" repeats on every resume
            self._frames[id(frame)] = frame
            self.calls.append(code)
            caller = frame.f_back
            while caller is not None and (_module(caller.f_code) is None or caller.f_code.co_name in COMPREHENSIONS):
                caller = caller.f_back
            self.parents.append(None if caller is None else id(caller))
        self.threads.add(threading.current_thread().name)
        if self.path is None and code.co_name == "_send" and code.co_qualname.startswith("SyncTransport"):
            request = getattr(frame.f_locals.get("action"), "request", None)
            if getattr(request, "campaign_id", None) == self.campaign_label:
                self.calls_before_send = len(self.calls)
                self.path = self._path(frame)
        return self._local

    def _local(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.lines[id(frame)] += 1
        return self._local

    def _path(self, send: types.FrameType) -> list[types.FrameType]:
        """The stack at ``_send`` from ``execute`` down (comprehensions folded into their function), with the flow
        generators spliced in before the transport's ``run``, which drives them.

        The hook's ``stop`` creates ``stop_flow`` (it builds the request and yields from ``call``, which yields the
        ``Send``) and hands it through the hook's ``run`` to the transport's ``run``, which drives it and calls
        ``_send`` with what it yields.
        """
        stack: list[types.FrameType] = []
        frame: types.FrameType | None = send
        while frame is not None:
            if _module(frame.f_code) is not None and frame.f_code.co_name not in COMPREHENSIONS:
                stack.append(frame)
            frame = frame.f_back
        stack.reverse()
        start = next((i for i, f in enumerate(stack) if f.f_code.co_name == "execute"), 0)
        stack = stack[start:]
        driver = max((i for i, f in enumerate(stack) if isinstance(f.f_locals.get("flow"), types.GeneratorType)), default=None)
        if driver is None:
            return stack
        generators = []
        flow = stack[driver].f_locals["flow"]
        while isinstance(flow, types.GeneratorType) and flow.gi_frame is not None:
            generators.append(flow.gi_frame)
            flow = flow.gi_yieldfrom
        return [*stack[:driver], *generators, *stack[driver:]]


def _trace_one_stop() -> tuple[Trace, dict[str, Any]]:
    from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator

    with SimProcess(campaigns=2) as sim, env_vars(sim.env), quiet("hops"):
        warm, campaign_id = sim.bsg_ids
        # A first task, untraced: imports and first-use caches, so the trace sees a task's own calls.
        operator = BsgStopCampaignOperator(task_id="warm_up", campaign_id=warm)
        operator.execute(task_context(), **execute_kwargs(operator))
        operator = BsgStopCampaignOperator(task_id="traced", campaign_id=campaign_id)
        context, kwargs = task_context(), execute_kwargs(operator)
        reset_masker()
        trace = Trace(str(campaign_id))
        threading.settrace(trace.tracer)
        sys.settrace(trace.tracer)
        try:
            outcome = operator.execute(context, **kwargs)
        finally:
            sys.settrace(None)
            threading.settrace(None)  # type: ignore[arg-type]
    return trace, outcome


def run(quick: bool = False) -> Result:
    result = Result("5 hops")
    log("hops: one one-campaign BsgStopCampaignOperator task under sys.settrace")
    trace, outcome = _trace_one_stop()
    if trace.path is None:
        result.row(f"the stop request of campaign {trace.campaign_label} was never sent (outcome {outcome.get('totals')})", "", False)
        return result

    before = trace.calls[: trace.calls_before_send]
    distinct = list(dict.fromkeys(before))
    frames = trace.path
    path = [frame.f_code for frame in frames]
    lines = [trace.lines[id(frame)] for frame in frames]
    modules = [str(_module(code)) for code in path]
    chain = [m for i, m in enumerate(modules) if i == 0 or m != modules[i - 1]]
    layers = [_layer(m) for m in chain]
    layer_chain = [name for i, name in enumerate(layers) if i == 0 or name != layers[i - 1]]
    forwarders = [code for code, count in zip(path[:-1], lines[:-1], strict=True) if count <= FORWARDER_LINES]
    by_module = Counter(str(_module(code)) for code in distinct)
    on_path = {id(frame): _name(frame.f_code) for frame in frames}
    side_calls: dict[str, list[str]] = {}
    for code, parent in zip(before, trace.parents[: len(before)], strict=True):
        if parent in on_path and code.co_name not in COMPREHENSIONS and code not in path:
            names = side_calls.setdefault(on_path[parent], [])
            if _name(code) not in names:
                names.append(_name(code))

    result.raw.update(
        {
            "distinct_functions": [_name(code) for code in distinct],
            "path": [(_name(code), count) for code, count in zip(path, lines, strict=True)],
            "module_chain": chain,
            "layer_chain": layer_chain,
            "threads": sorted(trace.threads),
        }
    )
    result.row(
        f"package functions called from BsgStopCampaignOperator.execute to the stop's SyncTransport._send: {len(distinct)} distinct, "
        f"{len(before)} calls (validation, connection, settings, login included), in {len(by_module)} modules; "
        f"{len(dict.fromkeys(trace.calls))} distinct in the whole task",
        "",
        None,
    )
    result.row(
        f"functions the campaign's stop passes through (call stack at _send + the flow generators): {len(path)}, of which "
        f"{len(forwarders)} executed <= {FORWARDER_LINES} lines in the whole task (thin: they mostly pass the call on): "
        + ", ".join(_name(c) for c in forwarders),
        "",
        None,
    )
    result.row(
        f"module hops on that path: {len(chain) - 1} ({len(chain)} modules): " + " → ".join(chain),
        "",
        None,
    )
    result.row(
        f"the same in the issue's layers: {len(layer_chain) - 1} hops: " + " → ".join(layer_chain),
        f"<= {TARGET_HOPS} hops, each doing something",
        len(layer_chain) - 1 <= TARGET_HOPS and len(layer_chain) == len(set(layer_chain)),
    )
    result.note(
        "Hops, the path in full (function (lines that call executed in the whole task); threads seen: "
        + ", ".join(sorted(trace.threads))
        + "): "
        + " → ".join(f"{_name(code)} ({count})" for code, count in zip(path, lines, strict=True))
        + "."
    )
    result.note(
        "Hops, what the path functions call besides the next one, before the stop's _send: "
        + "; ".join(f"{caller}: {', '.join(callees)}" for caller, callees in side_calls.items())
        + "."
    )
    result.note(
        "Hops, package functions called per module before the stop's _send: "
        + ", ".join(f"{module} {count}" for module, count in by_module.most_common())
        + "."
    )
    return result


if __name__ == "__main__":
    from benchmarks.run import main

    sys.exit(main(["hops", *sys.argv[1:]]))
