"""Metrics charts as inline SVG, byte-identical for the same figures.

matplotlib with the Agg backend and fixed rcParams: `svg.hashsalt` fixes the ids
it generates, `metadata={'Date': None}` drops the timestamp, text stays text
(`svg.fonttype: none`, so the page's CSS colours it for light and dark
palettes), and mathtext is off so a `$` in a label is just a dollar.

Several charts share one page, so each SVG is made fit to be inlined: every id
(and every reference to it) gets the chart's own prefix, the RDF <metadata>
goes, and the root names itself for assistive technology (role="img",
aria-label, and a <title> holding the same text). Durations are drawn on log
axes labelled as such, with ticks that read as durations (1 min, 1 h, 1 day);
a log axis has no zero, so a duration of 0 is drawn at the axis floor.
"""

from __future__ import annotations

import io
import math
import re
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)

from markupsafe import escape  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator  # noqa: E402

from incidents.metrics.wording import duration  # noqa: E402

# A mid grey for axes and grid lines (the CSS recolours all text to the palette's foreground).
INK = "#808080"
# Mid-luminance colours: at least 3:1 against both Material's white and its dark slate background.
DOTS = "#1e88e5"
MEDIAN = "#e53935"
# matplotlib types its rc keys as literals; this table is checked by matplotlib itself when it is applied.
RC: Any = {
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
# Duration ticks in minutes: what a log axis of incident durations reads as.
DURATION_TICKS = (1, 5, 15, 60, 240, 1440, 10080, 43200)
FLOOR_MIN = 0.5  # where a duration of 0 is drawn on a log axis

_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_ID = re.compile(r'\bid="([^"]+)"')


def _tick_label(minutes: float) -> str:
    labels = {
        1: "1 min",
        5: "5 min",
        15: "15 min",
        60: "1 h",
        240: "4 h",
        1440: "1 day",
        10080: "1 week",
        43200: "30 days",
    }
    return labels.get(int(minutes), duration(minutes))


def inline_svg(svg: str, prefix: str, label: str) -> str:
    """One chart made fit to share a page: ids prefixed, RDF metadata dropped, named for screen readers."""
    text = _METADATA.sub("", _PROLOGUE.sub("", svg, count=1), count=1)
    ids = set(_ID.findall(text))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{old}".replace(".", "-")
        text = text.replace(f'id="{old}"', f'id="{new}"').replace(f'href="#{old}"', f'href="#{new}"')
        text = text.replace(f"url(#{old})", f"url(#{new})")
    safe = str(escape(label))
    # Scale with its box on narrow screens; name it (aria-label, and a <title> as its first child).
    text = re.sub(
        r'<svg ([^>]*?)width="[^"]*" height="[^"]*"([^>]*)>',
        lambda m: (
            f'<svg {m.group(1)}role="img" aria-label="{safe}" '
            f'preserveAspectRatio="xMinYMin meet"{m.group(2)}>\n <title>{safe}</title>'
        ),
        text,
        count=1,
    )
    return text


def _svg(fig: Figure, prefix: str, label: str) -> str:
    with matplotlib.rc_context(RC):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    return inline_svg(buf.getvalue(), prefix, label)


def _new_figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(RC):
        return Figure(figsize=(width, height), dpi=72)


def _duration_axis(ax, which: str, values: list[float], label: str) -> None:
    """A log axis of durations (`which` is "x" or "y"): labelled as log, duration ticks, no zero tick
    (a duration of 0 is drawn at the floor)."""
    finite = [v for v in values if v is not None and not math.isnan(v)] or [1.0]
    lo, hi = max(min(finite), FLOOR_MIN), max(max(finite), 1.0)
    axis = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    ticks = [t for t in DURATION_TICKS if lo / 3 <= t <= hi * 3] or [1, 60]
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: _tick_label(v)))
    axis.set_minor_locator(NullLocator())
    (ax.set_xlim if which == "x" else ax.set_ylim)(lo / 1.6, hi * 1.6)
    axis.set_label_text(label)


MIN_FOR_MEDIAN = 3  # a chart draws a median only for three incidents or more


def severity_strip(groups: list[dict], samples: dict[str, list[float]]) -> str | None:
    """Every resolved incident's MTTR as a dot, per severity, with the median and its 95% interval."""
    rows = [g for g in groups if samples.get(g["key"])]
    if not rows:
        return None
    values = [v for g in rows for v in samples[g["key"]]]
    with matplotlib.rc_context(RC):
        fig = _new_figure(7.5, 0.55 * len(rows) + 1.2)
        ax = fig.add_subplot()
        labelled: set[str] = set()

        def once(name: str) -> str | None:  # each legend entry once, at its first use
            if name in labelled:
                return None
            labelled.add(name)
            return name

        for y, g in enumerate(rows):
            xs = sorted(max(v, FLOOR_MIN) for v in samples[g["key"]])
            # a deterministic spread across the row: the i-th of n dots at a fixed height offset
            offsets = [((i % 5) - 2) * 0.07 for i in range(len(xs))]
            ax.scatter(
                xs, [y + o for o in offsets], s=20, color=DOTS, alpha=0.8, linewidths=0, label=once("one incident")
            )
            low, high = g["mttr_median_ci_low_min"], g["mttr_median_ci_high_min"]
            if low is not None:
                ax.plot(
                    [max(low, FLOOR_MIN), max(high, FLOOR_MIN)],
                    [y, y],
                    color=MEDIAN,
                    linewidth=3,
                    alpha=0.55,
                    solid_capstyle="butt",
                    label=once("95% interval of the median"),
                )
            if len(xs) >= MIN_FOR_MEDIAN:  # the dots of one or two incidents are the whole story
                ax.plot(
                    [max(g["mttr_median_min"], FLOOR_MIN)] * 2,
                    [y - 0.3, y + 0.3],
                    color=MEDIAN,
                    linewidth=2,
                    label=once("median"),
                )
        ax.set_yticks(range(len(rows)), [f"{g['key']} (n = {g['mttr_n']})" for g in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        _duration_axis(ax, "x", values, "time to resolve (log scale)")
        ax.grid(axis="y", visible=False)
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.32 if len(rows) < 3 else -0.18), ncol=3, fontsize=9)
        return _svg(
            fig,
            "mttr-by-severity",
            "Time to resolve each incident, by severity, on a log scale: "
            "every incident a dot, the median as a line, its 95% interval as a bar",
        )


def trend_chart(groups: list[dict]) -> str | None:
    """Median MTTR per period with its 95% interval as a bar; hollow where there are too few to tell."""
    rows = [g for g in groups if g["mttr_median_min"] is not None]
    if not any(g["mttr_n"] >= MIN_FOR_MEDIAN for g in rows):
        return None
    with matplotlib.rc_context(RC):
        fig = _new_figure(7.5, 2.7)
        ax = fig.add_subplot()
        xs = list(range(len(rows)))
        spans = []
        for x, g in zip(xs, rows):
            if g["mttr_n"] < MIN_FOR_MEDIAN:
                continue  # no median drawn for one or two incidents: the tick says how few
            median = max(g["mttr_median_min"], FLOOR_MIN)
            low, high = g["mttr_median_ci_low_min"], g["mttr_median_ci_high_min"]
            if low is not None:
                low, high = max(low, FLOOR_MIN), max(high, FLOOR_MIN)
                ax.plot([x, x], [low, high], color=MEDIAN, linewidth=3, alpha=0.55, solid_capstyle="butt")
                spans += [low, high]
                ax.plot([x], [median], marker="o", markersize=6, color=MEDIAN)
            else:
                ax.plot([x], [median], marker="o", markersize=6, color=MEDIAN, markerfacecolor="none")
            spans.append(median)
        step = max(1, math.ceil(len(rows) / 12))
        ax.set_xticks(xs[::step], [f"{g['key']}\nn = {g['mttr_n']}" for g in rows][::step])
        ax.set_xlim(-0.6, max(len(rows), 4) - 0.4)
        _duration_axis(ax, "y", spans, "median time to resolve (log scale)")
        ax.grid(axis="x", visible=False)
        return _svg(
            fig,
            "mttr-trend",
            "Median time to resolve by period with its 95% interval, on a log scale; "
            "hollow points have too few incidents for an interval",
        )


def frequency_chart(groups: list[dict]) -> str | None:
    """Incidents per week per period, with the exact 95% Poisson interval."""
    if not groups:
        return None
    with matplotlib.rc_context(RC):
        fig = _new_figure(7.5, 2.8)
        ax = fig.add_subplot()
        xs = list(range(len(groups)))
        for x, g in zip(xs, groups):
            ax.plot(
                [x, x],
                [g["incidents_per_week_ci_low"], g["incidents_per_week_ci_high"]],
                color=DOTS,
                linewidth=3,
                alpha=0.55,
                solid_capstyle="butt",
            )
            ax.plot([x], [g["incidents_per_week"]], marker="o", markersize=6, color=DOTS)
        step = max(1, math.ceil(len(groups) / 12))
        ax.set_xticks(xs[::step], [f"{g['key']}\nn = {g['count']}" for g in groups][::step])
        ax.set_xlim(-0.6, max(len(groups), 4) - 0.4)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("incidents per week")
        ax.grid(axis="x", visible=False)
        return _svg(fig, "frequency", "Incidents per week by period, with the exact 95% Poisson interval")


def budget_chart(groups: list[dict]) -> str | None:
    """Error budget used per service that sets an SLO; the line at 100% is the whole budget."""
    rows = [g for g in groups if g.get("error_budget_used_pct") is not None]
    if not rows:
        return None
    with matplotlib.rc_context(RC):
        fig = _new_figure(7.5, 0.45 * len(rows) + 1.0)
        ax = fig.add_subplot()
        ys = list(range(len(rows)))
        used = [g["error_budget_used_pct"] for g in rows]
        ax.barh(ys, [min(u, 300.0) for u in used], color=[MEDIAN if u > 100 else DOTS for u in used], height=0.6)
        ax.axvline(100, color=INK, linewidth=1.5)
        ax.set_yticks(ys, [f"{g['key']} (SLO {g['slo_pct']:g}%)" for g in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, max(110.0, min(max(used), 300.0) * 1.05))
        ax.set_xlabel("error budget used, % (100 = all of it; bars stop at 300)")
        ax.grid(axis="y", visible=False)
        return _svg(fig, "error-budget", "Error budget used per service against its SLO; 100% is the whole budget")
