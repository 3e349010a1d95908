"""The one self-contained HTML5 page of scripts/report: inline CSS, images as
base64 data URIs, no external resource of any kind, no date (same inputs,
same bytes)."""
import base64
import html
import math

from numfmt import pct, plain, price, si, si4, usd, usd4
from sources import OPTIMIZE_METRICS, get, number

CSS = """
body { font-family: sans-serif; margin: 1.5em auto; max-width: 1280px; padding: 0 1em;
       color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.05em; margin: 1em 0 0.3em; }
p.source { color: #555; margin-top: 0; }
p.warning { color: #7a0000; background: #fdecea; border: 2px solid #b00; padding: 0.5em 0.8em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
th { background: #f2f2f2; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.bad { color: #b00; }
figure { margin: 0.5em 0 1.5em; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #444; margin-top: 0.3em; }
""".strip()

# Counts the images that decoded; test_report.sh reads the attribute with headless Chromium.
SCRIPT = """
window.addEventListener('load', function () {
  var imgs = document.images, ok = 0;
  for (var i = 0; i < imgs.length; i++) {
    if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;
  }
  document.body.dataset.imagesLoaded = ok + '/' + imgs.length;
});
""".strip()


def esc(s):
    return html.escape(str(s), quote=True)


def table(header, rows, numeric_cols=None):
    """rows: lists of cell text; numeric_cols: indexes right-aligned (default all but the
    first). A cell given as ('text', 'bad') gets that class."""
    if numeric_cols is None:
        numeric_cols = set(range(1, len(header)))
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header)
           + "</tr></thead>", "<tbody>"]
    for row in rows:
        cells = []
        for i, c in enumerate(row):
            cls = []
            if isinstance(c, tuple):
                c, extra = c
                cls.append(extra)
            if i in numeric_cols:
                cls.append("num")
            attr = f' class="{" ".join(cls)}"' if cls else ""
            cells.append(f"<td{attr}>{esc(c)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


# ---------- headline tables ----------

def run_tables(summary):
    tot = summary.get("totals") or {}
    conc = summary.get("concentration") or {}
    rows = [
        ["spend (billed + shortfall − SLA credits + egress)", usd(number(tot.get("spend_usd")))],
        ["billed", usd(number(tot.get("billed_usd")))],
        ["shortfall (commitments, yearly minimums)", usd(number(tot.get("shortfall_usd")))],
        ["SLA credits", usd(number(tot.get("sla_credits_usd")))],
        ["egress", usd(number(tot.get("egress_usd")))],
        ["used (H100-eq GPU-hours)", si(number(tot.get("used_gpu_hours")))],
        ["unmet demand (H100-eq GPU-hours)", si(number(tot.get("unmet_gpu_hours")))],
        ["unmet demand, value (not billed)", usd(number(tot.get("unmet_value_usd")))],
        # Present values at the start (docs/reference.md §13), beside the nominal figures.
        ["spend, present value at the start", usd(number(tot.get("npv_spend_usd")))],
        ["unmet demand value, present value at the start", usd(number(tot.get("npv_unmet_value_usd")))],
        ["HHI of spend (0–10000)", plain(number(conc.get("hhi_spend")))],
        ["HHI of capacity (0–10000)", plain(number(conc.get("hhi_capacity")))],
        ["effective providers (1 / Σ share²)", plain(number(conc.get("effective_providers")), 2)],
    ]
    parts = ["<h3>Replay totals</h3>", table(["measure", "value"], rows)]
    provs = summary.get("providers") or {}
    if provs:
        prow = [[pid, usd(number(p.get("spend_usd"))), usd(number(p.get("npv_spend_usd"))),
                 pct(number(p.get("share_of_spend"))),
                 si(number(p.get("used_gpu_hours"))), si(number(p.get("available_gpu_hours"))),
                 si(number(p.get("outage_gpu_hours")))] for pid, p in provs.items()]
        parts += ["<h3>Per provider</h3>",
                  table(["provider", "spend", "spend, present value", "share of spend", "used GPU-h",
                         "available GPU-h", "outage GPU-h"], prow)]
    return "\n".join(parts)


def risk_tables(risk):
    rows = []
    for name, p in risk["portfolios"].items():
        c = p.get("cost_usd") or {}
        se = number(c.get("se_mean"))
        rows.append([name, usd(number(c.get("mean"))) + ("" if math.isnan(se) else f" ± {usd(se)}"),
                     usd(number(c.get("p50"))), usd(number(c.get("p95"))),
                     usd(number(c.get("cvar95"))), usd(number(c.get("p99"))),
                     usd(number(get(p, "npv_cost_usd", "mean"))), usd(number(get(p, "npv_cost_usd", "cvar95"))),
                     si(number(get(p, "unmet_gpu_hours", "mean"))),
                     pct(number(p.get("p_unmet")))])
    paths, seed = risk.get("paths", "?"), risk.get("seed", "?")
    parts = [f"<h3>Cost per portfolio ({esc(paths)} paths, seed {esc(seed)}; cost = spend + "
             "value of unmet demand; present values at the start, docs/reference.md §13)</h3>",
             table(["portfolio", "mean ± s.e.", "p50", "VaR 95% (p95)", "CVaR 95%", "p99",
                    "mean, present value", "CVaR 95%, present value", "mean unmet GPU-h", "P(unmet)"], rows)]
    rofr = risk.get("rofr")
    if isinstance(rofr, dict):
        def with_se(key):
            v, se = number(rofr.get(key)), number(rofr.get("se_" + key))
            return usd(v) + ("" if math.isnan(se) else f" ± {usd(se)}")
        mp = rofr.get("match_probability")
        parts += [f"<h3>Right of first refusal of {esc(rofr.get('holder', '?'))} "
                  f"({esc(rofr.get('contracts_offered', '?'))} contracts offered, match probability "
                  f"{esc('as match_pct' if mp is None else mp)}; against the portfolio no_rofr, path by path)</h3>",
                  table(["measure", "nominal", "present value"],
                        [["value to the holder", with_se("value_to_holder_usd"), with_se("npv_value_to_holder_usd")],
                         ["cost to the buyer", with_se("cost_to_buyer_usd"), with_se("npv_cost_to_buyer_usd")]])]
    hhi = risk.get("hhi_spend")
    if isinstance(hhi, dict):
        parts.append(f"<p>HHI of the contracted portfolio's spend over paths: mean "
                     f"{esc(plain(number(hhi.get('mean'))))}, p95 "
                     f"{esc(plain(number(hhi.get('p95'))))} (0–10000).</p>")
    lev = risk.get("leverage")
    if isinstance(lev, dict) and lev:
        def cell(v):
            return price(v, missing="none")
        lrows = [[pid, cell(number(p.get("seller_floor_usd_per_gpu_hour"))),
                  cell(number(p.get("contract_price_usd_per_gpu_hour"))),
                  cell(number(p.get("nash_price_usd_per_gpu_hour"))),
                  cell(number(p.get("batna_usd_per_gpu_hour"))),
                  usd(number(get(risk, "lock_in", pid, "exit_cost_usd"))),
                  usd(number(get(risk, "lock_in", pid, "cost_of_lock_in_usd")))]
                 for pid, p in lev.items()]
        parts += ["<h3>Leverage and lock-in per provider (prices per H100-eq GPU-hour)</h3>",
                  table(["provider", "seller floor", "contract price", "Nash price", "BATNA",
                         "exit cost", "cost of lock-in"], lrows)]
    sources = get(risk, "sensitivity", "sources")
    if isinstance(sources, list) and sources:
        srows = []
        for s in sources:
            se = number(s.get("se_mean_delta_usd"))
            srows.append([s["source"],
                          usd(number(s.get("mean_delta_usd")))
                          + ("" if math.isnan(se) else f" ± {usd(se)}"),
                          usd(number(s.get("p95_delta_usd"))),
                          usd(number(s.get("cvar95_delta_usd")))])
        parts += ["<h3>Sensitivity of the contracted portfolio's cost: all sources on minus "
                  "one source off, same paths (USD)</h3>",
                  table(["source", "mean Δ ± s.e.", "p95 Δ", "CVaR 95% Δ"], srows)]
    elif isinstance(sources, list):
        parts.append("<p>Sensitivity: risk.json's sensitivity block lists no source of "
                     "uncertainty (nothing in this run is sampled), so no tornado is drawn.</p>")
    return "\n".join(parts)


def sweep_tables(sweep, metric):
    from figures import metric_unit
    _unit, fmt = metric_unit(metric)
    rows = sweep["rows"]
    ok = [r for r in rows if r["ok"] and r["metrics"].get(metric) is not None]
    failed = [r for r in rows if not r["ok"]]
    summary = [["variants", str(len(rows))], ["ok", str(sum(r["ok"] for r in rows))],
               ["failed", (str(len(failed)), "bad") if failed else "0"]]
    if ok:
        lo = min(ok, key=lambda r: r["metrics"][metric])
        hi = max(ok, key=lambda r: r["metrics"][metric])
        summary += [[f"lowest {metric}", f"{fmt(lo['metrics'][metric])} ({lo['variant']})"],
                    [f"highest {metric}", f"{fmt(hi['metrics'][metric])} ({hi['variant']})"]]
    parts = ["<h3>Variants</h3>", table(["measure", "value"], summary)]
    limit = 200
    shown = rows[:limit]
    metrics = sweep["metrics"]
    text = sweep["text_metrics"]
    header = ["variant"] + sweep["params"] + metrics + ["status"]
    body = []
    for r in shown:
        cells = [r["variant"]] + [r["params"][p] for p in sweep["params"]]
        for m in metrics:
            v = r["metrics"].get(m)
            cells.append("" if v is None else clip(v) if m in text else metric_unit(m)[1](v))
        cells.append(("failed: " + r["error"], "bad") if not r["ok"] else "ok")
        body.append(cells)
    title = "All variants" if len(rows) <= limit else f"First {limit} of {len(rows)} variants"
    first = 1 + len(sweep["params"])
    parts += [f"<h3>{esc(title)}</h3>",
              table(header, body, numeric_cols={first + k for k, m in enumerate(metrics)
                                                if m not in text})]
    return "\n".join(parts)


def clip(text, most=80):
    """A text metric's cell as written in sweep.csv, cut to `most` characters: a JSON value
    (a histogram) may run to thousands per variant; sweep.csv has it whole."""
    return text if len(text) <= most else text[:most] + "…"


# ---------- optimize folder ----------

METRIC_TEXT = {"p_unmet": "P(unmet demand) over paths",
               "unmet_gpu_hours.mean": "unmet demand, mean (H100-eq GPU-hours)",
               "cost_usd.mean": "cost, mean",
               "cost_usd.cvar95": "cost, CVaR 95%",
               "npv_cost_usd.mean": "cost, present value, mean",
               "npv_cost_usd.cvar95": "cost, present value, CVaR 95%",
               "hhi_spend.mean": "HHI of spend, mean (0–10000)"}


def opt_metric(name, v):
    """A metric of optimize.json in a table cell: USD to 4 digits, P(unmet) as %, HHI plain."""
    if name.startswith("p_"):
        return pct(v)
    if "_usd" in name:
        return usd4(v)
    if name.startswith("hhi"):
        return plain(v)
    return si4(v)


def opt_diff(name, a, b):
    if math.isnan(a) or math.isnan(b):
        return "n/a"
    d = a - b
    if name.startswith("p_"):
        return f"{100 * d:+.1f} pp" if d else "0"
    return ("+" if d > 0 else "") + opt_metric(name, d)


def yes_no(v):
    return "yes" if v else ("no", "bad")


def point_metrics(p):
    m = p.get("metrics") if isinstance(p, dict) else None
    return m if isinstance(m, dict) else {}


def optimize_tables(opt):
    from figures import objective_text, pointer_labels, stage_group, value_text
    doc, rows, pointers = opt["doc"], opt["rows"], opt["pointers"]
    about = doc["optimize"]
    objective = about["objective"]
    constraints = {c["metric"]: number(c["max"]) for c in about.get("constraints") or []}
    variables = {v["pointer"]: v for v in about["variables"]}
    best, base = doc.get("best"), doc.get("base")
    frontier = doc.get("frontier") or []

    # The search: what was asked, how many evaluations each stage took.
    stages = {}
    for r in rows:
        g = stage_group(r["stage"])
        stages[g] = stages.get(g, 0) + 1
    stage_text = ", ".join(f"{g} {n}" for g, n in stages.items()) or "none"
    refused = sum(bool(r["error"]) for r in rows)
    cons_text = "; ".join(f"{m} ≤ {opt_metric(m, v) if not m.startswith('p_') else f'{v:g}'}"
                          for m, v in constraints.items()) or "none"
    spelled = objective_text(objective)
    search = [["objective (minimised)",
               objective + (f" = {spelled}" if spelled != objective else "")],
              ["constraints", cons_text],
              ["variables", str(len(pointers))],
              ["sampled paths per evaluation (the same for all)",
               plain(number(about.get("paths")))],
              ["seed", str(about.get("seed", "?"))],
              ["evaluations", f"{doc.get('evaluations', len(rows))} (search: "
                              f"{doc.get('search_evaluations', '?')} of at most "
                              f"{about.get('max_evaluations', '?')})"],
              ["evaluations per stage", stage_text],
              ["feasible evaluations", f"{sum(r['feasible'] for r in rows)} of {len(rows)}"],
              ["refused evaluations", (str(refused), "bad") if refused else "0"],
              ["a feasible point found",
               yes_no(doc.get("feasible", bool(best and best.get("feasible"))))],
              ["stopped by a signal before the end",
               ("yes", "bad") if doc.get("stopped") else "no"]]
    parts = ["<h3>The search</h3>", table(["measure", "value"], search)]

    # The best point beside the base scenario as written.
    if not isinstance(best, dict):
        parts.append("<p>No best point: the search was stopped before any evaluation.</p>")
        return "\n".join(parts)
    cols = [("best", best)] + ([("base", base)] if isinstance(base, dict) else [])
    header = ["", f"best point (evaluation {best['evaluation']})"]
    if isinstance(base, dict):
        header += [f"base scenario as written (evaluation {base['evaluation']})", "best − base"]
    body = []
    for ptr in pointers:
        v = variables[ptr]
        rng = f"{value_text(ptr, number(v.get('min')))} to {value_text(ptr, number(v.get('max')))}"
        row = [f"{ptr} ({rng}{', whole numbers' if v.get('integer') else ''})"]
        for _n, p in cols:
            row.append(value_text(ptr, number((p.get("values") or {}).get(ptr))))
        if len(cols) == 2:
            a, b = (number((p.get("values") or {}).get(ptr)) for _n, p in cols)
            row.append("n/a" if math.isnan(a) or math.isnan(b) else
                       ("+" if a - b > 0 else "") + value_text(ptr, a - b))
        body.append(row)
    orow = [f"objective: {objective}"]
    for _n, p in cols:
        orow.append(usd4(number(p.get("objective"))) if p.get("error") is None
                    else ("refused: " + p["error"], "bad"))
    if len(cols) == 2:
        orow.append(opt_diff("_usd", number(best.get("objective")), number(base.get("objective"))))
    body.append(orow)
    names = list(OPTIMIZE_METRICS) + [m for p in (best, base) for m in point_metrics(p)
                                      if m not in OPTIMIZE_METRICS]
    for m in dict.fromkeys(names):
        limit = constraints.get(m)
        label = METRIC_TEXT.get(m, m) + (f" — constraint ≤ {opt_metric(m, limit)}"
                                         if limit is not None else "")
        row = [label]
        for _n, p in cols:
            v = number(point_metrics(p).get(m))
            se = number(get(p, "se", m))
            text = opt_metric(m, v) + ("" if math.isnan(se) or math.isnan(v)
                                       else f" ± {opt_metric(m, se)}")
            row.append((text, "bad") if limit is not None and v > limit else text)
        if len(cols) == 2:
            row.append(opt_diff(m, number(point_metrics(best).get(m)),
                                number(point_metrics(base).get(m))))
        body.append(row)
    body.append(["feasible (meets every constraint)"]
                + [yes_no(p.get("feasible")) for _n, p in cols] + ([""] if len(cols) == 2 else []))
    parts += ["<h3>Best point and the base scenario as written (metrics ± one standard error "
              "over paths; cost = spend + value of unmet demand, USD over the horizon)</h3>",
              table(header, body)]
    imp = doc.get("improvement_usd")
    if imp is not None:
        parts.append(f"<p>Improvement over the base scenario as written: "
                     f"<strong>{esc(usd4(imp))}</strong> of {esc(objective)} (base − best "
                     "objective, on the same sampled paths; positive: the best point costs "
                     "less).</p>")
    elif isinstance(base, dict) and base.get("error") is not None:
        parts.append(f"<p>No improvement figure: the base scenario as written was refused "
                     f"({esc(base['error'])}).</p>")
    elif not isinstance(base, dict):
        parts.append("<p>No improvement figure: optimize.json has no base point.</p>")

    # Out of sample: the best point on fresh paths.
    oos = doc.get("out_of_sample")
    if isinstance(oos, dict):
        seed = about.get("seed", "?")
        orows = [[f"objective: {objective}", usd4(number(best.get("objective"))),
                  usd4(number(oos.get("objective")))]]
        for m in dict.fromkeys(list(OPTIMIZE_METRICS) + list(oos["metrics"])):
            limit = constraints.get(m)
            v = number(oos["metrics"].get(m))
            text = opt_metric(m, v)
            orows.append([METRIC_TEXT.get(m, m), opt_metric(m, number(point_metrics(best).get(m))),
                          (text, "bad") if limit is not None and v > limit else text])
        orows.append(["feasible", yes_no(best.get("feasible")), yes_no(oos.get("feasible"))])
        parts += [f"<h3>Out-of-sample check: the best point on fresh paths (seed "
                  f"{esc(oos.get('seed', '?'))})</h3>",
                  table(["", f"in sample (seed {seed})",
                         f"out of sample (seed {oos.get('seed', '?')})"], orows),
                  f"<p>Optimism: <strong>{esc(usd4(number(oos.get('optimism_usd'))))}</strong> "
                  "(out-of-sample − in-sample objective: how much of the optimum's advantage is "
                  "luck of the sample it was chosen on; the in-sample minimum is biased low)."
                  + (f" The in-sample objective's standard error is {esc(usd4(se))}: an optimism "
                     "within about two of them is what sampling alone gives; much more means the "
                     "search fitted the sample's noise (raise paths)."
                     if not math.isnan(se := number(get(best, "se", objective))) else "")
                  + "</p>"]
    elif doc.get("stopped"):
        parts.append("<p>No out-of-sample check: the search was stopped by a signal before the "
                     "end, so the best point is the best so far.</p>")
    else:
        parts.append("<p>No out-of-sample check: the best point was refused (nothing "
                     "evaluated).</p>")

    # The frontier.
    if frontier:
        labels = pointer_labels(pointers)
        frows = []
        for p in sorted(frontier, key=lambda q: q["lambda"]):
            m = point_metrics(p)
            frows.append([f"{p['lambda']:g}", str(p["evaluation"])]
                         + [value_text(ptr, number((p.get("values") or {}).get(ptr)))
                            for ptr in pointers]
                         + ([usd4(number(m.get("cost_usd.mean"))),
                             usd4(number(m.get("cost_usd.cvar95"))),
                             usd4(number(p.get("objective")))] if p.get("error") is None
                            else [("refused: " + p["error"], "bad"), "", ""])
                         + [yes_no(p.get("feasible"))])
        parts += ["<h3>Mean–CVaR frontier: the lowest mean + λ·CVaR 95% of cost for each λ, "
                  "under the same constraints (USD over the horizon)</h3>",
                  table(["λ", "evaluation"] + labels + ["mean cost", "CVaR 95%",
                                                        "mean + λ·CVaR 95%", "feasible"], frows)]
        if labels != pointers:
            parts.append("<p>Columns: " + "; ".join(f"{esc(lab)} = {esc(ptr)}"
                                                    for lab, ptr in zip(labels, pointers)
                                                    if lab != ptr) + ".</p>")
    elif "frontier" in doc:
        parts.append("<p>No frontier point: the search was stopped before the frontier.</p>")
    return "\n".join(parts)


# ---------- the page ----------

def page(title, source, headline_html, figures, notes=(), warnings=()):
    """warnings: one boxed paragraph each, under the title, where a reader sees them before any
    number (inputs that do not belong together)."""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{esc(title)}</title>", f"<style>\n{CSS}\n</style>", "</head>", "<body>",
           f"<h1>{esc(title)}</h1>", f'<p class="source">{esc(source)}</p>']
    for w in warnings:
        out.append(f'<p class="warning"><strong>Warning:</strong> {esc(w)}</p>')
    for n in notes:
        out.append(f"<p>{esc(n)}</p>")
    out += ["<h2>Headline numbers</h2>", headline_html]
    for k, f in enumerate(figures, start=1):
        w, h = f["size"]
        data = base64.b64encode(f["png"]).decode("ascii")
        anchor = f["name"].rsplit(".", 1)[0].replace("_", "-")
        out += [f'<section id="{esc(anchor)}">',
                f"<h2>Figure {k}. {esc(f['title'])}</h2>",
                "<figure>",
                f'<img src="data:image/png;base64,{data}" width="{w}" height="{h}" '
                f'alt="{esc(f["title"])}">',
                f"<figcaption>{esc(f['caption'])} (file: {esc(f['name'])})</figcaption>",
                "</figure>", "</section>"]
    out += [f"<script>\n{SCRIPT}\n</script>", "</body>", "</html>", ""]
    return "\n".join(out)
