"""A vendor task's parameters, declared once: in its typed ``__init__`` signature.

A stop operator or status sensor of one vendor lists its parameters as explicit keyword arguments
(what Airflow's ``BaseOperator`` checks, what DAG authors' type checkers and the API docs read) and
marks the templated ones ``Templated[...]``. From that signature, once per class:

- ``template_fields`` is derived (each marked parameter, an attribute of the same name);
- :meth:`VendorParams.selection_params` is derived: the parameters the vendor's own validator takes
  (``SPEC.selection`` in ``vendors/<vendor>.py``: what selects campaigns there, validated there);
  the others (the connection id, hook options) configure the hook.

Nothing here imports a vendor module: DAG parsing stays cheap.
"""

from __future__ import annotations

import inspect
import typing
from typing import Annotated, Any, ClassVar, TypeVar

T = TypeVar("T")


class _TemplatedMark:
    """The mark of a templated parameter (see :data:`Templated`)."""

    def __repr__(self) -> str:
        return "TEMPLATED"


TEMPLATED = _TemplatedMark()

#: ``campaign_ids: Templated[Sequence[str] | None] = None``: a parameter Airflow renders with Jinja
Templated = Annotated[T, TEMPLATED]


class VendorParams:
    """Mixin of the vendor tasks' base classes: ``own_params`` and ``template_fields`` read from each class's signature."""

    #: every keyword parameter the vendor task's ``__init__`` methods declare (its bases' included), in order
    own_params: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return
        init = inspect.unwrap(init)
        code = init.__code__  # cheaper than inspect.signature: this runs for every class a DAG file defines
        names = list(code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount])
        cls.own_params = tuple(dict.fromkeys([*cls.own_params, *names]))
        templated = [name for name in names if _templated(init, name)]
        if templated and "template_fields" not in cls.__dict__:
            setattr(cls, "template_fields", tuple(dict.fromkeys([*getattr(cls, "template_fields", ()), *templated])))  # noqa: B010

    def selection_params(self) -> dict[str, Any]:
        """The (rendered) values of this task's parameters that the vendor's validator takes: what selects campaigns."""
        keys = typing.cast(Any, self).hook.selection_keys
        return {name: getattr(self, name) for name in self.own_params if name in keys}


def _templated(init: Any, name: str) -> bool:
    """Whether ``init`` annotates parameter ``name`` as ``Templated[...]``.

    Under ``from __future__ import annotations`` an annotation is its source text (read as written, not evaluated:
    DAG parsing stays cheap); otherwise it is the ``Annotated`` type itself.
    """
    annotation = init.__annotations__.get(name)
    if isinstance(annotation, str):
        head, bracket, _ = annotation.strip().partition("[")
        return bool(bracket) and (head == "Templated" or head.endswith(".Templated"))
    return typing.get_origin(annotation) is Annotated and any(mark is TEMPLATED for mark in getattr(annotation, "__metadata__", ()))
