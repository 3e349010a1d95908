#!/usr/bin/env bash
# scripts/report end to end: reports of (a) a run folder of scenario 01 with risk.json (and
# one whose risk.json is of another scenario input: a warning), (b) the risk.json alone,
# (c) the hand-made sweep fixtures (one with a string and a JSON-valued metric column),
# (d) risk.json of scenario 01 with an uncertainty section, with and without
# `risk --sensitivity`, (e) an optimize folder of the newsvendor fixture with a two-point
# frontier (and its optimize.json); then
#   - every PNG has the PNG signature, and the expected set of files is written;
#   - tornado.png (and its section and table) appears exactly when risk.json has a
#     sensitivity block with sources, its table listing them in the block's order;
#   - a second generation gives byte-identical files (cmp);
#   - the page is well-formed and loads nothing from outside (no http, link, url());
#   - headless Chromium loads every embedded image (the page's own script sets
#     body[data-images-loaded] = loaded/total on `load`), and counts a corrupted one as
#     not loaded (so the check can fail);
#   - bad input exits 2 with one line on stderr naming the file and writes nothing, damaged
#     CSV files of a run folder (cut short, not UTF-8, not finite) too, for scripts/plot as well.
# Needs CLOUDPACT_BIN (the built cloudpact) and python3 with matplotlib.
# Exit 77 (skipped) only when Chromium is not installed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
py=${PYTHON:-/usr/bin/python3}
[ -x "$py" ] || py=python3
bin=${CLOUDPACT_BIN:-}

chrome=""
for c in chromium chromium-browser google-chrome; do
  if command -v "$c" >/dev/null 2>&1; then chrome=$(command -v "$c"); break; fi
done
if [ -z "$chrome" ]; then
  echo "test_report: SKIP: Chromium is not installed (scripts/setup installs Debian's chromium)"
  exit 77
fi

fails=0
pass() { echo "ok    $*"; }
fail() { echo "FAIL  $*"; fails=$((fails + 1)); }

if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "test_report: CLOUDPACT_BIN is not set to the cloudpact executable (got '${bin}')"
  exit 1
fi
if ! "$py" -c 'import matplotlib, numpy' 2>/dev/null; then
  echo "test_report: $py lacks matplotlib/numpy (scripts/setup installs python3-matplotlib)"
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cloudpact-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

report() { scripts/report "$@"; }

# Chromium's DOM after load; prints the data-images-loaded value of <body>.
images_loaded() {
  timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$tmp/chrome-profile" --virtual-time-budget=5000 \
    --dump-dom "file://$1" 2>"$tmp/chrome.err" |
    grep -o 'data-images-loaded="[^"]*"' | head -n 1 | sed 's/.*="\(.*\)"/\1/'
}

png_ok() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }

# Well-formed HTML5 (every non-void element closed in order, doctype first) and
# nothing external: no http(s) or protocol-relative URL, no <link>, no url(), no @import.
page_ok() {
  "$py" - "$1" <<'EOF'
import re, sys
from html.parser import HTMLParser
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
text = open(sys.argv[1], encoding="utf-8").read()
problems = []
if not text.startswith("<!DOCTYPE html>\n"):
    problems.append("no <!DOCTYPE html> first")
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)
        for k, v in attrs:
            if k in ("src", "href") and v and not v.startswith("data:") and not v.startswith("#"):
                problems.append(f"external {k}={v[:60]}")
        if tag == "link":
            problems.append("<link> element")
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()
p = P()
p.feed(text)
p.close()
if p.stack:
    problems.append("unclosed " + ",".join(p.stack))
if re.search(r"url\(|@import|https?://|src=\"//", text):
    problems.append("url(), @import or an http(s) URL in the page")
for tag in ("<html lang=", "<meta charset=\"utf-8\">", "<title>", "<h1>", "<figcaption>", "<table>"):
    if tag not in text:
        problems.append(f"no {tag}")
if problems:
    print("; ".join(problems))
    sys.exit(1)
EOF
}

# check_report NAME OUTDIR EXPECTED_PNGS...: files, PNG signatures, page, Chromium.
check_report() {
  local name=$1 out=$2
  shift 2
  local n=$#
  local f
  for f in "$@" report.html; do
    [ -s "$out/$f" ] || { fail "$name: $f not written"; return; }
  done
  local extra
  extra=$(cd "$out" && ls | grep -v -x -F -e report.html $(printf -- '-e %s ' "$@"))
  [ -z "$extra" ] || fail "$name: unexpected files: $extra"
  local bad=""
  for f in "$@"; do png_ok "$out/$f" || bad="$bad $f"; done
  [ -z "$bad" ] && pass "$name: $n PNGs with the PNG signature" || fail "$name: not PNG:$bad"
  local imgs
  imgs=$(grep -o '<img src="data:image/png;base64,' "$out/report.html" | wc -l)
  [ "$imgs" -eq "$n" ] && pass "$name: $n images embedded as data URIs" \
    || fail "$name: $imgs embedded images, expected $n"
  local why
  why=$(page_ok "$out/report.html") && pass "$name: well-formed HTML5, no external resource" \
    || fail "$name: page: $why"
  local got
  got=$(images_loaded "$out/report.html")
  [ "$got" = "$n/$n" ] && pass "$name: Chromium loaded $got images" \
    || { fail "$name: Chromium images loaded '$got', expected $n/$n"; tail -n 5 "$tmp/chrome.err"; }
}

# no_tornado NAME OUTDIR: no tornado figure (risk.json without a sensitivity block, or with
# one that lists no source).
no_tornado() {
  if [ ! -e "$2/tornado.png" ] && ! grep -q -e 'id="tornado"' -e 'tornado.png' "$2/report.html"; then
    pass "$1: no tornado.png, no tornado section"
  else
    fail "$1: tornado.png or its section written without sources to draw"
  fi
}

# deterministic NAME DIR1 DIR2: same file names, same bytes.
deterministic() {
  local name=$1 a=$2 b=$3 f diff=""
  [ "$(ls "$a")" = "$(ls "$b")" ] || diff="file lists differ"
  for f in "$a"/*; do cmp -s "$f" "$b/$(basename "$f")" || diff="$diff $(basename "$f")"; done
  [ -z "$diff" ] && pass "$name: second generation is byte-identical" \
    || fail "$name: not deterministic:$diff"
}

# ---- (a) run folder of scenario 01, with risk.json ----
run="$tmp/run01"
"$bin" run scenarios/01-one-vendor-vs-two.json --out "$run" >/dev/null \
  && "$bin" risk scenarios/01-one-vendor-vs-two.json --paths 1000 --threads 1 --out "$run" \
     >/dev/null 2>&1 \
  || { echo "test_report: cloudpact run/risk of scenario 01 failed"; exit 1; }
risk_pngs=(cost_quantiles.png leverage.png)
if grep -q '"histogram"' "$run/risk.json"; then
  risk_pngs=(cost_distribution.png "${risk_pngs[@]}")
else
  fail "risk.json has no cost_usd.histogram (built without it?): distribution drawn as quantiles only"
fi
run_pngs=(capacity_vs_demand.png spend_by_provider.png spend_by_item.png unmet.png "${risk_pngs[@]}")

start=$EPOCHREALTIME
if report "$run" >"$tmp/run.out" 2>"$tmp/run.err"; then
  pass "run folder: report written in $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $start }") s"
  check_report "run folder" "$run/report" "${run_pngs[@]}"
  no_tornado "run folder" "$run/report"
  report "$run" --out "$tmp/run01-again" >/dev/null 2>&1
  deterministic "run folder" "$run/report" "$tmp/run01-again"
else
  fail "run folder: report exited $?: $(cat "$tmp/run.err")"
fi

# run and risk keep each other's files in one --out folder (reference §1.2): a risk.json of
# another scenario input beside the replay is reported with a warning on stderr and on the page.
[ ! -s "$tmp/run.err" ] && ! grep -q 'class="warning"' "$run/report/report.html" \
  && pass "run folder: replay and risk.json of one scenario_sha256, no warning" \
  || fail "run folder: a warning although the scenario_sha256 agree: $(cat "$tmp/run.err")"
mixed="$tmp/mixed"
mkdir -p "$mixed" && cp "$run/summary.json" "$run/timeseries.csv" "$run/ledger.csv" "$mixed/"
if "$bin" risk scenarios/01-one-vendor-vs-two.json --paths 200 --threads 1 --out "$mixed" \
     --set /contracts/0/price_usd_per_gpu_hour=9 >/dev/null 2>&1; then
  sha() { "$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["scenario_sha256"][:12])' "$1"; }
  replay_sha=$(sha "$mixed/summary.json") risk_sha=$(sha "$mixed/risk.json")
  if report "$mixed" >/dev/null 2>"$tmp/mixed.err"; then
    [ "$(wc -l <"$tmp/mixed.err")" -eq 1 ] && grep -q -F "$mixed/summary.json" "$tmp/mixed.err" \
      && grep -q -F "$mixed/risk.json" "$tmp/mixed.err" \
      && grep -q 'scenario_sha256 differ' "$tmp/mixed.err" \
      && pass "mixed folder: exit 0, one warning line: $(cat "$tmp/mixed.err")" \
      || fail "mixed folder: expected one warning line naming both files, got: $(cat "$tmp/mixed.err")"
    page="$mixed/report/report.html"
    warning=$(grep -o '<p class="warning">.*</p>' "$page" | head -n 1)
    at=$(grep -n -m 1 'class="warning"' "$page" | cut -d: -f1)
    h2=$(grep -n -m 1 '<h2>' "$page" | cut -d: -f1)
    [ -n "$replay_sha" ] && [ "$replay_sha" != "$risk_sha" ] && [ -n "$at" ] && [ "$at" -lt "$h2" ] \
      && grep -q 'different scenario inputs' <<<"$warning" \
      && grep -q -F "$replay_sha" <<<"$warning" && grep -q -F "$risk_sha" <<<"$warning" \
      && pass "mixed folder: the page warns above the headline numbers ($replay_sha… vs $risk_sha…)" \
      || fail "mixed folder: no warning with both short hashes above the first heading: '$warning'"
    why=$(page_ok "$page") && pass "mixed folder: well-formed HTML5 with the warning" \
      || fail "mixed folder: page: $why"
  else
    fail "mixed folder: report exited $?: $(cat "$tmp/mixed.err")"
  fi
else
  fail "mixed folder: cloudpact risk with --set failed"
fi

# ---- (b) risk.json alone ----
if report "$run/risk.json" --out "$tmp/risk" >/dev/null 2>"$tmp/risk.err"; then
  check_report "risk.json" "$tmp/risk" "${risk_pngs[@]}"
  no_tornado "risk.json" "$tmp/risk"
else
  fail "risk.json: report exited $?: $(cat "$tmp/risk.err")"
fi

# ---- (c) the sweep fixture (4x3 grid of two numeric parameters, one failed variant) ----
fixture=tests/report/fixtures/sweep.csv
if report "$fixture" --out "$tmp/sweep" >/dev/null 2>"$tmp/sweep.err"; then
  check_report "sweep" "$tmp/sweep" sweep.png
  report "$fixture" --out "$tmp/sweep-again" >/dev/null 2>&1
  deterministic "sweep" "$tmp/sweep" "$tmp/sweep-again"
  grep -q 'Heat map of totals.spend_usd' "$tmp/sweep/report.html" \
    && pass "sweep: heat map of the default metric totals.spend_usd" \
    || fail "sweep: no heat map caption for totals.spend_usd"
  grep -q 'No space left on device, retried twice' "$tmp/sweep/report.html" \
    && pass "sweep: failed variant's quoted error shown" || fail "sweep: failed variant's error missing"
else
  fail "sweep: report exited $?: $(cat "$tmp/sweep.err")"
fi
if report "$fixture" --out "$tmp/sweep-cvar" --metric portfolios.contracted.cost_usd.cvar95 \
     >/dev/null 2>&1 && grep -q 'Heat map of portfolios.contracted.cost_usd.cvar95' \
     "$tmp/sweep-cvar/report.html"; then
  pass "sweep: --metric chooses the plotted metric"
else
  fail "sweep: --metric portfolios.contracted.cost_usd.cvar95"
fi

# Money ticks read evenly: the heat map's colour bar ticks every $2.5B here, and every label of
# one axis has the same decimals, the fewest that write each tick exactly ($102.5B, $105.0B;
# not $102B, $105B, $108B). The labels are read from the drawn figure (figures.render spied on).
ticks_fixture=tests/report/fixtures/sweep-ticks.csv
ticks=$("$py" - "$ticks_fixture" <<'PY'
import re, sys
sys.path.insert(0, "scripts/reporting")
import figures, sources
seen = {}
render = figures.render
def spy(fig):
    fig.canvas.draw()
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            lo, hi = sorted(ax.yaxis.get_view_interval())
            eps = 1e-9 * max(abs(lo), abs(hi), 1.0)
            seen["colour bar"] = [(v, t.label1.get_text()) for t, v in
                                  zip(ax.yaxis.get_major_ticks(), ax.yaxis.get_majorticklocs())
                                  if lo - eps <= v <= hi + eps]
    return render(fig)
figures.render = spy
figures.sweep_figure(sources.load_sweep(sys.argv[1]), "totals.spend_usd", "ticks")
SCALE = {"T": 1e12, "B": 1e9, "M": 1e6, "k": 1e3, "": 1.0}
bad = []
for name, labels in seen.items():
    decimals = set()
    for v, text in labels:
        m = re.fullmatch(r"(-?)\$(\d+)(?:\.(\d+))?([TBMk]?)", text)
        if not m:
            bad.append(f"{name}: {text!r} is not a money label")
            continue
        decimals.add(len(m.group(3) or ""))
        x = float(m.group(2) + "." + (m.group(3) or "0")) * SCALE[m.group(4)]
        if abs(x - abs(v)) > 1e-9 * abs(v) or (m.group(1) == "-") != (v < 0):
            bad.append(f"{name}: {text} for a tick at {v:.6g}")
    if len(decimals) > 1:
        bad.append(f"{name}: labels with {sorted(decimals)} decimals")
    if len(labels) < 2:
        bad.append(f"{name}: {len(labels)} tick(s)")
print("; ".join(f"{n} {' '.join(t for _, t in l)}" for n, l in seen.items())
      + (" -- " + "; ".join(bad) if bad else ""))
sys.exit(1 if bad or "colour bar" not in seen else 0)
PY
) && pass "sweep heat map: money ticks exact, same decimals per axis: $ticks" \
  || fail "sweep heat map: money tick labels: $ticks"
if report "$ticks_fixture" --out "$tmp/sweep-ticks" >/dev/null 2>"$tmp/sweep-ticks.err" \
   && report "$ticks_fixture" --out "$tmp/sweep-ticks-again" >/dev/null 2>&1; then
  deterministic "sweep heat map ticks" "$tmp/sweep-ticks" "$tmp/sweep-ticks-again"
else
  fail "sweep heat map ticks: report exited: $(cat "$tmp/sweep-ticks.err")"
fi
# ---- (c2) a sweep with a string and a JSON-valued metric column (§7.3: strings bare, other ----
# JSON values as JSON): accepted, shown as text in the table, never plotted; the headline
# metric is the first numeric column.
textfix=tests/report/fixtures/sweep-text-metrics.csv
if report "$textfix" --out "$tmp/sweep-text" >/dev/null 2>"$tmp/sweep-text.err"; then
  check_report "sweep with text metrics" "$tmp/sweep-text" sweep.png
  page="$tmp/sweep-text/report.html"
  grep -q 'Line plot of portfolios.contracted.cost_usd.mean' "$page" \
    && pass "sweep with text metrics: the first numeric metric column is the headline" \
    || fail "sweep with text metrics: no line plot of portfolios.contracted.cost_usd.mean"
  grep -q '<td>openai-2025-2027</td>' "$page" \
    && grep -q '<td>{&quot;counts&quot;:\[120,80\],&quot;edges_usd&quot;' "$page" \
    && pass "sweep with text metrics: the string and the JSON value are in the table as text" \
    || fail "sweep with text metrics: the scenario or histogram cell is not in the table as text"
else
  fail "sweep with text metrics: report exited $?: $(cat "$tmp/sweep-text.err")"
fi
report "$textfix" --out "$tmp/sweep-text-mean" --metric portfolios.contracted.cost_usd.mean \
  >/dev/null 2>"$tmp/sweep-text.err" \
  && grep -q 'Line plot of portfolios.contracted.cost_usd.mean' "$tmp/sweep-text-mean/report.html" \
  && pass "sweep with text metrics: --metric names the numeric column" \
  || fail "sweep with text metrics: --metric portfolios.contracted.cost_usd.mean: $(cat "$tmp/sweep-text.err")"

# ---- (d) sensitivity: tornado.png when risk.json has a sensitivity block, not otherwise ----
# Scenario 01 has no uncertainty section; this one gives it every kind of source
# (outages:P, zone:ID, prices:P, demand, delivery) and a correlation block.
unc='{"outages": {"default": {"rate_per_year": 4, "duration_hours": {"dist": "lognormal", "median": 10, "sigma": 0.8}}},
 "prices": {"azure": {"model": "gbm", "drift_per_year": 0, "vol_per_year": 0.5}},
 "demand": {"vol_per_year": 0.4},
 "delivery": {"p_on_time": 0.7, "delay_days": {"dist": "lognormal", "median": 5, "sigma": 0.5}},
 "correlation": {"delivery": {"common": 0.9},
   "zones": [{"id": "virginia-grid", "regions": ["aws/us-east-1", "azure/eastus"], "rate_per_year": 3,
              "duration_hours": {"dist": "fixed", "value": 24}}]}}'
sens_pngs=("${risk_pngs[@]}" tornado.png)
if "$bin" risk scenarios/01-one-vendor-vs-two.json --paths 1000 --threads 1 --sensitivity \
     --set "/uncertainty=$unc" --out "$tmp/sens-run" >/dev/null 2>"$tmp/sens-run.err" \
   && "$bin" risk scenarios/01-one-vendor-vs-two.json --paths 1000 --threads 1 \
     --set "/uncertainty=$unc" --out "$tmp/nosens-run" >/dev/null 2>>"$tmp/sens-run.err"; then
  if report "$tmp/sens-run/risk.json" --out "$tmp/sens" >/dev/null 2>"$tmp/sens.err"; then
    check_report "sensitivity" "$tmp/sens" "${sens_pngs[@]}"
    report "$tmp/sens-run/risk.json" --out "$tmp/sens-again" >/dev/null 2>&1
    deterministic "sensitivity" "$tmp/sens" "$tmp/sens-again"
    grep -q '<section id="tornado">' "$tmp/sens/report.html" \
      && grep -q 'Sensitivity: what each source of uncertainty adds' "$tmp/sens/report.html" \
      && pass "sensitivity: tornado figure section with its heading" \
      || fail "sensitivity: no tornado section in report.html"
    # The table lists the block's sources, in the block's order (the figure's top to bottom).
    want=$("$py" -c 'import json, sys
print(" ".join(s["source"] for s in json.load(open(sys.argv[1]))["sensitivity"]["sources"]))' \
      "$tmp/sens-run/risk.json")
    got=$("$py" -c 'import re, sys
t = open(sys.argv[1], encoding="utf-8").read().split("Sensitivity of the contracted")[1]
t = t.split("</table>")[0]
print(" ".join(re.findall(r"<tr><td>([^<]*)</td>", t)))' "$tmp/sens/report.html" 2>/dev/null)
    [ -n "$want" ] && [ "$got" = "$want" ] && pass "sensitivity: sources in the block's order: $got" \
      || fail "sensitivity: table sources '$got', risk.json '$want'"
  else
    fail "sensitivity: report exited $?: $(cat "$tmp/sens.err")"
  fi
  if grep -q '"sensitivity"' "$tmp/nosens-run/risk.json"; then
    fail "no sensitivity: risk without --sensitivity wrote a sensitivity block"
  elif report "$tmp/nosens-run/risk.json" --out "$tmp/nosens" >/dev/null 2>"$tmp/nosens.err"; then
    check_report "no sensitivity" "$tmp/nosens" "${risk_pngs[@]}"
    no_tornado "no sensitivity" "$tmp/nosens"
  else
    fail "no sensitivity: report exited $?: $(cat "$tmp/nosens.err")"
  fi
else
  fail "sensitivity: cloudpact risk of scenario 01 with uncertainty failed: $(head -n 3 "$tmp/sens-run.err")"
fi
# Nothing sampled: risk --sensitivity writes an empty block; no tornado, the page says why.
if "$bin" risk scenarios/01-one-vendor-vs-two.json --paths 100 --threads 1 --sensitivity \
     --out "$tmp/empty-sens-run" >/dev/null 2>&1 \
   && report "$tmp/empty-sens-run/risk.json" --out "$tmp/empty-sens" >/dev/null 2>&1; then
  no_tornado "empty sensitivity block" "$tmp/empty-sens"
  grep -q 'sensitivity block lists no source' "$tmp/empty-sens/report.html" \
    && pass "empty sensitivity block: the page says no source is sampled" \
    || fail "empty sensitivity block: no note in report.html"
else
  fail "empty sensitivity block: risk or report of scenario 01 failed"
fi

# ---- (e) optimize folder: the newsvendor's capacity, a constraint and a frontier ----
# A small search (500 paths, 16 evaluations, 4 more per λ): a few seconds. The base
# scenario (capacity 1000, P(unmet) 0.96) breaks the constraint: hollow markers too.
opt_file="$tmp/nv-optimize.json"
cat >"$opt_file" <<EOF
{ "name": "nv-capacity", "base": "$root/tests/optimize/fixtures/newsvendor.json",
  "variables": [ { "pointer": "/providers/0/regions/0/clusters/0/capacity_gpus", "min": 0, "max": 3000 } ],
  "objective": "cost_usd.mean", "constraints": [ { "metric": "p_unmet", "max": 0.9 } ],
  "paths": 500, "seed": 7, "max_evaluations": 16, "frontier": [0, 1], "frontier_evaluations": 4 }
EOF
"$bin" optimize "$opt_file" --out "$tmp/opt" --threads 1 >/dev/null 2>"$tmp/opt-run.err"
rc=$?
if [ "$rc" -eq 0 ] && [ -s "$tmp/opt/optimize.json" ] && [ -s "$tmp/opt/evaluations.csv" ] \
   && [ -s "$tmp/opt/frontier.csv" ]; then
  start=$EPOCHREALTIME
  if report "$tmp/opt" >/dev/null 2>"$tmp/opt.err"; then
    pass "optimize: report written in $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $start }") s"
    check_report "optimize" "$tmp/opt/report" frontier.png progress.png
    report "$tmp/opt" --out "$tmp/opt-again" >/dev/null 2>&1
    deterministic "optimize" "$tmp/opt/report" "$tmp/opt-again"
    report "$tmp/opt/optimize.json" --out "$tmp/opt-json" >/dev/null 2>&1
    deterministic "optimize (INPUT optimize.json)" "$tmp/opt/report" "$tmp/opt-json"
    page="$tmp/opt/report/report.html"
    # Titled by the file's name (optimize.name), not the file's stem (nv-optimize).
    grep -q '<title>cloudpact optimize report: nv-capacity</title>' "$page" \
      && pass "optimize: the report is titled by the optimize file's name" \
      || fail "optimize: report.html's title is not the optimize file's name: $(grep -o '<title>[^<]*' "$page")"
    grep -q '<section id="frontier">' "$page" && grep -q '<section id="progress">' "$page" \
      && pass "optimize: frontier and progress figure sections" \
      || fail "optimize: no frontier or progress section in report.html"
    grep -q 'Best point and the base scenario as written' "$page" \
      && grep -q 'Improvement over the base scenario as written' "$page" \
      && grep -q 'Out-of-sample check' "$page" && grep -q 'Optimism:' "$page" \
      && grep -q 'Mean–CVaR frontier: the lowest' "$page" \
      && pass "optimize: best vs base, improvement, out-of-sample and frontier tables" \
      || fail "optimize: a table is missing from report.html"
    grep -q 'capacity_gpus p0.r0.c0 = /providers/0/regions/0/clusters/0/capacity_gpus' "$page" \
      && pass "optimize: the frontier table's short variable name is keyed to its pointer" \
      || fail "optimize: no key 'capacity_gpus p0.r0.c0 = /providers/...' in report.html"
    # The frontier's label boxes as figures.py measures them (CLOUDPACT_REPORT_LABEL_BOXES:
    # a line per box and per marker, in pixels of the PNG): no two meet, none covers a marker.
    CLOUDPACT_REPORT_LABEL_BOXES=1 report "$tmp/opt" --out "$tmp/opt-boxes" >/dev/null \
      2>"$tmp/opt-boxes.err"
    boxes=$("$py" - "$tmp/opt-boxes.err" <<'PY'
import sys
boxes, marks = [], []
for line in open(sys.argv[1], encoding="utf-8"):
    f = line.split()
    if f[:2] == ["frontier.png", "label"]:
        boxes.append((tuple(map(float, f[2:6])), " ".join(f[6:])))
    elif f[:2] == ["frontier.png", "marker"]:
        marks.append(tuple(map(float, f[2:4])))
bad = []
for i, ((a0, b0, a1, b1), ta) in enumerate(boxes):
    for (c0, d0, c1, d1), tb in boxes[i + 1:]:
        if a0 < c1 and c0 < a1 and b0 < d1 and d0 < b1:
            bad.append(f"'{ta}' meets '{tb}'")
    for mx, my in marks:
        if a0 - 3 < mx < a1 + 3 and b0 - 3 < my < b1 + 3:
            bad.append(f"'{ta}' covers the marker at {mx:g},{my:g}")
print("; ".join(bad) if bad else f"{len(boxes)} boxes" if boxes else "no label box reported")
PY
)
    case "$boxes" in
      *" boxes") pass "optimize: frontier labels ($boxes) meet no other box and no marker" ;;
      *) fail "optimize: frontier labels: $boxes" ;;
    esac
  else
    fail "optimize: report exited $?: $(cat "$tmp/opt.err")"
  fi
else
  fail "optimize: cloudpact optimize of the newsvendor exited $rc: $(head -n 3 "$tmp/opt-run.err")"
fi

# ---- the Chromium check can fail: a corrupted image is not counted ----
if [ -s "$tmp/sweep/report.html" ]; then
  mkdir -p "$tmp/broken"
  sed 's|data:image/png;base64,iVBOR|data:image/png;base64,AAAAA|' "$tmp/sweep/report.html" \
    >"$tmp/broken/report.html"
  got=$(images_loaded "$tmp/broken/report.html")
  [ "$got" = "0/1" ] && pass "control: a corrupted image counts as not loaded ($got)" \
    || fail "control: corrupted image gave '$got', expected 0/1"
fi

# ---- bad input: exit 2, one line on stderr naming the file, nothing written ----
bad_input() {  # NAME INPUT EXPECTED_IN_MESSAGE [MORE ARGS]
  local name=$1 input=$2 needle=$3 out="$tmp/bad-out"
  shift 3
  rm -rf "$out"
  report "$input" --out "$out" "$@" >"$tmp/bad.out" 2>"$tmp/bad.err"
  local rc=$?
  local lines
  lines=$(wc -l <"$tmp/bad.err")
  if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -F -- "$needle" "$tmp/bad.err" \
     && [ ! -e "$out" ] && [ ! -s "$tmp/bad.out" ]; then
    pass "bad input ($name): exit 2, '$(cat "$tmp/bad.err")'"
  else
    fail "bad input ($name): rc $rc, $lines stderr line(s): $(cat "$tmp/bad.err"), out exists: $([ -e "$out" ] && echo yes || echo no)"
  fi
}
bad_input "missing folder" "$tmp/no-such-folder" "$tmp/no-such-folder"
printf 'id,x,totals.spend_usd\n1,2,3\n' >"$tmp/novariant.csv"
bad_input "CSV without variant" "$tmp/novariant.csv" "$tmp/novariant.csv: no \"variant\" column"
printf 'hello\n' >"$tmp/notes.txt"
bad_input "unrecognised file" "$tmp/notes.txt" "$tmp/notes.txt: unrecognised file"
"$py" -c 'import json, sys
d = json.load(open(sys.argv[1])); d["sensitivity"] = {"portfolio": "contracted", "sources": [{"mean_delta_usd": 1}]}
json.dump(d, open(sys.argv[2], "w"))' "$run/risk.json" "$tmp/badsens.json"
bad_input "sensitivity source without a name" "$tmp/badsens.json" \
  "$tmp/badsens.json: sensitivity.sources[0]: expected an object with a \"source\" name"
mkdir -p "$tmp/partial" && cp "$run/summary.json" "$tmp/partial/"
bad_input "run folder without timeseries.csv" "$tmp/partial" "$tmp/partial/timeseries.csv"
bad_input "unknown --metric" "$fixture" "$fixture: no metric column 'totals.nope'" --metric totals.nope
bad_input "--metric of a text column" "$textfix" \
  "$textfix: --metric scenario: not a numeric column (line 2: 'openai-2025-2027')" --metric scenario
printf 'variant,/x,scenario,status,error\nv1,1,openai-2025-2027,ok,\n' >"$tmp/textonly.csv"
bad_input "sweep without a numeric metric" "$tmp/textonly.csv" \
  "$tmp/textonly.csv: no numeric metric column to plot"
mkdir -p "$tmp/badopt" && printf '{"optimize": {"variables": [\n' >"$tmp/badopt/optimize.json"
[ -s "$tmp/opt/evaluations.csv" ] && cp "$tmp/opt/evaluations.csv" "$tmp/badopt/"
bad_input "optimize.json not JSON" "$tmp/badopt" "$tmp/badopt/optimize.json: not JSON"
bad_input "optimize.json not JSON, named" "$tmp/badopt/optimize.json" \
  "$tmp/badopt/optimize.json: not JSON"
report "$tmp/badopt" >/dev/null 2>&1
[ $? -eq 2 ] && [ ! -e "$tmp/badopt/report" ] \
  && pass "bad input (optimize folder, no --out): exit 2, no report/" \
  || fail "bad input (optimize folder, no --out): report/ created or wrong exit code"
# No --out: the default OUTDIR (INPUT/report) must not appear either.
mkdir -p "$tmp/empty"
report "$tmp/empty" >/dev/null 2>&1
[ $? -eq 2 ] && [ ! -e "$tmp/empty/report" ] && pass "bad input (empty folder): exit 2, no report/" \
  || fail "bad input (empty folder): report/ created or wrong exit code"

# ---- damaged CSV files of a run folder: report and plot exit 2, one line naming the file ----
# and line, nothing written (one strict reader, sources.read_csv, serves both). Each case is a
# copy of run01's replay files with one file damaged as a cut copy or a bad byte would do it.
damaged() {  # NAME FILE: $tmp/dmg-NAME holds run01's replay files, FILE replaced by stdin
  mkdir -p "$tmp/dmg-$1" && cp "$run/summary.json" "$run/timeseries.csv" "$run/ledger.csv" \
    "$tmp/dmg-$1/" && cat >"$tmp/dmg-$1/$2"
}
bad_plot() {  # NAME DIR EXPECTED_IN_MESSAGE: scripts/plot exits 2, one line, no PNG in DIR
  local name=$1 dir=$2 needle=$3
  scripts/plot "$dir" >"$tmp/bad.out" 2>"$tmp/bad.err"
  local rc=$?
  local lines pngs
  lines=$(wc -l <"$tmp/bad.err")
  pngs=$(cd "$dir" && ls -- *.png 2>/dev/null | tr '\n' ' ')
  if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -F -- "$needle" "$tmp/bad.err" \
     && [ -z "$pngs" ] && [ ! -s "$tmp/bad.out" ]; then
    pass "bad plot input ($name): exit 2, '$(cat "$tmp/bad.err")'"
  else
    fail "bad plot input ($name): rc $rc, $lines stderr line(s): $(head -c 300 "$tmp/bad.err"), PNGs: ${pngs:-none}"
  fi
}
ts="$run/timeseries.csv" ledger="$run/ledger.csv"
# (a) ledger.csv cut inside its third line's first field (was: AttributeError traceback).
{ head -n 2 "$ledger"; sed -n 3p "$ledger" | head -c 7; } | damaged ledger-cut ledger.csv
# (b) a byte that is not UTF-8 in timeseries.csv's line 5 (was: UnicodeDecodeError traceback).
{ head -n 4 "$ts"; printf 'caf\xe9'; sed -n 5p "$ts"; tail -n +6 "$ts"; } | damaged ts-utf8 timeseries.csv
# (c) timeseries.csv cut after line 41's fifth field, or at its end without the line break, or
# after a whole line inside an interval (all three were read with zeros for what is missing).
{ head -n 40 "$ts"; sed -n 41p "$ts" | cut -d, -f1-5 | tr -d '\n'; } | damaged ts-cut timeseries.csv
head -n 41 "$ts" | head -c -1 | damaged ts-no-eol timeseries.csv
head -n 42 "$ts" | damaged ts-short-interval timeseries.csv
# (d) numbers that are not finite where one is required (were: read as inf and nan).
sed '10s/,[^,]*$/,1e400/' "$ts" | damaged ts-1e400 timeseries.csv
sed '2s/,[^,]*,\([^,]*\)$/,nan,\1/' "$ledger" | damaged ledger-nan ledger.csv
missing_provider=$(sed -n 43p "$ts" | cut -d, -f2)  # the interval's second row, cut off
for c in "ledger-cut|ledger.csv:3: expected 5 fields, got 1" \
         "ts-utf8|timeseries.csv:5: not UTF-8" \
         "ts-cut|timeseries.csv:41: expected 7 fields, got 5" \
         "ts-no-eol|timeseries.csv:41: cut short" \
         "ts-short-interval|timeseries.csv: provider $missing_provider has no row at" \
         "ts-1e400|timeseries.csv:10: column spend_usd: '1e400' is not a finite number" \
         "ledger-nan|ledger.csv:2: column amount_usd: 'nan' is not a finite number"; do
  name=${c%%|*} needle=${c#*|}
  bad_input "damaged $name" "$tmp/dmg-$name" "$tmp/dmg-$name/$needle"
  bad_plot "damaged $name" "$tmp/dmg-$name" "$tmp/dmg-$name/$needle"
done

# (e) files cut at the end of a line read as shorter ones: held to what summary.json says
# (timeseries.csv reaching the horizon's end, ledger.csv adding up to the spend), and
# evaluations.csv to optimize.json's count (all three were read as complete).
last_interval=$(( $(wc -l <"$ts") - $(grep -c "$(tail -n 1 "$ts" | cut -d, -f1)" "$ts") ))
head -n "$last_interval" "$ts" | damaged ts-cut-interval timeseries.csv
head -n "$(( $(wc -l <"$ledger") - 1 ))" "$ledger" | damaged ledger-cut-line ledger.csv
spend=$("$py" -c 'import json, sys; print(repr(float(json.load(open(sys.argv[1]))["totals"]["spend_usd"])))' "$run/summary.json")
for c in "ts-cut-interval|timeseries.csv: ends with the interval at" \
         "ledger-cut-line|ledger.csv: its amounts add up to"; do
  name=${c%%|*} needle=${c#*|}
  bad_input "damaged $name" "$tmp/dmg-$name" "$tmp/dmg-$name/$needle"
  bad_plot "damaged $name" "$tmp/dmg-$name" "$tmp/dmg-$name/$needle"
done
grep -q -F "not summary.json's totals.spend_usd $spend" "$tmp/bad.err" \
  && pass "damaged ledger-cut-line: the message names summary.json's spend ($spend)" \
  || fail "damaged ledger-cut-line: message '$(cat "$tmp/bad.err")' does not name the spend $spend"
if [ -s "$tmp/opt/evaluations.csv" ]; then
  mkdir -p "$tmp/optcut" && cp "$tmp/opt/optimize.json" "$tmp/optcut/" \
    && head -n 5 "$tmp/opt/evaluations.csv" >"$tmp/optcut/evaluations.csv"
  bad_input "evaluations.csv cut at a line" "$tmp/optcut" \
    "$tmp/optcut/evaluations.csv: 4 evaluation rows, where optimize.json says"
fi
# (f) JSON of the right syntax but not cloudpact's structure, and a bad command line: one line
# each, exit 2 (were: a Python traceback; three lines of argparse usage).
mkdir -p "$tmp/wrongtype" && cp "$run/summary.json" "$run/timeseries.csv" "$run/ledger.csv" "$tmp/wrongtype/"
"$py" -c 'import json, sys
d = json.load(open(sys.argv[1])); d["leverage"] = {"aws": 5}; json.dump(d, open(sys.argv[2], "w"))' \
  "$run/risk.json" "$tmp/wrongtype/risk.json"
bad_input "a leverage entry of another type" "$tmp/wrongtype" "$tmp/wrongtype: not the outputs cloudpact writes"
bad_input "two INPUTs" "$run" "report: unrecognized arguments: extra (see scripts/report --help)" extra
# (g) INPUT with a trailing slash: the same input, the same page.
report "$run/" --out "$tmp/run01-slash" >/dev/null 2>&1
report "$run" --out "$tmp/run01-noslash" >/dev/null 2>&1
deterministic "run folder given as DIR/ and as DIR" "$tmp/run01-noslash" "$tmp/run01-slash"

echo
if [ "$fails" -eq 0 ]; then
  echo "test_report: all checks passed"
  exit 0
fi
echo "test_report: $fails check(s) failed"
exit 1
