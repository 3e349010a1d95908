"""HTML report of cloudpact outputs: scripts/report INPUT [--out OUTDIR] [--metric NAME]

INPUT is one of
  - a run folder (the --out DIR of `cloudpact run`: summary.json, timeseries.csv,
    ledger.csv; with risk.json too when `cloudpact risk` wrote into the same folder,
    and a warning, on stderr and on the page, when the two files' scenario_sha256
    differ);
  - a risk.json (or a folder holding only risk.json);
  - a sweep.csv (or a sweep folder holding sweep.csv);
  - an optimize folder (the --out DIR of `cloudpact optimize`: optimize.json,
    evaluations.csv, and frontier.csv with a frontier), or its optimize.json.

Writes PNG figures and one self-contained report.html (figures embedded as
base64 data URIs, no external resources) into OUTDIR (default: INPUT/report/,
or report/ beside an INPUT file), each file atomically (temporary file, then
rename). Same inputs give byte-identical outputs. Prints the paths written.

Figures: run folder -> capacity vs demand, spend by provider, spend by billing
item, unmet demand (those of scripts/plot), plus the risk figures when risk.json
is present; risk.json -> cost distribution per portfolio (histogram with VaR 95%
and CVaR 95%), cost quantiles per portfolio, BATNA vs contract vs Nash price, and
with a sensitivity block (`cloudpact risk --sensitivity`) a tornado of what each
source of uncertainty adds to the contracted portfolio's mean cost and CVaR 95%;
sweep.csv -> the headline metric (--metric, default totals.spend_usd, else the
first numeric metric column; a column of strings or JSON values is shown in the
tables, not plotted) over the swept parameters: a line for one numeric
parameter, a heat map for a grid of two, lines or bars per category for
categorical ones, one scatter per parameter for more than two; optimize folder ->
with a frontier, the mean-CVaR frontier (mean cost against CVaR 95% of each
frontier point, joined in λ order and labelled with λ and the variables' values,
with the base scenario and the best point marked; hollow: infeasible), and the
search's progress (the objective of every evaluation by stage, with the best
feasible objective so far); its tables give the best point beside the base
scenario and the improvement, the out-of-sample check and the frontier.

Exit codes: 0 done; 2 bad usage or input (one line on stderr naming the file,
nothing written); 3 an output could not be written.
"""
import argparse
import os
import signal
import sys

from sources import ReportError, classify, write_atomic  # noqa: E402  (sys.path[0] is this folder)


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit 2 (the usage is in --help)."""

    def error(self, message):
        print(f"report: {message} (see scripts/report --help)", file=sys.stderr)
        sys.exit(2)


def parse_args(argv):
    ap = OneLineParser(
        prog="scripts/report", description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="scripts/report INPUT [--out OUTDIR] [--metric NAME]\n"
              "  INPUT: run folder, risk.json, sweep.csv or folder, optimize folder")
    ap.add_argument("input", metavar="INPUT",
                    help="run folder, risk.json, sweep.csv, sweep folder, or optimize folder "
                         "(or its optimize.json)")
    ap.add_argument("--out", metavar="OUTDIR", help="output folder (default: INPUT/report/)")
    ap.add_argument("--metric", metavar="NAME",
                    help="sweep only: numeric metric column to plot (default totals.spend_usd, "
                         "else the first numeric metric column)")
    return ap.parse_args(argv)


def build(args):
    """Reads and renders everything in memory: -> (outdir, [(file name, bytes)], [warning line
    for stderr])."""
    # The page names INPUT as given, normalised ("out/x/" and "out/x" are one
    # input, one page).
    args.input = os.path.normpath(args.input)
    inp, folder = classify(args.input)
    import figures
    import htmlpage

    kind = inp["kind"]
    if args.metric is not None and kind != "sweep":
        raise ReportError(f"{args.input}: --metric applies to sweeps only")
    notes, warnings, page_warnings = [], [], []
    if kind == "run":
        summary, risk = inp["summary"], inp["risk"]
        if inp["mismatch"]:
            line, text = mismatch_warning(folder, *inp["mismatch"])
            warnings.append(line)
            page_warnings.append(text)
        name = summary.get("scenario") or os.path.basename(os.path.normpath(folder))
        figs = figures.replay_figures(folder, name, summary)
        headline = htmlpage.run_tables(summary)
        if risk is not None:
            figs += figures.risk_figures(risk, name)
            headline += "\n" + htmlpage.risk_tables(risk)
        else:
            notes.append("No risk.json in this folder: run `cloudpact risk SCENARIO --out DIR` "
                         "into the same folder for the risk figures.")
        title = f"cloudpact report: {name}"
        version = summary.get("cloudpact_version")
        source = (f"Run folder {args.input} — {summary.get('start', '?')} to "
                  f"{summary.get('end', '?')}" + (f", cloudpact {version}" if version else "")
                  + ("; with risk.json" if risk is not None else "") + ".")
    elif kind == "risk":
        risk = inp["risk"]
        name = risk.get("scenario") or "risk"
        figs = figures.risk_figures(risk, name)
        headline = htmlpage.risk_tables(risk)
        title = f"cloudpact risk report: {name}"
        version = risk.get("cloudpact_version")
        source = (f"risk.json {args.input}" + (f", cloudpact {version}" if version else "")
                  + f", backend {risk.get('backend', '?')}.")
    elif kind == "optimize":
        doc = inp["doc"]
        about = doc["optimize"]
        fname = about.get("file")
        # The file's `name` (optimize.name), else the file's stem, else the
        # folder's: an optimize.json written before it recorded the name.
        name = about.get("name") if isinstance(about.get("name"), str) and about.get("name") else None
        name = name or (os.path.splitext(os.path.basename(fname))[0] if isinstance(fname, str) and fname
                        else os.path.basename(os.path.normpath(folder))) or "optimize"
        figs = figures.optimize_figures(inp, name)
        headline = htmlpage.optimize_tables(inp)
        if doc.get("stopped"):
            notes.append("The search was stopped by a signal (\"stopped\": true): the best point "
                         "is the best so far, with no out-of-sample check"
                         + (" and no frontier." if "frontier" in doc else "."))
        if doc.get("feasible") is False:
            notes.append("No feasible point: every evaluation breaks a constraint (or was "
                         "refused); the best point shown is the one that breaks them least.")
        title = f"cloudpact optimize report: {name}"
        version = about.get("cloudpact_version")
        source = (f"Optimize folder {folder}: {fname or '?'} on the base scenario "
                  f"{about.get('base', '?')}; {len(inp['pointers'])} variable(s), objective "
                  f"{about['objective']}, {about.get('paths', '?')} paths, seed "
                  f"{about.get('seed', '?')}" + (f", cloudpact {version}" if version else "") + ".")
    else:
        sweep = inp
        if not sweep["metrics"]:
            raise ReportError(f"{sweep['path']}: no metric columns (only variant, parameters, "
                              "status, error)")
        metric = sweep_metric(sweep, args.metric)
        name = os.path.basename(os.path.dirname(os.path.abspath(sweep["path"]))) or "sweep"
        figs = [figures.sweep_figure(sweep, metric, name)]
        headline = htmlpage.sweep_tables(sweep, metric)
        title = f"cloudpact sweep report: {name}"
        source = (f"sweep.csv {args.input}: {len(sweep['rows'])} variants over "
                  f"{len(sweep['params'])} parameter(s) ({', '.join(sweep['params']) or 'none'}); "
                  f"headline metric {metric}.")
    page = htmlpage.page(title, source, headline, figs, notes, page_warnings)
    outdir = args.out or os.path.join(folder, "report")
    files = [(f["name"], f["png"]) for f in figs] + [("report.html", page.encode("utf-8"))]
    return outdir, files, warnings


def short_sha(h):
    return h[:12] + "…" if len(h) > 12 else h


def mismatch_warning(folder, replay_sha, risk_sha):
    """(stderr line, page text) for a run folder whose summary.json and risk.json have different
    scenario_sha256: the report is still written (each figure is right about its own file), but
    read together they would describe one scenario by another's numbers."""
    a, b = short_sha(replay_sha), short_sha(risk_sha)
    line = (f"{os.path.join(folder, 'summary.json')} and {os.path.join(folder, 'risk.json')}: "
            f"scenario_sha256 differ ({a} and {b}): the replay and the risk figures are of "
            "different scenario inputs")
    text = (f"the replay figures and tables (summary.json, scenario_sha256 {a}) and the risk "
            f"figures and tables (risk.json, scenario_sha256 {b}) come from different scenario "
            "inputs: `cloudpact run` and `cloudpact risk` wrote into this folder with different "
            "scenario files or --set values, so the risk figures do not describe the replay.")
    return line, text


def sweep_metric(sweep, asked):
    """The sweep's headline metric: `asked` (--metric), which must name a numeric column, else
    totals.spend_usd, else the first numeric metric column. A text column (a string or JSON
    value per variant) cannot be plotted."""
    path, text = sweep["path"], sweep["text_metrics"]
    numeric = [m for m in sweep["metrics"] if m not in text]
    if asked is None:
        if not numeric:
            raise ReportError(f"{path}: no numeric metric column to plot (text columns: "
                              f"{', '.join(text)})")
        return "totals.spend_usd" if "totals.spend_usd" in numeric else numeric[0]
    if asked not in sweep["metrics"]:
        raise ReportError(f"{path}: no metric column {asked!r} (columns: "
                          f"{', '.join(sweep['metrics'])})")
    if asked in text:
        line, cell = text[asked]
        cell = cell if len(cell) <= 40 else cell[:40] + "…"
        raise ReportError(f"{path}: --metric {asked}: not a numeric column (line {line}: "
                          f"{cell!r}); numeric metric columns: {', '.join(numeric) or 'none'}")
    return asked


def main(argv):
    args = parse_args(argv)
    try:
        outdir, files, warnings = build(args)
    except ReportError as e:
        print(f"report: {e}", file=sys.stderr)
        return e.code
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as e:
        # Files of the right names and syntax but not the structure cloudpact
        # writes (a value of another type where the checks did not look): one
        # line, not a traceback.
        print(f"report: {args.input}: not the outputs cloudpact writes ({type(e).__name__}: {e}) "
              "(expected unedited files of cloudpact run, risk, sweep or optimize)", file=sys.stderr)
        return 2
    for w in warnings:
        print(f"report: warning: {w}", file=sys.stderr)
    try:
        os.makedirs(outdir, exist_ok=True)
        written = []
        for name, data in files:  # report.html last: it is complete only when the PNGs are
            path = os.path.join(outdir, name)
            write_atomic(path, data)
            written.append(path)
    except OSError as e:
        print(f"report: cannot write {e.filename or outdir}: {e.strerror}", file=sys.stderr)
        return 3
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main(sys.argv[1:]))
