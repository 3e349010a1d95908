"""The figures of scripts/report, each rendered to PNG bytes in memory.

A figure is a dict: name (file name), title (HTML heading), caption (one
sentence: what is plotted, in which units), png (bytes), size (w, h pixels).
Nothing is written here. The replay figures are drawn by replay_plots.py (the
code of scripts/plot: same drawing, same readers); the risk, sweep and optimize
figures are drawn here. Numbers are written by numfmt.py.
"""
import io
import math
import os
import struct
import sys
import textwrap

import matplotlib
import numpy as np

matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "cloudpact"
matplotlib.rcParams["path.simplify"] = True
# Labels hold dollar amounts ("VaR95 $584B, CVaR95 $774B"): no mathtext between two '$'.
matplotlib.rcParams["text.parse_math"] = False
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

import replay_plots  # noqa: E402
from numfmt import price, price_ticks, si, si4, usd, usd4, usd_ticks  # noqa: E402
from replay_plots import TickLabels  # noqa: E402
from sources import ReportError, get, number  # noqa: E402

DPI = 110
# No Software (matplotlib version) in the PNG and no date: same inputs, same bytes.
SAVE_KW = {"format": "png", "dpi": DPI, "metadata": {"Software": None}}

C_MEAN, C_VAR, C_CVAR, C_P50, C_P99 = "black", "tab:orange", "tab:red", "tab:blue", "0.45"


def fit_title(fig, text, fontsize):
    """A title broken at spaces into lines that fit the figure's width.

    A figure's title holds the scenario's or folder's name and a metric's
    path, either of any length: one line would run off both edges. DejaVu
    Sans averages about 0.6 em a character; the lines keep 5% of the width
    spare.
    """
    per_line = max(20, int(fig.get_figwidth() * 72 * 0.95 / (0.6 * fontsize)))
    return "\n".join(textwrap.fill(line, per_line, break_long_words=False, break_on_hyphens=False)
                     for line in text.split("\n"))


# ---------- number formatting (numfmt.py) ----------

def metric_unit(name):
    """(axis label suffix, formatter) for a sweep metric named by its dotted path."""
    parts = name.lower().split(".")
    if any(p.endswith("_usd") for p in parts):
        return "USD", usd
    if any("gpu_hours" in p for p in parts):
        return "H100-eq GPU-hours", si
    if any(p.startswith("hhi") for p in parts):
        return "HHI, 0-10000", si
    if any(p.startswith("p_") or p.startswith("share") for p in parts):
        return "share of paths, 0-1", lambda x, _p=None: f"{x:.3g}"
    if any("per_gpu_hour" in p for p in parts):
        return "USD per H100-eq GPU-hour", price
    return "", si


def metric_ticks(name):
    """A new tick formatter for an axis of a sweep metric: money written by numfmt's tick
    writers (every tick of the axis alike), other units tick by tick by metric_unit's."""
    fmt = metric_unit(name)[1]
    if fmt is usd:
        return TickLabels(usd_ticks)
    if fmt is price:
        return TickLabels(price_ticks)
    return FuncFormatter(fmt)


# ---------- rendering ----------

def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ReportError("internal: matplotlib did not produce a PNG", code=3)
    return struct.unpack(">II", data[16:24])


def render(fig):
    buf = io.BytesIO()
    fig.savefig(buf, **SAVE_KW)
    plt.close(fig)
    return buf.getvalue()


def figure(name, title, caption, fig):
    data = render(fig)
    return {"name": name, "title": title, "caption": caption, "png": data, "size": png_size(data)}


# ---------- replay figures: scripts/plot's (replay_plots.py) ----------

REPLAY_TEXT = {
    "capacity_vs_demand.png": (
        "Capacity vs demand per provider",
        "Interval averages from timeseries.csv, in H100-equivalent GPUs: per provider the "
        "delivered capacity (dashed), what the buyer could use after outages (line) and what it "
        "used (shaded); the last panel compares the total available with demand (used + unmet)."),
    "spend_by_provider.png": (
        "Spend by provider over time",
        "Monthly spend per provider in USD from ledger.csv, stacked (each item counted in the "
        "month it closes, net of the SLA credits of that month; a month whose credits exceed its "
        "charges is hatched below zero), and cumulative spend per provider and "
        "in total."),
    "spend_by_item.png": (
        "Spend by billing item",
        "Ledger totals over the horizon in USD per provider and billing item (reserved, usage, "
        "on-demand, shortfall against commitments and yearly minimums, egress; SLA credits negative), with each provider's "
        "net spend as a diamond."),
    "unmet.png": (
        "Unmet demand over time",
        "Interval averages of demand not served, in H100-equivalent GPUs, stacked by each "
        "workload's first eligible provider, and unmet demand as a percentage of total demand."),
}


def replay_figures(folder, title, summary):
    """The four replay figures of scripts/plot, rendered in memory (`summary`: the folder's
    summary.json document, which the CSV files are held to)."""
    out = []
    for name, fig in replay_plots.figures(folder, title, summary):
        heading, caption = REPLAY_TEXT[name]
        out.append(figure(name, heading, caption, fig))
    return out


# ---------- risk figures ----------

def portfolio_cost(risk):
    """[(name, cost_usd dict)] in file order."""
    return [(name, p["cost_usd"]) for name, p in risk["portfolios"].items()]


def mark_lines(ax, c, with_labels):
    for key, color, style, label in (("mean", C_MEAN, ":", "mean"),
                                     ("p95", C_VAR, "--", "VaR 95% (p95)"),
                                     ("cvar95", C_CVAR, "-", "CVaR 95% (mean of worst 5%)")):
        v = number(c.get(key))
        if not math.isnan(v):
            ax.axvline(v, color=color, linestyle=style, linewidth=1.5,
                       label=label if with_labels else None)


def cost_histograms(risk, title):
    ports = [(n, c) for n, c in portfolio_cost(risk) if isinstance(c.get("histogram"), dict)]
    if not ports:
        return None
    n = len(ports)
    ncols = min(3, n)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 2.5 * nrows + 1.3),
                             sharex=True, squeeze=False)
    flat = [a for row in axes for a in row]
    paths = number(risk.get("paths"))
    # A few extreme paths would squeeze every histogram to the left: the shared axis ends a
    # little past the largest p99 and each panel says how many paths lie beyond it.
    lo = min(float(c["histogram"]["edges_usd"][0]) for _, c in ports)
    hi_all = max(float(c["histogram"]["edges_usd"][-1]) for _, c in ports)
    p99s = [number(c.get("p99")) for _, c in ports]
    p99s = [v for v in p99s if not math.isnan(v)]
    hi = min(hi_all, max(p99s) * 1.15) if p99s else hi_all
    if hi <= lo:
        hi = hi_all
    pad = 0.02 * (hi - lo) if hi > lo else max(abs(lo) * 0.05, 1.0)
    cut = False
    for k, (ax, (name, c)) in enumerate(zip(flat, ports)):
        h = c["histogram"]
        edges = [float(e) for e in h["edges_usd"]]
        counts = [float(x) for x in h["counts"]]
        total = sum(counts) or 1.0
        share = [100.0 * x / total for x in counts]
        axis_span = (hi - lo) + 2 * pad
        if edges[-1] - edges[0] < 0.015 * axis_span:
            # Every path (nearly) the same cost: bins this narrow would not show; one visible
            # block holds them all, and the panel says so.
            w = 0.015 * axis_span
            mid = (edges[0] + edges[-1]) / 2
            ax.bar([mid - w / 2], [100.0], width=w, align="edge", color="0.62")
            text = (f"every path: {usd(edges[0])}" if edges[0] == edges[-1]
                    else f"every path within\n{usd(edges[0])} to {usd(edges[-1])}")
            right = (mid - lo + pad) / axis_span > 0.6
            ax.text(0.03 if right else 0.97, 0.5, text, transform=ax.transAxes,
                    ha="left" if right else "right", va="center", fontsize=8, color="0.3")
        else:
            widths = [b - a for a, b in zip(edges, edges[1:])]
            ax.bar(edges[:-1], share, width=widths, align="edge", color="0.62",
                   edgecolor="white", linewidth=0.3)
        mark_lines(ax, c, k == 0)
        beyond = sum(x for e, x in zip(edges, counts) if e > hi + pad)
        if beyond:
            cut = True
            ax.text(0.99, 0.95, f"{100.0 * beyond / total:.2g}% of paths\nbeyond {usd(hi + pad)} →",
                    transform=ax.transAxes, ha="right", va="top", fontsize=7.5, color="0.3")
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_title(f"{name}\nVaR95 {usd(number(c.get('p95')))}, "
                     f"CVaR95 {usd(number(c.get('cvar95')))}", fontsize=9, loc="left")
        ax.xaxis.set_major_formatter(TickLabels())
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.grid(True, axis="y", alpha=0.3)
        ax.tick_params(labelsize=8, labelbottom=True)
        if k % ncols == 0:
            ax.set_ylabel("share of paths (%)", fontsize=9)
    for ax in flat[n:]:
        ax.set_visible(False)
    for ax in flat[(nrows - 1) * ncols:n]:
        ax.set_xlabel("cost over the horizon (USD)", fontsize=9)
    fig.suptitle(fit_title(fig, f"{title}: cost distribution per portfolio "
                           f"({'%d' % paths if not math.isnan(paths) else '?'} sampled paths)", 12), fontsize=12)
    handles, labels = flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    caption = ("Histogram of sampled cost per portfolio (spend plus value of unmet demand, USD "
               "over the horizon, share of paths per bin, from risk.json cost_usd.histogram), "
               "with the mean, VaR 95% (p95) and CVaR 95% (mean of the worst 5% of paths) marked")
    if cut:
        caption += (f"; the shared axis ends at {usd(hi + pad)} (15% past the largest p99) and "
                    "each panel states the share of paths in bins beyond it")
    return figure("cost_distribution.png", "Cost distribution per portfolio", caption + ".", fig)


def cost_quantiles(risk, title, have_histogram):
    ports = portfolio_cost(risk)
    n = len(ports)
    fig, ax = plt.subplots(figsize=(10, 0.42 * n + 1.9))
    ys = list(range(n))[::-1]  # first portfolio on top
    for y, (name, c) in zip(ys, ports):
        p50, p95, p99 = (number(c.get(k)) for k in ("p50", "p95", "p99"))
        ax.plot([p50, p99], [y, y], color="0.75", linewidth=6, solid_capstyle="butt", zorder=1)
        for key, color, marker, size in (("p50", C_P50, "|", 160), ("p95", C_VAR, "|", 160),
                                         ("p99", C_P99, "|", 160), ("mean", C_MEAN, "D", 30),
                                         ("cvar95", C_CVAR, "o", 45)):
            v = number(c.get(key))
            if not math.isnan(v):
                ax.scatter([v], [y], color=color, marker=marker, s=size, zorder=3,
                           linewidths=2.2 if marker == "|" else 0.8)
    for key, color, marker, label in (("p50", C_P50, "|", "median (p50)"),
                                      ("mean", C_MEAN, "D", "mean"),
                                      ("p95", C_VAR, "|", "VaR 95% (p95)"),
                                      ("cvar95", C_CVAR, "o", "CVaR 95%"),
                                      ("p99", C_P99, "|", "p99")):
        ax.scatter([], [], color=color, marker=marker, label=label,
                   s=120 if marker == "|" else 35, linewidths=2.2 if marker == "|" else 0.8)
    ax.set_yticks(ys)
    ax.set_yticklabels([n_ for n_, _ in ports], fontsize=9)
    ax.set_ylim(-0.7, n - 0.3)
    ax.xaxis.set_major_formatter(TickLabels())
    ax.set_xlabel("cost over the horizon (USD): spend + value of unmet demand")
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_title(f"{title}: cost quantiles per portfolio (grey bar: p50 to p99)", fontsize=12)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, ncol=5, loc="lower center", frameon=False)
    fig.tight_layout(rect=(0, 0.45 / (0.42 * n + 1.9), 1, 1))
    caption = ("Quantiles of sampled cost per portfolio in USD (spend plus value of unmet "
               "demand over the horizon): median, mean, VaR 95% (p95), CVaR 95% and p99, "
               "as reported in risk.json.")
    if not have_histogram:
        caption = caption[:-1] + ("; this risk.json has no per-path histogram, so only the "
                                  "reported quantiles are drawn, no distribution shape.")
    return figure("cost_quantiles.png", "Cost quantiles per portfolio", caption, fig)


def leverage(risk, title):
    lev = risk.get("leverage")
    if not isinstance(lev, dict) or not lev:
        return None
    provs = list(lev.keys())
    keys = (("seller_floor_usd_per_gpu_hour", "seller floor", "0.7"),
            ("contract_price_usd_per_gpu_hour", "contract price (spend / GPU-h used)", "tab:blue"),
            ("nash_price_usd_per_gpu_hour", "Nash bargaining price", "tab:green"),
            ("batna_usd_per_gpu_hour", "BATNA (buyer's alternative)", "tab:purple"))
    fig, ax = plt.subplots(figsize=(max(7.5, 1.9 * len(provs) + 2.5), 5.2))
    w = 0.8 / len(keys)
    top = 0.0
    for j, (key, label, color) in enumerate(keys):
        xs, vals = [], []
        for i, p in enumerate(provs):
            v = number(get(lev, p, key))
            x = i - 0.4 + w * (j + 0.5)
            if math.isnan(v):
                if key == "nash_price_usd_per_gpu_hour":
                    ax.text(x, 0, " none: floor > BATNA" if not math.isnan(
                        number(get(lev, p, "batna_usd_per_gpu_hour"))) else " none",
                        rotation=90, ha="center", va="bottom", fontsize=7, color="tab:green")
                continue
            xs.append(x)
            vals.append(v)
            top = max(top, v)
        ax.bar(xs, vals, width=w, color=color, label=label)
        for x, v in zip(xs, vals):
            ax.annotate(f"{v:.2f}", (x, v), textcoords="offset points", xytext=(0, 2),
                        ha="center", va="bottom", fontsize=7)
    assumed = [p for p in provs if get(lev, p, "floor_assumed") is True]
    ax.set_xticks(range(len(provs)))
    ax.set_xticklabels([p + (" (floor assumed 0)" if p in assumed else "") for p in provs])
    ax.set_xlabel("provider")
    ax.set_ylabel("USD per H100-equivalent GPU-hour")
    ax.yaxis.set_major_formatter(TickLabels(price_ticks))
    ax.set_ylim(0, top * 1.25 if top > 0 else 1)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=2, loc="upper left")
    beta = number(next(iter(lev.values())).get("buyer_power")) if lev else math.nan
    ax.set_title(f"{title}: negotiating leverage per provider"
                 + (f" (buyer power β = {beta:g})" if not math.isnan(beta) else ""), fontsize=12)
    fig.tight_layout()
    return figure(
        "leverage.png", "BATNA vs contract price vs Nash price",
        "Per provider, in USD per H100-equivalent GPU-hour it delivers: the seller's floor, the "
        "price the buyer pays in the contracted portfolio, the generalised Nash bargaining price "
        "(absent where the floor exceeds the BATNA) and the BATNA (the buyer's cost per GPU-hour "
        "of doing without that provider).", fig)


def tornado(risk, title):
    """What each source of uncertainty adds to the contracted portfolio's cost (risk.json's
    `sensitivity` block, `cloudpact risk --sensitivity`): per source, in the block's order
    (largest |CVaR95 change| first, drawn at the top), a bar of the mean's change and one of
    CVaR95's, USD, X(all sources on) - X(that source off) on the same paths."""
    sens = risk.get("sensitivity")
    sources = sens.get("sources") if isinstance(sens, dict) else None
    if not sources:
        return None
    n = len(sources)
    names = [s["source"] for s in sources]
    means = [number(s.get("mean_delta_usd")) for s in sources]
    ses = [number(s.get("se_mean_delta_usd")) for s in sources]
    cvars = [number(s.get("cvar95_delta_usd")) for s in sources]
    fig, ax = plt.subplots(figsize=(10, 0.62 * n + 2.3))
    ys = list(range(n))[::-1]  # the block's first (largest) source on top
    h = 0.38
    finite = [v for v in means + cvars if not math.isnan(v)]
    finite += [m + k * 1.96 * e for m, e in zip(means, ses) for k in (-1, 1)
               if not math.isnan(m) and not math.isnan(e)]
    lo, hi = min(finite + [0.0]), max(finite + [0.0])
    span = (hi - lo) or max(abs(hi), 1.0)
    for y, m, e, c in zip(ys, means, ses, cvars):
        for v, dy, color, err in ((m, h / 2, C_P50, e), (c, -h / 2, C_CVAR, math.nan)):
            if math.isnan(v):
                ax.text(0, y + dy, " n/a", ha="left", va="center", fontsize=8, color="0.4")
                continue
            ax.barh([y + dy], [v], height=h, color=color, edgecolor="white", linewidth=0.4,
                    xerr=None if math.isnan(err) else [1.96 * err], ecolor="black",
                    error_kw={"elinewidth": 1.0, "capsize": 2.5})
            end = v + (1.96 * err if not math.isnan(err) else 0.0) * (1 if v >= 0 else -1)
            ax.text(end + (0.01 * span if v >= 0 else -0.01 * span), y + dy, usd(v),
                    ha="left" if v >= 0 else "right", va="center", fontsize=8)
    ax.axvline(0, color="0.2", linewidth=0.9)
    ax.set_yticks(ys)
    ax.set_yticklabels(names, fontsize=9)
    ax.set_ylim(-0.7, n - 0.3)
    # Room for the value labels beside the bars (left of 0 only when a change is negative).
    ax.set_xlim(lo - (0.12 if lo < 0 else 0.03) * span, hi + (0.12 if hi > 0 else 0.03) * span)
    ax.xaxis.set_major_formatter(TickLabels())
    ax.xaxis.set_major_locator(MaxNLocator(7))
    ax.set_xlabel("change in the contracted portfolio's cost over the horizon (USD): "
                  "all sources on minus this source off")
    ax.set_ylabel("source of uncertainty")
    ax.grid(True, axis="x", alpha=0.3)
    paths = number(risk.get("paths"))
    ax.set_title(f"{title}: what each source of uncertainty adds to the contracted portfolio's "
                 f"cost\n(each source switched off in turn on the same "
                 f"{'%d' % paths if not math.isnan(paths) else '?'} paths)", fontsize=12)
    handles = [Patch(color=C_P50, label="mean cost: change (whisker ±1.96 s.e.)"),
               Patch(color=C_CVAR, label="CVaR 95% (mean of the worst 5% of paths): change")]
    fig.legend(handles=handles, fontsize=8, ncol=2, loc="lower center", frameon=False)
    fig.tight_layout(rect=(0, 0.35 / (0.62 * n + 2.3), 1, 1))
    return figure(
        "tornado.png", "Sensitivity: what each source of uncertainty adds",
        "Per source of uncertainty of risk.json's sensitivity block, in its order (the largest "
        "change of CVaR 95% at the top), the change of the contracted portfolio's mean cost "
        "(with ±1.96 standard errors of the paired per-path difference) and of its CVaR 95% when "
        "that source is on rather than switched off, on the same sampled paths, in USD over the "
        "horizon (cost = spend + value of unmet demand; positive: the source adds cost).", fig)


def risk_figures(risk, title):
    out = []
    hist = cost_histograms(risk, title)
    if hist:
        out.append(hist)
    out.append(cost_quantiles(risk, title, hist is not None))
    lev = leverage(risk, title)
    if lev:
        out.append(lev)
    sens = tornado(risk, title)
    if sens:
        out.append(sens)
    return out


# ---------- sweep figures ----------

def sweep_figure(sweep, metric, title):
    rows = sweep["rows"]
    params = sweep["params"]
    numeric = sweep["numeric"]
    ok = [r for r in rows if r["ok"] and r["metrics"].get(metric) is not None]
    failed = [r for r in rows if not r["ok"]]
    # Variants that ran but have no value of the metric (an empty cell: null
    # in their outputs, such as no Nash price) are ok, and not plotted.
    blank = sum(1 for r in rows if r["ok"] and r["metrics"].get(metric) is None)
    unit, fmt = metric_unit(metric)
    mlabel = f"{metric} ({unit})" if unit else metric
    nfail = f"; {len(failed)} failed variant(s) marked ✕" if failed else ""
    nfail += f"; {blank} ok variant(s) without a value of it, not plotted" if blank else ""
    if not params:
        fig, ax = plt.subplots(figsize=(max(7, 0.5 * len(rows) + 2), 4.8))
        xs = list(range(len(rows)))
        ax.bar([i for i, r in zip(xs, rows) if r in ok], [r["metrics"][metric] for r in ok],
               color="tab:blue")
        ax.set_xticks(xs)
        ax.set_xticklabels([r["variant"] for r in rows], rotation=60, ha="right", fontsize=8)
        for i, r in zip(xs, rows):
            if not r["ok"]:
                ax.scatter([i], [0], marker="x", color="tab:red", s=50, zorder=4)
        ax.set_ylabel(mlabel)
        ax.yaxis.set_major_formatter(metric_ticks(metric))
        caption = f"{metric} ({unit or 'as reported'}) per variant{nfail}."
    elif len(params) == 1:
        fig, _ax, caption = one_param(rows, ok, params[0], numeric[params[0]], metric, mlabel)
        caption = caption.format(unit=unit or "as reported") + nfail + "."
    elif len(params) == 2:
        fig, _ax, caption = two_params(rows, ok, params, numeric, metric, mlabel, fmt)
        caption = caption.format(unit=unit or "as reported") + nfail + "."
    else:
        fig, caption = many_params(rows, ok, params, numeric, metric, mlabel)
        caption = caption.format(unit=unit or "as reported") + nfail + "."
    fig.suptitle(fit_title(fig, f"{title}: {metric} over the swept parameters "
                           f"({len(ok) + blank} of {len(rows)} variants ok)", 12), fontsize=12)
    fig.tight_layout()
    return figure("sweep.png", f"Sweep: {metric}", caption, fig)


def mark_failed_x(ax, xs):
    """Red crosses on the bottom edge of the axes at data x positions."""
    if xs:
        # Widen the x range to the failed values too (the crosses do not autoscale).
        ax.update_datalim([(x, y) for x in xs for y in ax.get_ylim()], updatey=False)
        ax.autoscale_view(scaley=False)
        ax.scatter(xs, [0.0] * len(xs), marker="x", color="tab:red", s=60, zorder=5,
                   clip_on=False, transform=ax.get_xaxis_transform(), label="failed variant")


def one_param(rows, ok, p, is_num, metric, mlabel):
    fig, ax = plt.subplots(figsize=(9, 5.2))
    if is_num:
        pts = sorted((r["values"][p], r["metrics"][metric]) for r in ok)
        ax.plot([x for x, _ in pts], [y for _, y in pts], marker="o", color="tab:blue",
                label=metric)
        mark_failed_x(ax, [r["values"][p] for r in rows if not r["ok"]])
        ax.xaxis.set_major_formatter(param_ticks(p))
        caption = f"Line plot of {metric} ({{unit}}) against the swept parameter {p}"
    else:
        cats = ordered_categories(rows, p)
        vals = {c: [r["metrics"][metric] for r in ok if r["params"][p] == c] for c in cats}
        xs = list(range(len(cats)))
        ax.bar(xs, [mean(vals[c]) for c in cats], color="tab:blue", label=metric)
        ax.set_xticks(xs)
        ax.set_xticklabels(cats, rotation=30 if max(map(len, cats)) > 10 else 0, ha="right"
                           if max(map(len, cats)) > 10 else "center")
        mark_failed_x(ax, [cats.index(r["params"][p]) for r in rows if not r["ok"]])
        caption = f"Bars of {metric} ({{unit}}) per value of the swept parameter {p}"
    ax.set_xlabel(p)
    ax.set_ylabel(mlabel)
    ax.yaxis.set_major_formatter(metric_ticks(metric))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="best")
    return fig, ax, caption


def two_params(rows, ok, params, numeric, metric, mlabel, fmt):
    px, py = params
    if numeric[px] and numeric[py]:
        ux = sorted({r["values"][px] for r in rows})
        uy = sorted({r["values"][py] for r in rows})
        pairs = [(r["values"][px], r["values"][py]) for r in rows]
        if len(set(pairs)) == len(pairs) and len(ux) * len(uy) <= 2 * len(rows):
            return heat_map(rows, ok, px, py, ux, uy, metric, mlabel, fmt)
        fig, ax = plt.subplots(figsize=(9, 6.2))
        sc = ax.scatter([r["values"][px] for r in ok], [r["values"][py] for r in ok],
                        c=[r["metrics"][metric] for r in ok], cmap="viridis", s=60,
                        edgecolors="0.3", linewidths=0.5)
        bad = [r for r in rows if not r["ok"]]
        if bad:
            ax.scatter([r["values"][px] for r in bad], [r["values"][py] for r in bad],
                       marker="x", color="tab:red", s=60, label="failed variant")
            ax.legend(fontsize=9, loc="best")
        cb = fig.colorbar(sc, ax=ax)
        cb.set_label(mlabel)
        cb.formatter = metric_ticks(metric)
        cb.update_ticks()
        ax.set_xlabel(px)
        ax.set_ylabel(py)
        ax.xaxis.set_major_formatter(param_ticks(px))
        ax.yaxis.set_major_formatter(param_ticks(py))
        ax.grid(True, alpha=0.3)
        return fig, ax, (f"Scatter of the sampled variants over {px} and {py}, coloured by "
                         f"{metric} ({{unit}})")
    # one numeric, one categorical: one line per category; both categorical: grouped bars
    if numeric[py] and not numeric[px]:
        px, py = py, px
    cat = py
    cats = ordered_categories(rows, cat)
    fig, ax = plt.subplots(figsize=(9.5, 5.6))
    cmap = plt.get_cmap("tab10")
    if numeric[px]:
        for k, c in enumerate(cats):
            pts = sorted((r["values"][px], r["metrics"][metric]) for r in ok
                         if r["params"][cat] == c)
            ax.plot([x for x, _ in pts], [y for _, y in pts], marker="o", color=cmap(k % 10),
                    label=f"{cat} = {c}")
        mark_failed_x(ax, [r["values"][px] for r in rows if not r["ok"]])
        ax.xaxis.set_major_formatter(param_ticks(px))
        caption = (f"Line plot of {metric} ({{unit}}) against {px}, one line per value of "
                   f"{cat}")
    else:
        xcats = ordered_categories(rows, px)
        w = 0.8 / len(cats)
        for k, c in enumerate(cats):
            ax.bar([i - 0.4 + w * (k + 0.5) for i in range(len(xcats))],
                   [mean([r["metrics"][metric] for r in ok if r["params"][px] == xc
                          and r["params"][cat] == c]) for xc in xcats],
                   width=w, color=cmap(k % 10), label=f"{cat} = {c}")
        ax.set_xticks(range(len(xcats)))
        ax.set_xticklabels(xcats)
        mark_failed_x(ax, [xcats.index(r["params"][px]) for r in rows if not r["ok"]])
        caption = (f"Grouped bars of {metric} ({{unit}}) per value of {px}, one bar per "
                   f"value of {cat}")
    ax.set_xlabel(px)
    ax.set_ylabel(mlabel)
    ax.yaxis.set_major_formatter(metric_ticks(metric))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="best")
    return fig, ax, caption


def heat_map(rows, ok, px, py, ux, uy, metric, mlabel, fmt):
    import numpy as np

    grid = np.full((len(uy), len(ux)), np.nan)
    state = {}
    for r in rows:
        i, j = uy.index(r["values"][py]), ux.index(r["values"][px])
        state[(i, j)] = r["ok"]
        if r in ok:
            grid[i, j] = r["metrics"][metric]
    fig, ax = plt.subplots(figsize=(max(7.0, 1.25 * len(ux) + 3.2), max(4.8, 0.75 * len(uy) + 2.4)))
    masked = np.ma.masked_invalid(grid)
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("0.92")
    im = ax.imshow(masked, cmap=cmap, origin="lower", aspect="auto")
    finite = grid[np.isfinite(grid)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    for i in range(len(uy)):
        for j in range(len(ux)):
            v = grid[i, j]
            if (i, j) not in state:
                text, color = "no variant", "0.4"
            elif not state[(i, j)]:
                text, color = "✕ failed", "tab:red"
            elif np.isnan(v):
                text, color = "n/a", "0.4"
            else:
                text = fmt(float(v))
                frac = (v - lo) / (hi - lo) if hi > lo else 0.5
                color = "black" if frac > 0.55 else "white"
            ax.text(j, i, text, ha="center", va="center", fontsize=9, color=color)
    ax.set_xticks(range(len(ux)))
    ax.set_xticklabels(param_write(px)(ux))
    ax.set_yticks(range(len(uy)))
    ax.set_yticklabels(param_write(py)(uy))
    ax.set_xlabel(px)
    ax.set_ylabel(py)
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(mlabel)
    cb.formatter = metric_ticks(metric)
    cb.update_ticks()
    return fig, ax, (f"Heat map of {metric} ({{unit}}, written in each cell) over the grid of "
                     f"{px} (x) and {py} (y)")


def many_params(rows, ok, params, numeric, metric, mlabel):
    n = len(params)
    ncols = min(3, n)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.8 * ncols, 3.6 * nrows + 0.9),
                             sharey=True, squeeze=False)
    flat = [a for row in axes for a in row]
    for ax, p in zip(flat, params):
        if numeric[p]:
            ax.scatter([r["values"][p] for r in ok], [r["metrics"][metric] for r in ok],
                       s=22, color="tab:blue", alpha=0.8)
            mark_failed_x(ax, [r["values"][p] for r in rows if not r["ok"]])
            ax.xaxis.set_major_formatter(param_ticks(p))
        else:
            cats = ordered_categories(rows, p)
            ax.scatter([cats.index(r["params"][p]) for r in ok],
                       [r["metrics"][metric] for r in ok], s=22, color="tab:blue", alpha=0.8)
            mark_failed_x(ax, [cats.index(r["params"][p]) for r in rows if not r["ok"]])
            ax.set_xticks(range(len(cats)))
            ax.set_xticklabels(cats, fontsize=8)
        ax.set_xlabel(p, fontsize=8)
        ax.yaxis.set_major_formatter(metric_ticks(metric))
        ax.grid(True, alpha=0.3)
    for ax in flat[n:]:
        ax.set_visible(False)
    for k in range(0, n, ncols):
        flat[k].set_ylabel(mlabel, fontsize=9)
    return fig, (f"Scatter of {metric} ({{unit}}) against each of the {n} swept parameters, one "
                 "point per variant")


def ordered_categories(rows, p):
    seen = []
    for r in rows:
        if r["params"][p] not in seen:
            seen.append(r["params"][p])
    return seen


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else math.nan


def param_write(pointer):
    """The writer of a numeric parameter's tick labels, by the unit in its name: values (, shown)
    -> labels. Money through numfmt (every tick of the axis alike), other numbers each to 4
    significant digits."""
    last = pointer.rsplit("/", 1)[-1].lower()
    if last.endswith("_usd"):
        return usd_ticks
    if "usd_per" in last:
        return price_ticks
    return lambda values, _shown=None: [f"{x:.4g}" for x in values]


def param_ticks(pointer):
    """A new tick formatter for a numeric parameter's axis (param_write)."""
    return TickLabels(param_write(pointer))


# ---------- optimize figures ----------

# Stage groups of evaluations.csv: (colour, marker, legend text).
STAGES = (("base", "black", "s", "base scenario as written"),
          ("global", "tab:blue", "o", "global search (DIRECT-L)"),
          ("local", "tab:orange", "^", "local polish (COBYLA)"),
          ("frontier", "tab:green", "D", "frontier searches (one per λ)"))
C_FRONTIER, C_BASE, C_BEST, C_RUNNING = "tab:green", "0.35", "tab:red", "tab:red"
# Containers whose key says nothing of what is set: a curve's points, a list's values.
GENERIC_KEYS = {"points", "values"}
GENERIC_ABBREV = {"points": "pt", "values": "v"}  # their short form in short_name
LABEL_VARIABLES = 4  # variables written in a frontier point's label; the table has them all


def pointer_key(pointer):
    """The key that names what a pointer sets: its last key that is not an index nor a
    generic container (".../capacity_gpus/points/1/1" -> "capacity_gpus")."""
    keys = [s for s in pointer.strip("/").split("/") if s and not s.isdigit()]
    named = [k for k in keys if k not in GENERIC_KEYS]
    return (named or keys or [pointer])[-1]


def short_name(pointer, level=0):
    """A variable's short name, from its pointer alone: the key it sets, then the indices of
    the arrays above it, each after its array's initial, then the containers below it
    ("/providers/1/regions/0/clusters/0/capacity_gpus/points/2/1" ->
    "capacity_gpus p1.r0.c0 pt2", "/contracts/3/commitment_usd" -> "commitment_usd c3").
    level 1 adds the object keys between the last array and the key and the bare indices
    below it ("capacity_gpus p1.r0.c0 pt2.1"); level 2 (or a pointer without a named key)
    is the whole pointer."""
    segs = [s for s in pointer.strip("/").split("/") if s]
    named = [i for i, s in enumerate(segs) if not s.isdigit() and s not in GENERIC_KEYS]
    if level >= 2 or not named:
        return pointer
    at = named[-1]
    arrays, objects = [], []  # above the key: "p1" per array index; object keys after them
    for i, s in enumerate(segs[:at]):
        if s.isdigit():
            continue
        if i + 1 < at and segs[i + 1].isdigit():
            arrays.append(s[0] + segs[i + 1])
            objects = []
        else:
            objects.append(s)
    below = ""  # under the key: "pt2" per container index, ".1" per bare index (level 1)
    prev = None
    for s in segs[at + 1:]:
        if not s.isdigit():
            prev = s
            continue
        if prev is not None:
            below += GENERIC_ABBREV.get(prev, prev[0]) + s
        elif level >= 1:
            below += "." + s
        prev = None
    key = ".".join(objects + [segs[at]]) if level >= 1 else segs[at]
    return " ".join(x for x in (key, ".".join(arrays), below) if x)


def pointer_labels(pointers):
    """Short names of the variables (short_name), unique within the file: a name that two
    variables would share takes more of their paths, up to the whole pointer."""
    levels = [0] * len(pointers)
    while True:
        labels = [short_name(p, lv) for p, lv in zip(pointers, levels)]
        clash = [k for k, lab in enumerate(labels)
                 if labels.count(lab) > 1 and levels[k] < 2]
        if not clash:
            return labels
        for k in clash:
            levels[k] += 1


def value_text(pointer, x):
    """A variable's value, compact, by the unit in its key: "$30B", "$2.5", "300k", "954.1"."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    key = pointer_key(pointer).lower()
    if "usd_per" in key:
        return f"{'-' if x < 0 else ''}${abs(x):.4g}"
    if key.endswith("_usd"):
        return usd4(x)
    return si4(x) if abs(x) >= 1e4 else f"{x:.4g}"


def objective_text(name):
    """'mean_plus_cvar95(0.5)' -> 'mean + 0.5·CVaR95 of cost'; other names as they are."""
    if name.startswith("mean_plus_cvar95(") and name.endswith(")"):
        return f"mean + {name[len('mean_plus_cvar95('):-1]}·CVaR95 of cost"
    return name


def point_xy(p):
    """(CVaR95, mean) of a point's cost, NaN when it has no metrics (refused)."""
    m = p.get("metrics") if isinstance(p, dict) else None
    m = m if isinstance(m, dict) else {}
    return number(m.get("cost_usd.cvar95")), number(m.get("cost_usd.mean"))


LABEL_GAP = 5  # pixels kept between two label boxes, and between a box and the axes' edge
MARK_RADIUS = 9  # pixels around a marker that no label box covers (the star's half-width)
LINE_RADIUS = 3  # pixels around the frontier line that no label box covers
LEADER_SHORT = 6  # pixels between a leader line's end and its point


def seg_rect(x0, y0, x1, y1, rx0, ry0, rx1, ry1):
    """Whether segments (x0, y0)-(x1, y1) cross rectangles [rx0, rx1] x [ry0, ry1] (numpy
    arrays, broadcast): Liang-Barsky clipping."""
    dx, dy = x1 - x0, y1 - y0
    lo, hi = np.zeros(np.broadcast(x0, rx0).shape), np.ones(np.broadcast(x0, rx0).shape)
    inside = np.ones(lo.shape, bool)
    for p, q in ((-dx, x0 - rx0), (dx, rx1 - x0), (-dy, y0 - ry0), (dy, ry1 - y0)):
        p, q = np.broadcast_to(p, lo.shape), np.broadcast_to(q, lo.shape)
        par = p == 0
        inside &= ~(par & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(par, 0.0, q / np.where(par, 1.0, p))
        lo = np.where(~par & (p < 0), np.maximum(lo, r), lo)
        hi = np.where(~par & (p > 0), np.minimum(hi, r), hi)
    return inside & (lo <= hi)


def seg_seg(ax0, ay0, ax1, ay1, bx0, by0, bx1, by1):
    """Whether segments a cross segments b properly (numpy arrays, broadcast)."""
    def orient(px, py, qx, qy, rx, ry):
        return np.sign((qx - px) * (ry - py) - (qy - py) * (rx - px))
    return ((orient(ax0, ay0, ax1, ay1, bx0, by0) * orient(ax0, ay0, ax1, ay1, bx1, by1) < 0)
            & (orient(bx0, by0, bx1, by1, ax0, ay0) * orient(bx0, by0, bx1, by1, ax1, ay1) < 0))


def place_labels(ax, items, avoid, path=()):
    """Writes each (x, y, text) of items in a box joined to its point by a leader line. Hard
    rule: a box covers no other box, no marker (avoid: data points) and not the line through
    path (data points, joined in order), and stays inside the axes (where no place is left, the
    least covering one). Then the shortest leader, the leader crossing no other box, leader,
    marker or the line, no box over another leader, and boxes clear of other points' markers.
    Each box is placed on a grid of candidate positions, measured with the renderer at the
    figure's final layout (call after tight_layout): one after another, then each again given
    all the others, a few rounds, for a few orders of the labels, keeping the least total cost.
    Deterministic: the same figure gives the same places. Leaders are drawn under every box.
    Returns the annotations."""
    fig = ax.figure
    if not items:
        return []
    ax.set_xlim(ax.get_xlim())  # the leader lines added below must not move the limits
    ax.set_ylim(ax.get_ylim())
    notes = [ax.annotate(text, (x, y), xytext=(0, 0), textcoords="axes fraction", ha="left",
                         va="bottom", multialignment="left", fontsize=7.5, zorder=6,
                         annotation_clip=False,
                         bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.7",
                               "alpha": 0.95})
             for x, y, text in items]
    fig.canvas.draw()  # sizes every box
    renderer = fig.canvas.get_renderer()
    axbox = ax.get_window_extent(renderer)
    marks = np.array([ax.transData.transform(xy) for xy in avoid]).reshape(-1, 2)
    line = [tuple(ax.transData.transform(xy)) for xy in path]
    samples = []
    for (x0, y0), (x1, y1) in zip(line, line[1:]):  # the line, every 2 pixels
        n = max(1, int(math.hypot(x1 - x0, y1 - y0) / 2))
        samples += [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(n + 1)]
    obstacles = np.concatenate([marks, np.array(samples).reshape(-1, 2)])
    radius = np.concatenate([np.full(len(marks), MARK_RADIUS),
                             np.full(len(obstacles) - len(marks), LINE_RADIUS)])
    step = 6
    grids = []  # per label: (point, box size, candidate corners, their cost on their own)
    for note, (x, y, _text) in zip(notes, items):
        patch = note.get_bbox_patch().get_window_extent(renderer)
        w, h = patch.width, patch.height
        px, py = ax.transData.transform((x, y))
        gx = np.arange(axbox.x0 + LABEL_GAP, axbox.x1 - LABEL_GAP - w + 1e-9, step)
        gy = np.arange(axbox.y0 + LABEL_GAP, axbox.y1 - LABEL_GAP - h + 1e-9, step)
        if not len(gx) or not len(gy):  # a box wider or taller than the axes: at its point
            gx, gy = np.array([px]), np.array([py])
        bx0, by0 = (a.ravel() for a in np.meshgrid(gx, gy))
        bx1, by1 = bx0 + w, by0 + h
        cx, cy = bx0 + w / 2, by0 + h / 2
        bad = np.zeros(bx0.shape)  # markers and line covered (hard)
        for (ox, oy), r in zip(obstacles, radius):
            bad += (bx0 - r < ox) & (ox < bx1 + r) & (by0 - r < oy) & (oy < by1 + r)
        cost = np.hypot(np.maximum(np.maximum(bx0 - px, px - bx1), 0),
                        np.maximum(np.maximum(by0 - py, py - by1), 0))  # leader's length
        for (lx0, ly0), (lx1, ly1) in zip(line, line[1:]):
            cost += 200 * seg_seg(cx, cy, px, py, lx0, ly0, lx1, ly1)
        for mx, my in marks:
            if math.hypot(mx - px, my - py) > 1:
                cost += 1000 * seg_rect(cx, cy, px, py, mx - 5, my - 5, mx + 5, my + 5)
                # Close to another point's marker, a box would seem to belong to it.
                r = MARK_RADIUS + 14
                cost += 60 * ((bx0 - r < mx) & (mx < bx1 + r) & (by0 - r < my) & (my < by1 + r))
        keep = bad == 0  # the candidates that cover no marker nor the line, if any
        if keep.any():
            bx0, by0, cost, bad = bx0[keep], by0[keep], cost[keep], bad[keep]
        grids.append(((px, py), (w, h), (bx0, by0), cost + 1e6 * bad))

    def costs(i, boxes, leaders):
        """Label i's cost at each candidate, given the other labels placed."""
        (px, py), (w, h), (bx0, by0), cost = grids[i]
        bx1, by1 = bx0 + w, by0 + h
        cx, cy = bx0 + w / 2, by0 + h / 2
        cost = cost.copy()
        g = LABEL_GAP
        for j, box in enumerate(boxes):
            if j == i or box is None:
                continue
            qx0, qy0, qx1, qy1 = box
            ix = np.clip(np.minimum(bx1 + g, qx1) - np.maximum(bx0 - g, qx0), 0, None)
            iy = np.clip(np.minimum(by1 + g, qy1) - np.maximum(by0 - g, qy0), 0, None)
            cost += 1e6 * ix * iy  # boxes that meet (hard)
            cost += 1000 * seg_rect(cx, cy, px, py, qx0, qy0, qx1, qy1)
            lx0, ly0, lx1, ly1 = leaders[j]
            cost += 1000 * seg_rect(lx0, ly0, lx1, ly1, bx0 - 2, by0 - 2, bx1 + 2, by1 + 2)
            cost += 500 * seg_seg(cx, cy, px, py, lx0, ly0, lx1, ly1)
        return cost

    def solve(order):
        """Places the labels in this order, then again each given all the others (3 rounds):
        (boxes, leaders, total cost)."""
        boxes, leaders, chosen = [None] * len(items), [None] * len(items), [None] * len(items)
        for _round in range(3):
            for i in order:
                cost = costs(i, boxes, leaders)
                k = int(np.argmin(cost))  # the first of equals: deterministic
                (px, py), (w, h), (bx0, by0), _c = grids[i]
                x0, y0 = float(bx0[k]), float(by0[k])
                boxes[i] = (x0, y0, x0 + w, y0 + h)
                leaders[i] = (x0 + w / 2, y0 + h / 2, px, py)
                chosen[i] = k
        total = sum(float(costs(i, boxes, leaders)[chosen[i]]) for i in range(len(items)))
        return boxes, leaders, total

    # A few orders (as given, reversed, by the points' height, by their x), the best kept:
    # the first of equal totals.
    n = len(items)
    at = [g[0] for g in grids]
    orders = [list(range(n)), list(range(n))[::-1],
              sorted(range(n), key=lambda i: (-at[i][1], i)),
              sorted(range(n), key=lambda i: (at[i][1], i)),
              sorted(range(n), key=lambda i: (at[i][0], i)),
              sorted(range(n), key=lambda i: (-at[i][0], i))]
    best = None
    for order in dict.fromkeys(tuple(o) for o in orders):
        result = solve(order)
        if best is None or result[2] < best[2]:
            best = result
    boxes = best[0]
    for note, box, (x, y, _text) in zip(notes, boxes, items):
        patch = note.get_bbox_patch().get_window_extent(renderer)
        # The text's anchor sits where it was drawn (axes corner) plus the box's move.
        fx = (box[0] - patch.x0) / axbox.width
        fy = (box[1] - patch.y0) / axbox.height
        note.xyann = (fx, fy)
        # The leader: from the box's edge toward its centre-to-point line, stopping short of
        # the marker; drawn in data coordinates under the boxes.
        px, py = ax.transData.transform((x, y))
        x0, y0, x1, y1 = box
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        dx, dy = px - cx, py - cy
        t_out = min([t for t in ((x1 - cx) / dx if dx > 0 else (x0 - cx) / dx if dx < 0 else
                                 math.inf,
                                 (y1 - cy) / dy if dy > 0 else (y0 - cy) / dy if dy < 0 else
                                 math.inf)] + [1.0])
        sx, sy = cx + dx * t_out, cy + dy * t_out
        length = math.hypot(px - sx, py - sy)
        if length > LEADER_SHORT + 2:
            ex, ey = px - (px - sx) * LEADER_SHORT / length, py - (py - sy) * LEADER_SHORT / length
            inv = ax.transData.inverted()
            (dx0, dy0), (dx1, dy1) = inv.transform([(sx, sy), (ex, ey)])
            ax.add_line(Line2D([dx0, dx1], [dy0, dy1], color="0.5", linewidth=0.7, zorder=5))
    return notes


def frontier_figure(opt, title):
    """Mean vs CVaR95 of cost of each frontier point (optimize.json's frontier), joined in λ
    order, labelled with λ and the variables' values; the base scenario and the best point
    marked; infeasible points hollow. None without a frontier."""
    doc = opt["doc"]
    frontier = doc.get("frontier") or []
    if not frontier:
        return None
    about = doc["optimize"]
    pointers = opt["pointers"]
    labels = pointer_labels(pointers)
    pts = sorted(frontier, key=lambda p: p["lambda"])  # stable: file order for equal λ
    drawn = [p for p in pts if not any(math.isnan(v) for v in point_xy(p))]

    def label_lines(p, head):
        lines = [head]
        vals = p.get("values") or {}
        for ptr, lab in list(zip(pointers, labels))[:LABEL_VARIABLES]:
            lines.append(f"{lab} = {value_text(ptr, number(vals.get(ptr)))}")
        if len(pointers) > LABEL_VARIABLES:
            lines.append(f"+ {len(pointers) - LABEL_VARIABLES} more variables (frontier table)")
        return "\n".join(lines)

    # The key of the short names in the labels, below the legend: one line per variable.
    keyed = [(lab, ptr) for ptr, lab in list(zip(pointers, labels))[:LABEL_VARIABLES]
             if lab != ptr]
    labelled = drawn or any(isinstance(doc.get(k), dict)
                            and not any(math.isnan(v) for v in point_xy(doc[k]))
                            for k in ("base", "best"))
    key_h = 0.16 * (len(keyed) + 1) + 0.1 if keyed and labelled else 0.0
    height = 7 + key_h
    fig, ax = plt.subplots(figsize=(10, height), dpi=DPI)  # placed at the DPI it is saved at
    if drawn:
        ax.plot([point_xy(p)[0] for p in drawn], [point_xy(p)[1] for p in drawn],
                color=C_FRONTIER, linewidth=1.3, zorder=2)
    for feas in (True, False):
        sel = [p for p in drawn if p["feasible"] is feas]
        if sel:
            ax.scatter([point_xy(p)[0] for p in sel], [point_xy(p)[1] for p in sel], s=42,
                       marker="o", zorder=3, linewidths=1.5,
                       facecolors=C_FRONTIER if feas else "white", edgecolors=C_FRONTIER)
    base, best = doc.get("base"), doc.get("best")
    extra = []  # (point, colour, marker, size, legend text)
    if isinstance(base, dict) and not any(math.isnan(v) for v in point_xy(base)):
        extra.append((base, C_BASE, "s", 70, "base scenario as written"))
    if isinstance(best, dict) and not any(math.isnan(v) for v in point_xy(best)):
        extra.append((best, C_BEST, "*", 260,
                      f"best point for the objective {objective_text(about['objective'])}"))
    for p, color, marker, size, _text in extra:
        x, y = point_xy(p)
        ax.scatter([x], [y], s=size, marker=marker, zorder=4 if marker == "*" else 3.5,
                   linewidths=1.4, facecolors=color if p["feasible"] else "white",
                   edgecolors=color)
    # One label per distinct point: the λs that chose the same evaluation share it.
    groups = []
    for p in drawn:
        for g in groups:
            if g[0]["evaluation"] == p["evaluation"]:
                g.append(p)
                break
        else:
            groups.append([p])
    items = [(*point_xy(g[0]), label_lines(g[0], "λ " + ", ".join(f"{p['lambda']:g}" for p in g)))
             for g in groups]
    on_frontier = {p["evaluation"] for p in drawn}
    for p, _c, _m, _s, _t in extra:
        if p["evaluation"] not in on_frontier:
            head = "base" if p is base else "best"
            if p is best and isinstance(base, dict) and base.get("evaluation") == p["evaluation"]:
                continue  # the base point is the best: one label
            items.append((*point_xy(p), label_lines(p, f"{head} (evaluation {p['evaluation']})")))
            on_frontier.add(p["evaluation"])
    handles = [Line2D([], [], color=C_FRONTIER, marker="o", markersize=6,
                      label="frontier point (minimum of mean + λ·CVaR95), in λ order")]
    if any(not p["feasible"] for p in drawn) or any(not p["feasible"] for p, *_ in extra):
        handles.append(Line2D([], [], color="0.3", marker="o", markersize=6, linestyle="none",
                              markerfacecolor="white",
                              label="hollow: infeasible (breaks a constraint)"))
    for _p, color, marker, size, text in extra:
        handles.append(Line2D([], [], color=color, marker=marker, linestyle="none",
                              markersize=13 if marker == "*" else 8, label=text))
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, key_h / height),
               ncol=2, fontsize=8.5, frameon=False)
    ax.xaxis.set_major_formatter(TickLabels())
    ax.yaxis.set_major_formatter(TickLabels())
    ax.xaxis.set_major_locator(MaxNLocator(7))
    ax.set_xlabel("CVaR 95% of cost over the horizon (USD): mean of the worst 5% of paths")
    ax.set_ylabel("mean cost over the horizon (USD)")
    ax.grid(True, alpha=0.3)
    ax.margins(0.18)
    paths = number(about.get("paths"))
    ax.set_title(fit_title(fig, f"{title}: mean vs CVaR 95% of cost along the frontier\n"
                           f"({len(frontier)} values of λ, "
                           f"{'%d' % paths if not math.isnan(paths) else '?'} sampled paths each)", 12),
                 fontsize=12)
    fig.tight_layout(rect=(0, (0.56 + key_h) / height, 1, 1))
    if key_h:
        width = max(len(lab) for lab, _ in keyed)
        fig.text(ax.get_position().x0, 0.08 / height,
                 "\n".join(["variables in the labels (short name: JSON pointer in the base "
                            "scenario)"] + [f"  {lab.ljust(width)}  {ptr}" for lab, ptr in keyed]),
                 ha="left", va="bottom", fontsize=7.5, family="monospace", color="0.25")
    notes = place_labels(ax, items,
                         [point_xy(p) for p in drawn] + [point_xy(p) for p, *_ in extra],
                         [point_xy(p) for p in drawn])
    if os.environ.get("CLOUDPACT_REPORT_LABEL_BOXES"):
        # For tests/report: each label's box and each marker, in pixels of the saved PNG.
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        for note in notes:
            b = note.get_bbox_patch().get_window_extent(renderer)
            print(f"frontier.png label {b.x0:.1f} {b.y0:.1f} {b.x1:.1f} {b.y1:.1f} "
                  f"{note.get_text().splitlines()[0]}", file=sys.stderr)
        for xy in [point_xy(p) for p in drawn] + [point_xy(p) for p, *_ in extra]:
            mx, my = ax.transData.transform(xy)
            print(f"frontier.png marker {mx:.1f} {my:.1f}", file=sys.stderr)
    if not drawn:
        ax.text(0.5, 0.5, "no frontier point was evaluated (every one refused)",
                transform=ax.transAxes, ha="center", va="center", color="0.4")
    caption = ("Each frontier point is the lowest mean + λ·CVaR 95% of the contracted "
               "portfolio's cost found under the file's constraints, on the same "
               "sampled paths: its CVaR 95% (x) against its mean cost (y), in USD over the horizon "
               "(cost = spend + value of unmet demand), joined in λ order and labelled with λ "
               "and the variables' values (the λs that chose the same point share a label)")
    if key_h:
        caption += ("; the variables' short names in the labels are keyed to their JSON pointers "
                    "below the plot")
    marks = []
    if any(p is base for p, *_ in extra):
        marks.append("the base scenario as written (grey square)")
    if any(p is best for p, *_ in extra):
        marks.append(f"the best point for the objective {about['objective']} (red star)")
    if marks:
        caption += "; " + " and ".join(marks) + (" are" if len(marks) > 1 else " is") + " marked"
    caption += "; hollow markers break a constraint. Down and to the left is better."
    if len(drawn) < len(pts):
        caption += f" {len(pts) - len(drawn)} refused frontier point(s) are not drawn."
    return figure("frontier.png", "Mean–CVaR frontier", caption, fig)


def stage_group(stage):
    return "frontier" if stage.startswith("frontier:") else stage


def stage_label(stage):
    return "λ " + stage[len("frontier:"):] if stage.startswith("frontier:") else stage


def progress_figure(opt, title):
    """Objective of every evaluation in order, by stage (filled feasible, hollow infeasible,
    refused ones left out), with the best feasible objective so far as a step line."""
    doc = opt["doc"]
    about = doc["optimize"]
    rows = opt["rows"]
    objective = about["objective"]
    drawn = [r for r in rows if r["objective"] is not None and not r["error"]]
    fig, ax = plt.subplots(figsize=(10, 5.6))
    handles = []
    for group, color, marker, text in STAGES:
        rs = [r for r in drawn if stage_group(r["stage"]) == group]
        if not rs:
            continue
        size = 46 if group == "base" else 20
        for feas in (True, False):
            sel = [r for r in rs if r["feasible"] is feas]
            if sel:
                ax.scatter([r["evaluation"] for r in sel], [r["objective"] for r in sel],
                           marker=marker, s=size, linewidths=1.0, zorder=3,
                           facecolors=color if feas else "white", edgecolors=color)
        handles.append(Line2D([], [], color=color, marker=marker, linestyle="none",
                              markersize=7 if group == "base" else 5,
                              label=f"{text}: {len(rs)}"))
    if any(not r["feasible"] for r in drawn):
        handles.append(Line2D([], [], color="0.3", marker="o", linestyle="none", markersize=5,
                              markerfacecolor="white", label="hollow: infeasible"))
    best, xs, ys = None, [], []
    for r in drawn:
        if r["feasible"] and (best is None or r["objective"] < best):
            best = r["objective"]
            xs.append(r["evaluation"])
            ys.append(best)
    if xs:
        xs.append(rows[-1]["evaluation"])
        ys.append(best)
        ax.step(xs, ys, where="post", color=C_RUNNING, linewidth=1.5, zorder=4)
        handles.append(Line2D([], [], color=C_RUNNING, linewidth=1.5,
                              label=f"best feasible so far (last: {usd4(best)})"))
    # Stage boundaries (dotted) and, where there is room, the stage's name above the axes.
    segments = []
    for r in rows:
        if segments and segments[-1][0] == r["stage"]:
            segments[-1][2] = r["evaluation"]
        else:
            segments.append([r["stage"], r["evaluation"], r["evaluation"]])
    if rows:
        pad = max(1.5, 0.01 * (rows[-1]["evaluation"] - rows[0]["evaluation"]))
        lo, hi = rows[0]["evaluation"] - pad, rows[-1]["evaluation"] + pad
        ax.set_xlim(lo, hi)
        for k, (stage, first, last) in enumerate(segments):
            if k:
                ax.axvline(first - 0.5, color="0.6", linestyle=":", linewidth=0.9, zorder=1)
            text = stage_label(stage)
            if (last - first + 1) / (hi - lo) >= 0.0065 * len(text) + 0.005:
                ax.text((first + last) / 2, 1.01, text, transform=ax.get_xaxis_transform(),
                        ha="center", va="bottom", fontsize=7.5, color="0.35")
    if not drawn:
        ax.text(0.5, 0.5, "no evaluation has an objective (none evaluated, or every one refused)",
                transform=ax.transAxes, ha="center", va="center", color="0.4")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(TickLabels())
    ax.set_xlabel("evaluation (in the order evaluated)")
    ax.set_ylabel(f"objective: {objective_text(objective)} (USD)")
    ax.grid(True, alpha=0.3)
    nfeas = sum(r["feasible"] for r in drawn)
    ax.set_title(fit_title(fig, f"{title}: objective of each evaluation ({len(rows)} evaluations, "
                           f"{nfeas} feasible)", 12), fontsize=12, pad=16)
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8.5, frameon=False)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    caption = (f"The objective {objective} (USD over the horizon) of every evaluation of "
               "evaluations.csv in the order evaluated, marked by stage: the base scenario as "
               "written, the global search over the box, the local polish of its best point and "
               "each frontier point's local search (labelled by λ above the axes; its rows show "
               "the file's objective too, not mean + λ·CVaR95); filled markers are feasible, "
               "hollow ones break a constraint; the red step line is the best feasible "
               "objective so far.")
    if not xs:
        caption = caption[:-1] + " (none here: no evaluation is feasible)."
    refused = len(rows) - len(drawn)
    if refused:
        caption = caption[:-1] + (f"; {refused} evaluation(s) refused or without an objective "
                                  "(their error is in evaluations.csv) are not drawn.")
    return figure("progress.png", "Search progress", caption, fig)


def optimize_figures(opt, title):
    out = []
    front = frontier_figure(opt, title)
    if front:
        out.append(front)
    out.append(progress_figure(opt, title))
    return out
