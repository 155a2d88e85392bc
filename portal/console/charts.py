"""The statistics page's charts, drawn on the server with matplotlib (Agg, SVG with the
text as paths: the browser needs no font and no script). Every chart also has its
figures in a table next to it on the page."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# Figures made without pyplot (no global state: requests draw in several threads) and
# saved through the Agg-family SVG backend; no display is ever needed.
matplotlib.use("Agg")

# Colours that keep their contrast on white and apart for colour-blind readers.
BLUE, ORANGE, GREY = "#0b4f9c", "#d46b08", "#595959"

matplotlib.rcParams.update(
    {
        "font.family": "DejaVu Sans",  # bundled with matplotlib: full Vietnamese
        "font.size": 11,
        "svg.fonttype": "path",
        "svg.hashsalt": "motcua",  # stable ids: the same figures give the same file
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def _svg(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    return out.getvalue()


def monthly_bars(
    months: Sequence[str], online: Sequence[int], counter: Sequence[int], labels: tuple[str, str]
) -> bytes:
    """Applications submitted per month, online and at the counter stacked."""
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.subplots()
    x = range(len(months))
    ax.bar(x, online, color=BLUE, label=labels[0])
    ax.bar(x, counter, bottom=online, color=ORANGE, label=labels[1], hatch="//")
    ax.set_xticks(list(x), list(months), rotation=45, ha="right")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False)
    return _svg(fig)


def rate_line(months: Sequence[str], rates: Sequence[float | None], label: str) -> bytes:
    """A share per month (0-100 %); months without finished applications are gaps."""
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.subplots()
    values = [r * 100 if r is not None else float("nan") for r in rates]
    ax.plot(range(len(months)), values, color=BLUE, marker="o", linewidth=2, label=label)
    ax.set_xticks(list(range(len(months))), list(months), rotation=45, ha="right")
    ax.set_ylim(0, 105)
    ax.set_ylabel("%")
    ax.legend(frameon=False)
    return _svg(fig)


def horizontal_bars(names: Sequence[str], values: Sequence[int]) -> bytes:
    """Applications per procedure, the most frequent on top."""
    fig = Figure(figsize=(6.4, max(2.0, 0.45 * len(names) + 1)))
    ax = fig.subplots()
    ax.barh(range(len(names)), values, color=GREY)
    ax.set_yticks(list(range(len(names))), list(names))
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _svg(fig)
