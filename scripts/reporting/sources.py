"""What scripts/report reads: a run folder, a risk.json, or a sweep.csv.

Every reader raises ReportError with one line naming the file; nothing here
writes anything.
"""
import csv
import json
import math
import os

RUN_FILES = ("summary.json", "timeseries.csv", "ledger.csv")
STATUS, ERROR, VARIANT = "status", "error", "variant"


class ReportError(Exception):
    """One line for stderr and the exit code (2 bad input, 3 cannot write)."""

    def __init__(self, msg, code=2):
        super().__init__(msg)
        self.code = code


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise ReportError(f"{path}: {e.strerror}")
    except ValueError as e:
        raise ReportError(f"{path}: not JSON: {e}")
    if not isinstance(doc, dict):
        raise ReportError(f"{path}: not a JSON object")
    return doc


def number(v):
    """A JSON number as float; NaN for null, missing or non-numbers."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return math.nan
    return float(v)


def get(d, *keys):
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


# ---------- risk.json ----------

def check_risk(path, doc):
    ports = doc.get("portfolios")
    if not isinstance(ports, dict) or not ports:
        raise ReportError(f"{path}: no \"portfolios\" object (expected risk.json of `cloudpact risk`)")
    for name, p in ports.items():
        if not isinstance(get(p, "cost_usd"), dict):
            raise ReportError(f"{path}: portfolios.{name}.cost_usd missing")
        hist = get(p, "cost_usd", "histogram")
        if hist is not None:
            edges, counts = get(hist, "edges_usd"), get(hist, "counts")
            if (not isinstance(edges, list) or not isinstance(counts, list)
                    or len(edges) != len(counts) + 1 or not counts
                    or any(math.isnan(number(x)) for x in edges + counts)):
                raise ReportError(f"{path}: portfolios.{name}.cost_usd.histogram: expected "
                                  "edges_usd (bins + 1 numbers) and counts (bins numbers)")
    sens = doc.get("sensitivity")
    if sens is not None:  # `cloudpact risk --sensitivity`
        sources = get(sens, "sources")
        if not isinstance(sources, list):
            raise ReportError(f"{path}: sensitivity: expected an object with a \"sources\" array")
        for k, s in enumerate(sources):
            if not isinstance(s, dict) or not isinstance(s.get("source"), str):
                raise ReportError(f"{path}: sensitivity.sources[{k}]: expected an object with a "
                                  "\"source\" name")
            for key in ("mean_delta_usd", "p95_delta_usd", "cvar95_delta_usd", "se_mean_delta_usd"):
                v = s.get(key)
                if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                    raise ReportError(f"{path}: sensitivity.sources[{k}].{key}: expected a number "
                                      "or null")
    return doc


def load_risk(path):
    return check_risk(path, load_json(path))


# ---------- run folder ----------

def load_run(folder):
    """-> dict(kind='run', dir, summary, risk or None). Timeseries and ledger are read by
    replay_plots.py (the code of scripts/plot) later, raising ReportError too."""
    missing = [f for f in RUN_FILES if not os.path.isfile(os.path.join(folder, f))]
    if missing:
        raise ReportError(f"{os.path.join(folder, missing[0])}: missing (a run folder needs "
                          f"{', '.join(RUN_FILES)}: the --out DIR of `cloudpact run`)")
    summary_path = os.path.join(folder, "summary.json")
    summary = load_json(summary_path)
    if not isinstance(summary.get("totals"), dict):
        raise ReportError(f"{summary_path}: no \"totals\" object (expected summary.json of "
                          "`cloudpact run`)")
    risk_path = os.path.join(folder, "risk.json")
    risk = load_risk(risk_path) if os.path.isfile(risk_path) else None
    return {"kind": "run", "dir": folder, "summary": summary, "risk": risk}


# ---------- sweep.csv ----------

def parse_float(s):
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def load_sweep(path):
    """-> dict(kind='sweep', params [str], metrics [str], rows [dict], numeric {param: bool}).
    Each row: variant, params {name: raw string}, values {param: float|None},
    metrics {name: float|None}, ok (bool), error (str)."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            table = list(csv.reader(f, strict=True))
    except OSError as e:
        raise ReportError(f"{path}: {e.strerror}")
    except (csv.Error, UnicodeDecodeError) as e:
        raise ReportError(f"{path}: not a readable CSV file: {e}")
    if not table or not table[0]:
        raise ReportError(f"{path}: empty (expected sweep.csv with a header row)")
    header = table[0]
    if VARIANT not in header:
        raise ReportError(f"{path}: no \"variant\" column (expected sweep.csv of `cloudpact sweep`; "
                          f"header: {','.join(header)[:120]})")
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise ReportError(f"{path}: column {dup!r} appears twice")
    params = [h for h in header if h.startswith("/")]
    metrics = [h for h in header if h not in params and h not in (VARIANT, STATUS, ERROR)]
    idx = {h: i for i, h in enumerate(header)}
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        if not cells or cells == [""]:
            continue  # a blank line
        if len(cells) != len(header):
            raise ReportError(f"{path}:{line}: {len(cells)} cells, the header has {len(header)}")
        status = cells[idx[STATUS]].strip() if STATUS in idx else "ok"
        if status not in ("ok", "failed"):
            raise ReportError(f"{path}:{line}: status {status!r} (expected ok or failed)")
        row = {"variant": cells[idx[VARIANT]],
               "params": {p: cells[idx[p]] for p in params},
               "ok": status == "ok",
               "error": cells[idx[ERROR]] if ERROR in idx else "",
               "metrics": {}}
        for m in metrics:
            raw = cells[idx[m]].strip()
            v = parse_float(raw) if raw else None
            if raw and v is None and row["ok"]:
                raise ReportError(f"{path}:{line}: column {m}: {raw!r} is not a number")
            row["metrics"][m] = v if row["ok"] else None
        rows.append(row)
    if not rows:
        raise ReportError(f"{path}: no variant rows")
    # A parameter is numeric when every variant's value parses as a number.
    numeric = {p: all(parse_float(r["params"][p]) is not None for r in rows) for p in params}
    for r in rows:
        r["values"] = {p: parse_float(r["params"][p]) if numeric[p] else None for p in params}
    return {"kind": "sweep", "path": path, "params": params, "metrics": metrics,
            "rows": rows, "numeric": numeric}


# ---------- dispatch ----------

def classify(arg):
    """-> (input dict, folder that holds it). Raises ReportError for anything else."""
    path = arg
    if os.path.isdir(path):
        if os.path.isfile(os.path.join(path, "sweep.csv")):
            return load_sweep(os.path.join(path, "sweep.csv")), path
        if any(os.path.isfile(os.path.join(path, f)) for f in RUN_FILES):
            return load_run(path), path
        if os.path.isfile(os.path.join(path, "risk.json")):
            rp = os.path.join(path, "risk.json")
            return {"kind": "risk", "path": rp, "risk": load_risk(rp)}, path
        raise ReportError(f"{path}: holds no summary.json, timeseries.csv, ledger.csv, "
                          "risk.json or sweep.csv")
    if not os.path.exists(path):
        raise ReportError(f"{path}: no such file or directory")
    if not os.path.isfile(path):
        raise ReportError(f"{path}: not a file or directory")
    folder = os.path.dirname(path) or "."
    base = os.path.basename(path)
    if base.lower().endswith(".csv"):
        return load_sweep(path), folder
    if base.lower().endswith(".json"):
        doc = load_json(path)
        if "portfolios" in doc:
            return {"kind": "risk", "path": path, "risk": check_risk(path, doc)}, folder
        if "totals" in doc and base == "summary.json":
            return load_run(folder), folder
        raise ReportError(f"{path}: not a risk.json (no \"portfolios\") nor a run's summary.json")
    raise ReportError(f"{path}: unrecognised file (expected a run folder, risk.json or sweep.csv)")
