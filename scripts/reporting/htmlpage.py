"""The one self-contained HTML5 page of scripts/report: inline CSS, images as
base64 data URIs, no external resource of any kind, no date (same inputs,
same bytes)."""
import base64
import html
import math

from numfmt import pct, plain, price, si, usd
from sources import get, number

CSS = """
body { font-family: sans-serif; margin: 1.5em auto; max-width: 1280px; padding: 0 1em;
       color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.05em; margin: 1em 0 0.3em; }
p.source { color: #555; margin-top: 0; }
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
        ["commitment shortfall", usd(number(tot.get("shortfall_usd")))],
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
    header = ["variant"] + sweep["params"] + metrics + ["status"]
    body = []
    for r in shown:
        cells = [r["variant"]] + [r["params"][p] for p in sweep["params"]]
        for m in metrics:
            v = r["metrics"].get(m)
            cells.append("" if v is None else metric_unit(m)[1](v))
        cells.append(("failed: " + r["error"], "bad") if not r["ok"] else "ok")
        body.append(cells)
    title = "All variants" if len(rows) <= limit else f"First {limit} of {len(rows)} variants"
    parts += [f"<h3>{esc(title)}</h3>",
              table(header, body, numeric_cols=set(range(1 + len(sweep["params"]),
                                                        1 + len(sweep["params"]) + len(metrics))))]
    return "\n".join(parts)


# ---------- the page ----------

def page(title, source, headline_html, figures, notes=()):
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{esc(title)}</title>", f"<style>\n{CSS}\n</style>", "</head>", "<body>",
           f"<h1>{esc(title)}</h1>", f'<p class="source">{esc(source)}</p>']
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
