"""Metrics charts as inline SVG, byte-identical for the same figures.

matplotlib with the Agg backend and fixed rcParams: `svg.hashsalt` fixes the ids
it generates, `metadata={'Date': None}` drops the timestamp, text stays text
(`svg.fonttype: none`, so the page's CSS colours it for light and dark
palettes), and mathtext is off so a `$` in a label is just a dollar.
"""

from __future__ import annotations

import io
import math
import re

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

# A mid grey that reads on Material's light and dark backgrounds; the CSS recolours text.
INK = "#808080"
SERIES = {
    "mttd_median_min": ("Detect (MTTD)", "#7e57c2"),
    "mtta_median_min": ("Acknowledge (MTTA)", "#1e88e5"),
    "mtti_median_min": ("Identify (MTTI)", "#fb8c00"),
    "mttr_median_min": ("Resolve (MTTR)", "#e53935"),
}
RC = {
    "svg.hashsalt": "incidents-site",
    "svg.fonttype": "none",
    "svg.image_inline": True,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    "text.parse_math": False,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.facecolor": "none",
    "figure.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.edgecolor": "none",
    "axes.grid": True,
    "grid.color": INK,
    "grid.alpha": 0.25,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "path.simplify": False,
}

_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)


def _svg(fig: Figure, label: str) -> str:
    with matplotlib.rc_context(RC):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    text = _PROLOGUE.sub("", buf.getvalue(), count=1)
    # Scale with its box on narrow screens; name it for screen readers.
    text = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"',
                  r'<svg \1role="img" aria-label="__LABEL__" preserveAspectRatio="xMinYMin meet"',
                  text, count=1)
    from markupsafe import escape
    return text.replace("__LABEL__", str(escape(label)), 1)


def _value(v) -> float:
    return float("nan") if v is None else float(v)


def _new_figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(RC):
        return Figure(figsize=(width, height), dpi=72)


def severity_chart(groups: list[dict]) -> str | None:
    """Grouped bars: the median minutes to detect, acknowledge, identify and resolve, per severity."""
    rows = [g for g in groups if g["count"]]
    if not rows:
        return None
    with matplotlib.rc_context(RC):
        fig = _new_figure(7.5, 3.4)
        ax = fig.add_subplot()
        n = len(SERIES)
        width = 0.8 / n
        xs = list(range(len(rows)))
        for i, (key, (label, color)) in enumerate(SERIES.items()):
            values = [_value(g[key]) for g in rows]
            ax.bar([x - 0.4 + width * (i + 0.5) for x in xs], [0 if math.isnan(v) else v for v in values],
                   width=width, label=label, color=color)
        ax.set_xticks(xs, [str(g["key"]) for g in rows])
        ax.set_ylabel("median minutes")
        ax.set_yscale("symlog", linthresh=10)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _pos: ""))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
        ax.grid(axis="x", visible=False)
        return _svg(fig, "Median minutes to detect, acknowledge, identify and resolve, by severity")


def month_chart(groups: list[dict]) -> str | None:
    """Lines by month: median MTTA and MTTR, with the number of incidents as bars."""
    rows = [g for g in groups if g["count"]]
    if not rows:
        return None
    with matplotlib.rc_context(RC):
        fig = _new_figure(7.5, 3.4)
        ax = fig.add_subplot()
        xs = list(range(len(rows)))
        counts = ax.twinx()
        counts.bar(xs, [g["count"] for g in rows], color=INK, alpha=0.18, width=0.7, label="incidents")
        counts.set_ylabel("incidents")
        counts.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(-0.6, max(len(rows), 8) - 0.4)
        counts.grid(False)
        counts.spines["right"].set_visible(True)
        for key in ("mtta_median_min", "mttr_median_min"):
            label, color = SERIES[key]
            ax.plot(xs, [_value(g[key]) for g in rows], marker="o", markersize=3, color=color,
                    label=label + " median")
        ax.set_zorder(counts.get_zorder() + 1)
        ax.patch.set_visible(False)
        step = max(1, math.ceil(len(rows) / 12))
        ax.set_xticks(xs[::step], [str(g["key"]) for g in rows][::step], rotation=45, ha="right")
        ax.set_ylabel("median minutes")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", bbox_to_anchor=(1.12, 1.0), fontsize=9)
        return _svg(fig, "Median minutes to acknowledge and resolve, and incidents, by month")
