"""Sphinx configuration of the airflow-provider-campaigns documentation (``make docs``).

Pages are MyST Markdown; the reference is autodoc, imported from the installed package. Three
small additions live here:

* every operator and sensor shows the ``:param:`` fields of its base classes too
  (``StopTaskOperator``, ``CampaignStopOperator``, ``CampaignStatusSensor``), marked as inherited;
* a parameter marked ``Templated[...]`` shows its plain type in signatures;
* ``connection-screenshot`` shows ``connection-form-<vendor>.png`` when that file exists and
  nothing otherwise, so the build does not depend on the screenshots being there yet.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

import airflow_provider_campaigns

DOCS = Path(__file__).resolve().parent

project = "airflow-provider-campaigns"
author = "airflow-provider-campaigns contributors"
copyright = "the airflow-provider-campaigns contributors"
release = version = airflow_provider_campaigns.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode", "myst_parser"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "requirements.txt", "README.md"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "airflow-provider-campaigns"
html_static_path: list[str] = []
html_show_sourcelink = False

# autodoc: the class docstring carries the parameters; signatures keep their types.
autoclass_content = "class"
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
python_use_unqualified_type_names = True
add_module_names = False

# Nitpicky (-n): every reference into this package must resolve. Types from the standard library,
# Airflow and other libraries are not linked (no intersphinx: the build runs offline).
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(collections|typing|datetime|enum|concurrent|asyncio|threading|logging|random|types)(\..*)?"),
    (r"py:.*", r"(airflow|pendulum|httpx|requests|jwt)(\..*)?"),
    (r"py:.*", r"(Any|Sequence|Mapping|Iterable|Callable|AsyncIterator|Iterator|TypedDict|ClassVar|Generic|TypeVar)"),
    (r"py:.*", r"(BaseOperator|BaseSensorOperator|BaseHook|BaseTrigger|TriggerEvent|PokeReturnValue|Context)"),
    (r"py:.*", r"(AirflowException|AirflowFailException|AirflowSensorTimeout|ValueError)"),
    (r"py:.*", r"(int|str|float|bool|dict|list|tuple|None|frozenset|set|bytes|object)"),
    (r"py:.*", r"(timedelta|DateTime)"),
    # type variables of the generic hook base and names only imported for type checking
    (r"py:.*", r"(R|T|U)"),
]

SCREENSHOT_VENDORS = ("bsg", "cellcast", "comm", "kore")


class ConnectionScreenshot(SphinxDirective):
    """``connection-screenshot <vendor>``: the connection form's screenshot, if the PNG exists.

    The screenshots ``connection-form-<vendor>.png`` are produced separately; a build without them
    shows no image and no warning.
    """

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        """A figure with the screenshot, or nothing while the file is absent."""
        vendor = self.arguments[0].strip()
        if vendor not in SCREENSHOT_VENDORS:
            raise self.error(f"connection-screenshot: unknown vendor {vendor!r}; use one of {', '.join(SCREENSHOT_VENDORS)}")
        name = f"connection-form-{vendor}.png"
        if not (DOCS / name).exists():
            return []
        figure = nodes.figure()
        figure += nodes.image(uri=name, alt=f"The {vendor} connection form in Airflow 3.3")
        figure += nodes.caption(text=f"Admin > Connections > Add, connection type {vendor!r} (Airflow 3.3).")
        return [figure]


_FIELD = re.compile(r"^:param\s+([A-Za-z_][A-Za-z0-9_]*)\s*:")


def param_fields(doc: str | None) -> list[tuple[str, list[str]]]:
    """The ``:param name:`` fields of a docstring, each with its continuation lines."""
    fields: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in inspect.cleandoc(doc or "").splitlines():
        match = _FIELD.match(line)
        if match:
            current = [line]
            fields.append((match.group(1), current))
        elif current is not None and line.startswith((" ", "\t")) and line.strip():
            current.append(line)
        else:
            current = None
    return fields


def init_default(cls: type, param: str) -> str | None:
    """The default of ``param`` in ``cls.__init__`` as written in the source (``None`` when it has none)."""
    import ast

    init = cls.__dict__.get("__init__")
    if init is None:
        return None
    tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
    args = tree.body[0].args  # type: ignore[attr-defined]
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if arg.arg == param and default is not None:
            text = ast.unparse(default)
            return "[operators] default_deferrable (False unless configured)" if "default_deferrable" in text else text
    return None


def add_inherited_params(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Append the base classes' ``:param:`` fields (within this package) that a class does not document itself."""
    if what != "class" or not isinstance(obj, type) or not obj.__module__.startswith("airflow_provider_campaigns."):
        return
    from airflow_provider_campaigns.hooks.base import CampaignHook

    if issubclass(obj, CampaignHook):
        return  # each vendor hook documents its own constructor completely
    own = {name for name, _ in param_fields("\n".join(lines))}
    inherited: list[str] = []
    for base in obj.__mro__[1:]:
        if not base.__module__.startswith("airflow_provider_campaigns.") or "__doc__" not in base.__dict__:
            continue
        for param, field in param_fields(base.__dict__["__doc__"]):
            if param in own:
                continue
            own.add(param)
            field = list(field)
            default = init_default(base, param)
            shown = f" Default: ``{default}``." if default not in (None, "None") else ""
            field[-1] += f"{shown} *Inherited from* :class:`~{base.__module__}.{base.__qualname__}`."
            inherited.extend(field)
    if not inherited:
        return
    last_field = max((i for i, line in enumerate(lines) if _FIELD.match(line)), default=None)
    if last_field is None:
        lines.extend(["", *inherited, ""])
        return
    end = last_field + 1
    while end < len(lines) and lines[end].startswith((" ", "\t")) and lines[end].strip():
        end += 1
    lines[end:end] = inherited


_TEMPLATED = "Annotated["


def plain_templated(text: str) -> str:
    """A signature with each ``Annotated[<type>, TEMPLATED]`` shown as ``<type>`` (the docstring says "templated")."""
    out, start = [], 0
    while (at := text.find(_TEMPLATED, start)) != -1:
        depth, end = 1, at + len(_TEMPLATED)
        while depth:
            depth += {"[": 1, "]": -1}.get(text[end], 0)
            end += 1
        inner = text[at + len(_TEMPLATED) : end - 1]
        out += [text[start:at], plain_templated(inner.removesuffix(", TEMPLATED")) if inner.endswith(", TEMPLATED") else text[at:end]]
        start = end
    return "".join(out) + text[start:]


def plain_signature(app: Any, what: str, name: str, obj: Any, options: Any, signature: str | None, annotation: str | None) -> Any:
    """``autodoc-process-signature``: :func:`plain_templated` on every signature."""
    return (plain_templated(signature) if signature else signature), annotation


def quiet_root_logger(app: Any) -> None:
    """Keep Airflow's INFO lines out of the build output.

    A theme dependency (accessible-pygments) configures the root logger at INFO when imported, and
    autodoc then imports Airflow, which logs through it. Sphinx's own messages do not use the root logger.
    """
    import logging

    logging.getLogger().setLevel(logging.WARNING)


def setup(app: Any) -> dict[str, Any]:
    """Register the screenshot directive and the inherited-parameters hook."""
    app.connect("builder-inited", quiet_root_logger)
    app.add_directive("connection-screenshot", ConnectionScreenshot)
    app.connect("autodoc-process-docstring", add_inherited_params)
    app.connect("autodoc-process-signature", plain_signature)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
