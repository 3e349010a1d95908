"""The four replay figures (scripts/plot DIR, and the replay part of scripts/report).

Reads what `cloudpact run FILE --out DIR` wrote (timeseries.csv, ledger.csv,
summary.json) and draws:

  capacity_vs_demand.png  per provider: capacity, available, used; total: demand vs available
  spend_by_provider.png   monthly spend per provider (stacked) and cumulative spend
  spend_by_item.png       ledger totals per item per provider (SLA credits negative)
  unmet.png               unmet demand over time, total and per provider

Readers raise sources.ReportError (one line naming the file). `figures(folder,
title)` yields (file name, matplotlib figure) pairs; the caller saves or renders
each one and closes it. `main` is scripts/plot.

Deterministic: same inputs give byte-identical PNGs (Agg backend, fixed DPI,
no Software/date metadata).
"""
import datetime as dt
import io
import json
import math
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "cloudpact"
matplotlib.rcParams["path.simplify"] = True
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import Formatter, FuncFormatter  # noqa: E402

from numfmt import si, usd, usd_ticks  # noqa: E402
from sources import ReportError, finite_cell, read_csv, write_atomic  # noqa: E402

REQUIRED = ("timeseries.csv", "ledger.csv")
TS_COLUMNS = ("time", "provider", "capacity_gpus", "available_gpus", "used_gpus",
              "unmet_gpus", "spend_usd")
LEDGER_COLUMNS = ("time", "contract", "item", "amount_usd")
ITEMS = ("reserved", "usage", "on_demand", "shortfall", "egress", "sla_credit")
ITEM_LABELS = {"reserved": "reserved", "usage": "usage-billed", "on_demand": "on-demand",
               "shortfall": "shortfall (commitments, yearly minimums)", "egress": "egress",
               "sla_credit": "SLA credits"}
TOTAL = "*"
DPI = 110
SAVE_KW = {"dpi": DPI, "metadata": {"Software": None}}
GPU_FMT = FuncFormatter(si)


class TickLabels(Formatter):
    """The tick labels of one axis, written all together by `write` (numfmt's usd_ticks,
    price_ticks: one suffix and one number of decimals for every tick) from the ticks in view,
    so that evenly spaced ticks read evenly. One per axis: it reads its axis's view."""

    def __init__(self, write=usd_ticks):
        self.write = write

    def format_ticks(self, values):
        values = list(values)
        return self.write(values, self.in_view(values))

    def in_view(self, values):
        if self.axis is None:
            return values
        lo, hi = sorted(self.axis.get_view_interval())
        eps = 1e-9 * max(abs(lo), abs(hi), 1.0)
        return [v for v in values if lo - eps <= v <= hi + eps]

    def __call__(self, x, pos=None):
        return self.write([x])[0]  # a value alone (the cursor's readout): its own decimals


def parse_time(s):
    s = s.strip()
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            pass
    raise ValueError(f"not an ISO UTC time: {s!r}")


# ---------- reading ----------

def check_columns(path, header, needed):
    missing = [c for c in needed if c not in header]
    if missing:
        raise ReportError(f"{path}: missing column(s) {', '.join(missing)} "
                          f"(header: {','.join(header)})")


def cell_time(path, line, raw):
    try:
        return parse_time(raw)
    except ValueError as e:
        raise ReportError(f"{path}:{line}: {e}")


def read_timeseries(path):
    """-> (times [datetime], providers [str], series {provider: {column: [float]}})"""
    header, table = read_csv(path, "timeseries.csv")
    check_columns(path, header, TS_COLUMNS)
    col = {c: header.index(c) for c in TS_COLUMNS}
    times, index = [], {}
    providers = []
    rows = defaultdict(dict)  # provider -> {time_index: {column: float}}
    for line, cells in table:
        t, p = cells[col["time"]], cells[col["provider"]]
        if t not in index:
            index[t] = len(times)
            times.append(cell_time(path, line, t))
        if p != TOTAL and p not in rows:
            providers.append(p)
        if index[t] in rows[p]:
            raise ReportError(f"{path}:{line}: a second row of provider {p} at {t.strip()}")
        rows[p][index[t]] = {c: finite_cell(path, line, c, cells[col[c]]) for c in TS_COLUMNS[2:]}
    check_intervals(path, times, rows)
    n = len(times)
    series = {p: {c: [by_t[i][c] for i in range(n)] for c in TS_COLUMNS[2:]}
              for p, by_t in rows.items()}
    if TOTAL not in series and providers:
        # No total row: sum the providers.
        series[TOTAL] = {c: [sum(series[p][c][i] for p in providers) for i in range(n)]
                         for c in TS_COLUMNS[2:]}
    return times, providers, series


def check_intervals(path, times, rows):
    """Every provider has a row in every interval (docs/reference.md §5.2): a file cut at the end
    of a line loses the last interval's other rows, which would otherwise read as zeros."""
    for p, by_t in rows.items():
        if len(by_t) < len(times):
            i = next(i for i in range(len(times)) if i not in by_t)
            raise ReportError(f"{path}: provider {p} has no row at "
                              f"{times[i].strftime('%Y-%m-%dT%H:%M:%SZ')} (expected one row per "
                              "provider per interval)")


def read_ledger(path):
    """-> (rows as (datetime, item, amount, provider-or-None), has_provider)"""
    header, table = read_csv(path, "ledger.csv")
    check_columns(path, header, LEDGER_COLUMNS)
    has_provider = "provider" in header
    col = {c: header.index(c) for c in LEDGER_COLUMNS + (("provider",) if has_provider else ())}
    out = []
    for line, cells in table:
        prov = cells[col["provider"]] if has_provider else None
        contract = cells[col["contract"]]
        if not prov and contract.startswith("provider:"):
            prov = contract.split(":", 1)[1]
        out.append((cell_time(path, line, cells[col["time"]]), cells[col["item"]],
                    finite_cell(path, line, "amount_usd", cells[col["amount_usd"]]),
                    prov or None))
    return out, has_provider


# ---------- drawing helpers ----------

def provider_colors(providers):
    cmap = plt.get_cmap("tab10")
    return {p: cmap(i % 10) for i, p in enumerate(providers)}


def date_axis(ax):
    loc = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))


def step_edges(times):
    """Interval-start times plus the end of the last interval, for step plots."""
    if len(times) >= 2:
        return times + [times[-1] + (times[-1] - times[-2])]
    if times:
        return times + [times[0] + dt.timedelta(hours=24)]
    return times


def steps(values):
    return list(values) + ([values[-1]] if values else [])


def month_start(t):
    return dt.datetime(t.year, t.month, 1)


def next_month(t):
    return dt.datetime(t.year + (t.month == 12), t.month % 12 + 1, 1)


# ---------- plots ----------

def plot_capacity(title, times, providers, series, colors):
    n = len(providers) + 1
    ncols = 1 if n <= 3 else 2
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(7.5 * ncols, 2.9 * nrows + 0.8),
                             sharex=True, squeeze=False)
    flat = [ax for row in axes for ax in row]
    x = step_edges(times)
    for ax, p in zip(flat, providers):
        s = series[p]
        ax.fill_between(x, steps(s["used_gpus"]), step="post", color=colors[p], alpha=0.35,
                        linewidth=0, label="used")
        ax.plot(x, steps(s["available_gpus"]), drawstyle="steps-post", color=colors[p],
                linewidth=1.4, label="available to buyer (after outages)")
        ax.plot(x, steps(s["capacity_gpus"]), drawstyle="steps-post", color="0.2",
                linestyle=(0, (4, 3)), linewidth=1.0, label="capacity (delivered)")
        ax.set_title(f"{p}", fontsize=11, loc="left", fontweight="bold")
    ax = flat[len(providers)]
    tot = series.get(TOTAL)
    if tot:
        demand = [u + m for u, m in zip(tot["used_gpus"], tot["unmet_gpus"])]
        ax.fill_between(x, steps(tot["used_gpus"]), step="post", color="tab:green", alpha=0.3,
                        linewidth=0, label="used")
        ax.plot(x, steps(tot["available_gpus"]), drawstyle="steps-post", color="tab:blue",
                linewidth=1.3, label="available to buyer (after outages)")
        ax.plot(x, steps(demand), drawstyle="steps-post", color="tab:red", linewidth=1.3,
                label="demand (used + unmet)")
    ax.set_title("all providers", fontsize=11, loc="left", fontweight="bold")
    ax.set_xlabel("date (UTC)")
    for a in flat[:n]:
        a.yaxis.set_major_formatter(GPU_FMT)
        a.set_ylabel("GPUs (H100-eq)")
        a.set_ylim(bottom=0)
        a.grid(True, alpha=0.3)
        date_axis(a)
        a.tick_params(labelbottom=True)
        a.legend(fontsize=8, loc="upper left", framealpha=0.8)
    for a in flat[n:]:
        a.set_visible(False)
    fig.suptitle(f"{title}: capacity, availability and use (interval averages)", fontsize=13)
    fig.tight_layout()
    return fig


def plot_spend_by_provider(title, times, providers, series, ledger, has_provider, colors):
    """Monthly spend per provider (stacked bars, net of the month's SLA credits; a net
    credit hatched below zero) and cumulative lines."""
    monthly = defaultdict(lambda: defaultdict(float))  # provider -> month -> usd
    provs = list(providers)
    if has_provider and ledger:
        # Items are billed at the end of what they pay for (a month's bill on the 1st of
        # the next month), so an item counts in the month holding the second before it.
        floor = month_start(times[0]) if times else None
        for t, _item, amount, p in ledger:
            p = p or "(unattributed)"
            if p not in provs:
                provs.append(p)
            m = month_start(t - dt.timedelta(seconds=1))
            if floor is not None and m < floor:
                m = floor
            monthly[p][m] += amount
        source = "ledger.csv, by the month each item closes"
    else:
        for p in providers:
            for t, v in zip(times, series[p]["spend_usd"]):
                monthly[p][month_start(t)] += v
        source = "timeseries.csv"
    cols = dict(colors)
    extra = plt.get_cmap("tab10")
    for i, p in enumerate(provs):
        cols.setdefault(p, extra(i % 10))
    all_months = sorted({m for p in provs for m in monthly[p]})
    if times:
        first, last = month_start(times[0]), month_start(times[-1])
        m, full = first, []
        while m <= max([last] + all_months):
            full.append(m)
            m = next_month(m)
        all_months = sorted(set(full) | set(all_months))
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(11, 8.5), sharex=True)
    width = 25  # days
    pos_base = [0.0] * len(all_months)
    neg_base = [0.0] * len(all_months)
    bar_x = [m + dt.timedelta(days=2) for m in all_months]
    for p in provs:
        vals = [monthly[p].get(m, 0.0) for m in all_months]
        pos = [max(v, 0.0) for v in vals]
        neg = [min(v, 0.0) for v in vals]
        ax1.bar(bar_x, pos, width=width, bottom=pos_base, align="edge", color=cols[p], label=p)
        if any(neg):
            ax1.bar(bar_x, neg, width=width, bottom=neg_base, align="edge", color=cols[p],
                    hatch="//", edgecolor="white", linewidth=0)
        pos_base = [a + b for a, b in zip(pos_base, pos)]
        neg_base = [a + b for a, b in zip(neg_base, neg)]
    ax1.axhline(0, color="black", linewidth=0.8)
    ax1.set_ylabel("spend per month (USD)")
    ax1.yaxis.set_major_formatter(TickLabels())
    ax1.set_title("monthly spend by provider (net of SLA credits; shortfalls in the month "
                  "they fall due)", fontsize=11, loc="left")
    ax1.legend(fontsize=9, ncol=min(len(provs), 6), loc="upper left")
    ax1.grid(True, axis="y", alpha=0.3)
    # cumulative
    edges = all_months + ([next_month(all_months[-1])] if all_months else [])
    total = [0.0] * len(all_months)
    for p in provs:
        vals = [monthly[p].get(m, 0.0) for m in all_months]
        cum, c = [0.0], 0.0
        for v in vals:
            c += v
            cum.append(c)
        total = [a + b for a, b in zip(total, vals)]
        ax2.plot(edges, cum, color=cols[p], linewidth=1.6, label=p)
    cum, c = [0.0], 0.0
    for v in total:
        c += v
        cum.append(c)
    ax2.plot(edges, cum, color="black", linewidth=2, linestyle="--", label="all providers")
    ax2.set_ylabel("cumulative spend (USD)")
    ax2.yaxis.set_major_formatter(TickLabels())
    ax2.set_title("cumulative spend", fontsize=11, loc="left")
    ax2.legend(fontsize=9, loc="upper left")
    ax2.grid(True, alpha=0.3)
    ax2.set_xlabel("month (UTC)")
    for a in (ax1, ax2):
        date_axis(a)
    fig.suptitle(f"{title}: spend by provider (from {source})", fontsize=13)
    fig.tight_layout()
    return fig


def plot_spend_by_item(title, providers, ledger, colors):
    totals = defaultdict(lambda: defaultdict(float))  # provider -> item -> usd
    provs = list(providers)
    items = list(ITEMS)
    for _t, item, amount, p in ledger:
        p = p or "(unattributed)"
        if p not in provs:
            provs.append(p)
        if item not in items:
            items.append(item)
        totals[p][item] += amount
    used_items = [i for i in items if any(totals[p].get(i, 0.0) for p in provs)] or items[:1]
    fig, ax = plt.subplots(figsize=(max(8.0, 1.6 * len(provs) + 3), 6))
    cmap = plt.get_cmap("Set2")
    item_color = {i: cmap(k % 8) for k, i in enumerate(items)}
    item_color["sla_credit"] = "tab:red"
    k = len(used_items)
    w = 0.8 / k
    xs = list(range(len(provs)))
    for j, item in enumerate(used_items):
        vals = [totals[p].get(item, 0.0) for p in provs]
        ax.bar([x - 0.4 + w * (j + 0.5) for x in xs], vals, width=w, color=item_color[item],
               label=ITEM_LABELS.get(item, item))
    # Bars too small to see at this scale (credits, egress) get their value written.
    span = max([abs(totals[p].get(i, 0.0)) for p in provs for i in used_items] + [1.0])
    for j, item in enumerate(used_items):
        for x, p in zip(xs, provs):
            v = totals[p].get(item, 0.0)
            if v and abs(v) < 0.03 * span:
                ax.annotate(usd(v), (x - 0.4 + w * (j + 0.5), v), textcoords="offset points",
                            xytext=(0, 3 if v > 0 else -3), ha="center",
                            va="bottom" if v > 0 else "top", fontsize=7, rotation=90,
                            color="tab:red" if v < 0 else "0.25")
    nets = [sum(totals[p].values()) for p in provs]
    ax.scatter(xs, nets, marker="D", color="black", zorder=5, s=28, label="net spend")
    for x, v in zip(xs, nets):
        ax.annotate(usd(v), (x, v), textcoords="offset points", xytext=(0, 8), ha="center",
                    fontsize=8)
    ax.axhline(0, color="black", linewidth=0.8)
    lo, hi = ax.get_ylim()
    has_neg = any(v < 0 for p in provs for v in totals[p].values())
    ax.set_ylim(min(lo, -0.12 * span) if has_neg else lo, max(hi, 1.08 * max(nets + [0.0])))
    ax.set_xticks(xs)
    ax.set_xticklabels(provs)
    ax.set_xlabel("provider")
    ax.set_ylabel("total over the horizon (USD)")
    ax.yaxis.set_major_formatter(TickLabels())
    ax.grid(True, axis="y", alpha=0.3)
    # The legend goes below the axes: inside, "best" could still cover a
    # provider's net-spend diamond or its label (one provider: the whole
    # plot is that provider's bars).
    handles, labels = ax.get_legend_handles_labels()
    ncol = min(len(labels), 4)
    fig.legend(handles, labels, fontsize=9, ncol=ncol, loc="lower center", frameon=False)
    ax.set_title(f"{title}: ledger totals by item and provider (SLA credits negative)",
                 fontsize=12)
    fig.tight_layout(rect=(0, 0.035 * math.ceil(len(labels) / ncol) + 0.01, 1, 1))
    return fig


def plot_unmet(title, times, providers, series, colors):
    x = step_edges(times)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(11, 8), sharex=True,
                                   gridspec_kw={"height_ratios": [2, 1]})
    base = [0.0] * len(times)
    for p in providers:
        v = series[p]["unmet_gpus"]
        top = [a + b for a, b in zip(base, v)]
        if any(v):
            ax1.fill_between(x, steps(base), steps(top), step="post", color=colors[p], alpha=0.55,
                             linewidth=0, label=f"{p} (first eligible provider)")
        base = top
    tot = series.get(TOTAL)
    if tot:
        ax1.plot(x, steps(tot["unmet_gpus"]), drawstyle="steps-post", color="black",
                 linewidth=1.2, label="total unmet")
        demand = [u + m for u, m in zip(tot["used_gpus"], tot["unmet_gpus"])]
        pct = [100.0 * m / d if d > 0 else 0.0 for m, d in zip(tot["unmet_gpus"], demand)]
        ax2.plot(x, steps(pct), drawstyle="steps-post", color="tab:red", linewidth=1.2)
        peak = max(tot["unmet_gpus"]) if tot["unmet_gpus"] else 0.0
        if peak == 0:
            ax1.text(0.5, 0.5, "no unmet demand", transform=ax1.transAxes, ha="center",
                     va="center", fontsize=14, color="0.4")
    ax1.set_ylabel("unmet demand (GPUs, H100-eq)")
    ax1.yaxis.set_major_formatter(GPU_FMT)
    ax1.set_ylim(bottom=0)
    ax1.grid(True, alpha=0.3)
    ax1.legend(fontsize=9, loc="upper left")
    ax1.set_title("unmet demand, stacked by the workloads' first eligible provider "
                  "(interval averages)", fontsize=11, loc="left")
    ax2.set_ylabel("unmet share of demand (%)")
    ax2.set_ylim(bottom=0)
    ax2.grid(True, alpha=0.3)
    ax2.set_xlabel("time (UTC)")
    for a in (ax1, ax2):
        date_axis(a)
    fig.suptitle(f"{title}: unmet demand", fontsize=13)
    fig.tight_layout()
    return fig


def check_against_summary(folder, summary, times, ledger):
    """A CSV cut at the end of a line reads as a shorter file, not as a damaged one: the
    folder's summary.json (`summary`, its document, or None when the folder has none usable)
    says how far the timeseries reaches (to its `end`) and what the ledger adds up to
    (`totals.spend_usd`, every row's amount summed), so missing rows are bad input, not zeros
    in the figures (docs/reference.md Appendix A)."""
    try:
        end = parse_time(summary["end"])
        spend = float(summary["totals"]["spend_usd"])
    except (ValueError, KeyError, TypeError):
        return  # nothing to check against (scripts/plot needs no summary.json)
    ts = os.path.join(folder, "timeseries.csv")
    if len(times) >= 2 and times[-1] + (times[-1] - times[-2]) < end:
        raise ReportError(f"{ts}: ends with the interval at {times[-1].strftime('%Y-%m-%dT%H:%M:%SZ')}, "
                          f"short of the horizon's end {summary['end']} in summary.json (expected "
                          "every interval: the file is cut short)")
    total = math.fsum(amount for _, _, amount, _ in ledger)
    if abs(total - spend) > 1e-6 * max(1.0, abs(spend)):
        raise ReportError(f"{os.path.join(folder, 'ledger.csv')}: its amounts add up to {total!r}, "
                          f"not summary.json's totals.spend_usd {spend!r} (expected every billing "
                          "row: the file is cut short or edited)")


def read_run(folder, summary):
    """-> (times, providers, series, ledger, has_provider) of a run folder, held to its
    summary.json's document `summary` (None: none)."""
    ts = os.path.join(folder, "timeseries.csv")
    times, providers, series = read_timeseries(ts)
    if not times:
        raise ReportError(f"{ts}: no rows")
    ledger, has_provider = read_ledger(os.path.join(folder, "ledger.csv"))
    check_against_summary(folder, summary, times, ledger)
    return times, providers, series, ledger, has_provider


def figures(folder, title, summary):
    """Reads the run folder, then yields (file name, figure) for each figure in turn."""
    times, providers, series, ledger, has_provider = read_run(folder, summary)
    colors = provider_colors(providers)
    yield "capacity_vs_demand.png", plot_capacity(title, times, providers, series, colors)
    yield "spend_by_provider.png", plot_spend_by_provider(title, times, providers, series, ledger,
                                                          has_provider, colors)
    yield "spend_by_item.png", plot_spend_by_item(title, providers, ledger, colors)
    yield "unmet.png", plot_unmet(title, times, providers, series, colors)


# ---------- scripts/plot ----------

PLOT_HELP = """Plots of one replay: scripts/plot DIR

DIR is what `cloudpact run FILE --out DIR` wrote (timeseries.csv, ledger.csv,
summary.json). Writes into DIR:

  capacity_vs_demand.png  per provider: capacity, available, used; total: demand vs available
  spend_by_provider.png   monthly spend per provider (stacked) and cumulative spend
  spend_by_item.png       ledger totals per item per provider (SLA credits negative)
  unmet.png               unmet demand over time, total and per provider

Prints the paths written, one per line. Exit codes: 0 done, 2 bad usage, or
DIR lacks the replay outputs or holds a damaged one (one line naming the file
and line, nothing written), 3 an output could not be written.

Deterministic: same inputs give byte-identical PNGs (Agg backend, fixed DPI,
no Software/date metadata). All four are rendered before any is written, and
each is written atomically (a temporary file, then a rename)."""


def plot_main(argv):
    """scripts/plot DIR: the four figures as PNG files in DIR. Returns the exit code."""
    if len(argv) == 2 and argv[1] in ("-h", "--help"):
        print(PLOT_HELP)
        return 0
    try:
        if len(argv) != 2:
            raise ReportError("usage: scripts/plot DIR   (DIR = the --out DIR of `cloudpact run`; "
                              "--help for more)")
        out = argv[1]
        if not os.path.isdir(out):
            raise ReportError(f"{out}: no such directory (expected the --out DIR of "
                              "`cloudpact run`)")
        missing = [f for f in REQUIRED if not os.path.isfile(os.path.join(out, f))]
        if missing:
            raise ReportError(f"{out}: missing {', '.join(missing)} (expected the --out DIR of "
                              "`cloudpact run`)")
        title = os.path.basename(os.path.normpath(out))
        summary_path = os.path.join(out, "summary.json")
        summary = None
        if os.path.isfile(summary_path):
            try:
                with open(summary_path) as f:
                    doc = json.load(f)
                if not isinstance(doc, dict):
                    raise ValueError("not a JSON object")
                summary = doc
                title = doc.get("scenario") if isinstance(doc.get("scenario"), str) and doc.get("scenario") \
                    else title
            except (OSError, ValueError) as e:
                print(f"plot: warning: {summary_path}: {e}; using the directory name as title",
                      file=sys.stderr)
        # Every figure rendered in memory first, then each file written to a
        # temporary name and renamed: a failure or a kill leaves each PNG whole,
        # old or new, and nothing is written when an input is bad.
        rendered = []
        for name, fig in figures(out, title, summary):
            buf = io.BytesIO()
            fig.savefig(buf, **SAVE_KW)
            plt.close(fig)
            rendered.append((os.path.join(out, name), buf.getvalue()))
        written = []
        for path, data in rendered:
            try:
                write_atomic(path, data)
            except OSError as e:
                raise ReportError(f"cannot write {path}: {e.strerror}", code=3)
            written.append(path)
    except ReportError as e:
        print(f"plot: {e}", file=sys.stderr)
        return e.code
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as e:
        # Files of the right names and syntax but not the structure cloudpact
        # writes (a value of another type): one line, not a traceback.
        print(f"plot: {argv[1]}: not the outputs cloudpact writes ({type(e).__name__}: {e}) "
              "(expected an unedited --out DIR of `cloudpact run`)", file=sys.stderr)
        return 2
    for p in written:
        print(p)
    return 0
