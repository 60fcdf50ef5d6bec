"""The fewest messages a vendor's campaigns can send after a trigger, stopped one at a time at a pace.

At ``pace`` stops a second from the trigger ``T``, the stop in slot ``k`` is accepted at
``T + k / pace`` and halts its campaign a wind-down ``w`` later; campaign ``i`` then sends
``cost_i(k) = sent in [T, T + k / pace + w_i)`` messages after the trigger (:class:`.traffic.Flow`).
Choosing a slot for every campaign to minimise the sum is an assignment problem (campaigns x
slots), solved exactly by :func:`assignment` (shortest augmenting paths with potentials,
O(n^3)), after two reductions that are provably optimal because every ``cost_i`` is
non-decreasing in ``k``:

- a campaign whose cost is the same in every slot (it starts after the last slot's halt, or has
  sent everything before the first) is *indifferent*: giving it the latest slot never costs
  another campaign anything (swapping it there moves the other one earlier, which costs no
  more), so indifferent campaigns take the last slots and the rest share the first ones; with
  fewer slots more campaigns become indifferent, so this repeats until nothing changes;
- what is left (the campaigns whose stop time matters, on the first slots) is solved exactly by
  :func:`assignment`: ~2 s for 400 such campaigns in pure Python on this project's machine.

:func:`brute_force` checks it on small cases (tests).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .traffic import Sending


@dataclass(frozen=True)
class Plan:
    """The best order at a pace: ``order[k]`` is the campaign stopped in slot ``k``; ``messages`` after the trigger."""

    messages: int
    order: list[int]


def assignment(cost: Sequence[Sequence[int]]) -> list[int]:
    """The exact min-cost perfect matching of a square matrix: ``result[row] = column``.

    Kuhn-Munkres with potentials and shortest augmenting paths (one row added at a time).
    """
    n = len(cost)
    if any(len(row) != n for row in cost):
        raise ValueError("the cost matrix must be square")
    inf = math.inf
    u = [0.0] * (n + 1)
    v = [0.0] * (n + 1)
    match = [0] * (n + 1)  # match[column] = row (1-based; 0 = free)
    way = [0] * (n + 1)
    columns = range(1, n + 1)
    for row in range(1, n + 1):
        match[0] = row
        free_col = 0
        minv = [inf] * (n + 1)
        used = [False] * (n + 1)
        while True:
            used[free_col] = True
            current = match[free_col]
            values = cost[current - 1]
            potential = u[current]
            delta, next_col = inf, 0
            for col in columns:
                if not used[col]:
                    reduced = values[col - 1] - potential - v[col]
                    if reduced < minv[col]:
                        minv[col] = reduced
                        way[col] = free_col
                    if minv[col] < delta:
                        delta, next_col = minv[col], col
            for col in range(n + 1):
                if used[col]:
                    u[match[col]] += delta
                    v[col] -= delta
                else:
                    minv[col] -= delta
            free_col = next_col
            if match[free_col] == 0:
                break
        while free_col:
            previous = way[free_col]
            match[free_col] = match[previous]
            free_col = previous
    result = [0] * n
    for col in columns:
        result[match[col] - 1] = col - 1
    return result


def best_order(cost: Sequence[Sequence[int]]) -> Plan:
    """The cheapest order for a cost table ``cost[campaign][slot]`` (non-decreasing along each row; square)."""
    n = len(cost)
    slots = n
    active = list(range(n))
    tail: list[int] = []  # indifferent campaigns, latest slot first
    while True:
        keep = [i for i in active if cost[i][0] != cost[i][slots - 1]]
        dropped = sorted(set(active) - set(keep))
        if not dropped:
            break
        tail.extend(dropped)
        active, slots = keep, slots - len(dropped)
    order = [0] * n
    if active:
        matrix = [list(cost[i][:slots]) for i in active]
        for position, slot in enumerate(assignment(matrix)):
            order[slot] = active[position]
    for offset, i in enumerate(tail):
        order[n - 1 - offset] = i
    return Plan(sum(cost[campaign][slot] for slot, campaign in enumerate(order)), order)


def brute_force(cost: Sequence[Sequence[int]]) -> int:
    """The optimum by trying every order (small tables only: tests)."""
    n = len(cost)
    return min(sum(cost[i][slot] for slot, i in enumerate(order)) for order in itertools.permutations(range(n)))


def cost_table(campaigns: Sequence[Sending], after: float, pace: float, start: float | None = None) -> list[list[int]]:
    """``cost[i][k]``: messages campaign ``i`` sends after ``after`` if its stop is accepted in slot ``k``.

    Slot ``k`` is at ``start + k / pace`` (``start`` defaults to ``after``).
    """
    first = after if start is None else start
    n = len(campaigns)
    return [[c.flow.sent_between(after, first + k / pace + c.wind_down) for k in range(n)] for c in campaigns]


def optimum(campaigns: Sequence[Sending], after: float, pace: float, start: float | None = None) -> dict[str, Any]:
    """The best order to stop ``campaigns`` at ``pace`` stops a second from ``start`` (default ``after``), and
    the messages it lets out after ``after``.

    Campaigns whose stop was accepted before ``after`` are left out (nothing to stop). A ``start`` later
    than ``after`` (e.g. when a run's first stop landed) separates the cost of the order from the cost
    of the delay before any stop could land.
    """
    if isinstance(pace, bool) or not isinstance(pace, (int, float)) or not 0 < pace < math.inf:
        raise ValueError(f"rate must be a number of stops a second > 0, not {pace!r}")
    if start is not None and start < after:
        raise ValueError(f"the first stop ({start}) cannot come before the moment counted from ({after})")
    chosen = [c for c in campaigns if c.stopped_at is None or c.stopped_at >= after]
    plan = best_order(cost_table(chosen, after, pace, start))
    return {
        "rate": float(pace),
        "after": after,
        "start": after if start is None else start,
        "campaigns": len(chosen),
        "messages": plan.messages,
        "last_stop": (len(chosen) - 1) / pace if chosen else 0.0,
        "order": [chosen[i].label for i in plan.order],
    }
