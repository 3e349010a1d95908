"""What scripts/report reads: a run folder, a risk.json, a sweep.csv, or an optimize folder.

Every reader raises ReportError with one line naming the file; nothing here
writes anything.
"""
import csv
import io
import json
import math
import os
import re
import tempfile

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
    """-> dict(kind='run', dir, summary, risk or None, mismatch (scenario_mismatch)).
    Timeseries and ledger are read by replay_plots.py (the code of scripts/plot) later,
    raising ReportError too."""
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
    return {"kind": "run", "dir": folder, "summary": summary, "risk": risk,
            "mismatch": scenario_mismatch(summary, risk)}


def scenario_mismatch(summary, risk):
    """(summary.json's, risk.json's) scenario_sha256 when the two files of one folder were made
    from different scenario inputs, else None. run and risk write into one --out folder and
    keep each other's files (docs/reference.md §1.2), so a folder may hold the replay of one
    scenario and the Monte Carlo of another (or of the same file with other --set values).
    None too when either file lacks the hash: there is nothing to compare."""
    if risk is None:
        return None
    a, b = summary.get("scenario_sha256"), risk.get("scenario_sha256")
    return (a, b) if isinstance(a, str) and isinstance(b, str) and a != b else None


# ---------- CSV files ----------

# A cell written as a number: decimal digits with an optional exponent, or nan and inf (which
# float() reads, so that they can be refused by name). float() alone would read "1_000" too.
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(nan|inf|infinity)",
                    re.IGNORECASE)


def number_cell(raw):
    """The float a cell's text writes (nan, inf, and inf for 1e400, included); None when the
    text is not a number at all."""
    raw = raw.strip()
    return float(raw) if NUMBER.fullmatch(raw) else None


def parse_float(s):
    """A finite number, or None (for text, nan and inf alike)."""
    v = number_cell(s)
    return v if v is not None and math.isfinite(v) else None


def finite_cell(path, line, column, raw):
    """A cell that must hold a finite number, as a float; ReportError naming the file, line and
    column otherwise (nan, inf or 1e400 would pass through every sum unnoticed)."""
    v = number_cell(raw)
    if v is None:
        raise ReportError(f"{path}:{line}: column {column}: {raw!r} is not a number")
    if not math.isfinite(v):
        raise ReportError(f"{path}:{line}: column {column}: {raw!r} is not a finite number")
    return v


def decode_utf8(path, data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ReportError(f"{path}:{line}: not UTF-8 (byte 0x{data[e.start]:02x})")


def read_csv(path, expected):
    """The one reader of every CSV file of scripts/report and scripts/plot (sweep.csv,
    evaluations.csv, timeseries.csv, ledger.csv): -> (header, [(line, cells)]), every row with
    as many cells as the header, line its first line in the file; blank lines are skipped.
    Strict, so that a damaged file is an error naming its line rather than rows read short:
    UTF-8 only, CSV quoting checked, no column named twice, and the file must end with a line
    break, as cloudpact writes it (a file cut inside its last number has the right number of
    fields). `expected` names the file in the messages ("sweep.csv")."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ReportError(f"{path}: {e.strerror}")
    text = decode_utf8(path, data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header, rows, next_line = None, [], 1
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1  # a quoted cell may span lines
            if not cells:
                continue  # a blank line
            if header is None:
                header = cells
            elif len(cells) != len(header):
                raise ReportError(f"{path}:{line}: expected {len(header)} fields, got "
                                  f"{len(cells)}")
            else:
                rows.append((line, cells))
    except csv.Error as e:
        raise ReportError(f"{path}:{reader.line_num}: not a readable CSV line: {e}")
    if header is None:
        raise ReportError(f"{path}: empty (expected {expected} with a header row)")
    if not text.endswith("\n"):
        raise ReportError(f"{path}:{text.count(chr(10)) + 1}: cut short (no line break at the "
                          "end of the file)")
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise ReportError(f"{path}: column {dup!r} appears twice")
    return header, rows


# ---------- sweep.csv ----------

def load_sweep(path):
    """-> dict(kind='sweep', params [str], metrics [str], rows [dict], numeric {param: bool},
    text_metrics {metric: (line, cell)}). Each row: line, variant, params {name: raw string},
    values {param: float|None}, metrics {name: float|str|None} (str in a text column),
    ok (bool), error (str)."""
    header, table = read_csv(path, "sweep.csv")
    if VARIANT not in header:
        raise ReportError(f"{path}: no \"variant\" column (expected sweep.csv of `cloudpact sweep`; "
                          f"header: {','.join(header)[:120]})")
    params = [h for h in header if h.startswith("/")]
    metrics = [h for h in header if h not in params and h not in (VARIANT, STATUS, ERROR)]
    idx = {h: i for i, h in enumerate(header)}
    rows = []
    for line, cells in table:
        status = cells[idx[STATUS]].strip() if STATUS in idx else "ok"
        if status not in ("ok", "failed"):
            raise ReportError(f"{path}:{line}: status {status!r} (expected ok or failed)")
        ok = status == "ok"
        rows.append({"line": line, "variant": cells[idx[VARIANT]],
                     "params": {p: cells[idx[p]] for p in params},
                     "ok": ok,
                     "error": cells[idx[ERROR]] if ERROR in idx else "",
                     # The cells' text for now; a failed variant's metrics are not read.
                     "metrics": {m: cells[idx[m]] if ok and cells[idx[m]].strip() else None
                                 for m in metrics}})
    if not rows:
        raise ReportError(f"{path}: no variant rows")
    text_metrics = text_columns(rows)
    for r in rows:
        for m, raw in r["metrics"].items():
            if raw is not None and m not in text_metrics:
                r["metrics"][m] = finite_cell(path, r["line"], m, raw)
    # A parameter is numeric when every variant's value parses as a number.
    numeric = {p: all(parse_float(r["params"][p]) is not None for r in rows) for p in params}
    for r in rows:
        r["values"] = {p: parse_float(r["params"][p]) if numeric[p] else None for p in params}
    return {"kind": "sweep", "path": path, "params": params, "metrics": metrics,
            "rows": rows, "numeric": numeric, "text_metrics": text_metrics}


def text_columns(rows):
    """{metric: (line, cell)} of the metric columns that hold text, with the first cell of each
    that is not a number. A metric may be any dotted path into summary.json or risk.json, and
    sweep.csv writes a string bare and an object or array as JSON (docs/reference.md §7.1,
    §7.3): such a column is shown in the table and never plotted. A column of numbers keeps
    being read strictly: nan, inf or 1e400 there is an error (finite_cell), not text."""
    text = {}
    for r in rows:
        for m, raw in r["metrics"].items():
            if raw is not None and m not in text and number_cell(raw) is None:
                text[m] = (r["line"], raw)
    return text


# ---------- optimize folder ----------

OPTIMIZE_METRICS = ("p_unmet", "unmet_gpu_hours.mean", "cost_usd.mean", "cost_usd.cvar95",
                    "npv_cost_usd.mean", "npv_cost_usd.cvar95", "hhi_spend.mean")
OPTIMIZE_FILES = ("optimize.json", "evaluations.csv")
EVAL_FIXED = ("evaluation", "stage", "objective", "feasible", "error")


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _num_or_null(path, where, v):
    if v is not None and not _is_num(v):
        raise ReportError(f"{path}: {where}: expected a number or null")


def check_point(path, where, p, pointers, lam=False):
    """A point of optimize.json (best, base, a frontier point): evaluation, values, objective,
    metrics and se (or error when refused), feasible; a frontier point has lambda too."""
    if not isinstance(p, dict):
        raise ReportError(f"{path}: {where}: expected an object (a point of the search)")
    ev = p.get("evaluation")
    if isinstance(ev, bool) or not isinstance(ev, int) or ev < 1:
        raise ReportError(f"{path}: {where}.evaluation: expected a positive integer")
    vals = p.get("values")
    if not isinstance(vals, dict):
        raise ReportError(f"{path}: {where}.values: expected an object {{pointer: number}}")
    for ptr in pointers:
        if ptr not in vals:
            raise ReportError(f"{path}: {where}.values: no value for variable {ptr}")
        _num_or_null(path, f"{where}.values[{ptr!r}]", vals[ptr])
    _num_or_null(path, f"{where}.objective", p.get("objective"))
    if not isinstance(p.get("feasible"), bool):
        raise ReportError(f"{path}: {where}.feasible: expected true or false")
    err = p.get("error")
    if err is not None and not isinstance(err, str):
        raise ReportError(f"{path}: {where}.error: expected a string")
    if err is None:  # evaluated: its metrics (se may be absent in older files)
        for key in ("metrics", "se"):
            block = p.get(key)
            if block is None and key == "se":
                continue
            if not isinstance(block, dict):
                raise ReportError(f"{path}: {where}.{key}: expected an object of the metrics")
            for m, v in block.items():
                _num_or_null(path, f"{where}.{key}.{m}", v)
    if lam and not _is_num(p.get("lambda")):
        raise ReportError(f"{path}: {where}.lambda: expected a number")
    return p


def check_optimize(path, doc):
    about = doc.get("optimize")
    if not isinstance(about, dict):
        raise ReportError(f"{path}: no \"optimize\" object (expected optimize.json of "
                          "`cloudpact optimize`)")
    variables = about.get("variables")
    if not isinstance(variables, list) or not variables:
        raise ReportError(f"{path}: optimize.variables: expected a non-empty array")
    pointers = []
    for k, v in enumerate(variables):
        if not isinstance(v, dict) or not isinstance(v.get("pointer"), str) \
                or not v["pointer"].startswith("/"):
            raise ReportError(f"{path}: optimize.variables[{k}]: expected an object with a "
                              "\"pointer\" (a JSON pointer)")
        for key in ("min", "max"):
            _num_or_null(path, f"optimize.variables[{k}].{key}", v.get(key))
        if v["pointer"] in pointers:
            raise ReportError(f"{path}: optimize.variables[{k}]: pointer {v['pointer']} twice")
        pointers.append(v["pointer"])
    if not isinstance(about.get("objective"), str):
        raise ReportError(f"{path}: optimize.objective: expected the objective's name")
    constraints = about.get("constraints", [])
    if not isinstance(constraints, list):
        raise ReportError(f"{path}: optimize.constraints: expected an array")
    for k, c in enumerate(constraints):
        if not isinstance(c, dict) or not isinstance(c.get("metric"), str) \
                or not _is_num(c.get("max")):
            raise ReportError(f"{path}: optimize.constraints[{k}]: expected an object with "
                              "\"metric\" (a name) and \"max\" (a number)")
    if "best" not in doc:
        raise ReportError(f"{path}: no \"best\" (expected optimize.json of `cloudpact optimize`)")
    for key in ("best", "base"):
        if doc.get(key) is not None:
            check_point(path, key, doc[key], pointers)
    for key in ("evaluations", "search_evaluations"):
        v = doc.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
            raise ReportError(f"{path}: {key}: expected a count")
    for key in ("feasible", "stopped"):
        if key in doc and not isinstance(doc[key], bool):
            raise ReportError(f"{path}: {key}: expected true or false")
    _num_or_null(path, "improvement_usd", doc.get("improvement_usd"))
    oos = doc.get("out_of_sample")
    if oos is not None:
        if not isinstance(oos, dict) or not isinstance(oos.get("feasible"), bool) \
                or not isinstance(oos.get("metrics"), dict):
            raise ReportError(f"{path}: out_of_sample: expected null or an object with seed, "
                              "objective, optimism_usd, metrics and feasible")
        for key in ("seed", "objective", "optimism_usd"):
            _num_or_null(path, f"out_of_sample.{key}", oos.get(key))
        for m, v in oos["metrics"].items():
            _num_or_null(path, f"out_of_sample.metrics.{m}", v)
    frontier = doc.get("frontier")
    if frontier is not None:
        if not isinstance(frontier, list):
            raise ReportError(f"{path}: frontier: expected an array of points")
        for k, p in enumerate(frontier):
            check_point(path, f"frontier[{k}]", p, pointers, lam=True)
    return doc


def load_evaluations(path, pointers):
    """evaluations.csv of `cloudpact optimize` -> [row]. Each row: evaluation (int), stage
    (base, global, local, frontier:<λ>), values {pointer: float|None}, objective (float|None),
    metrics {column: float|None}, feasible (bool), error (str)."""
    header, table = read_csv(path, "evaluations.csv")
    missing = [h for h in EVAL_FIXED + tuple(pointers) if h not in header]
    if missing:
        raise ReportError(f"{path}: no {missing[0]!r} column (expected evaluations.csv of "
                          f"`cloudpact optimize`; header: {','.join(header)[:120]})")
    idx = {h: i for i, h in enumerate(header)}
    metric_cols = [h for h in header if h not in EVAL_FIXED and h not in pointers]
    rows, last = [], 0
    for line, cells in table:
        raw_ev = cells[idx["evaluation"]].strip()
        if not raw_ev.isdigit() or int(raw_ev) <= last:
            raise ReportError(f"{path}:{line}: evaluation {raw_ev!r}: expected a number above "
                              f"the previous row's ({last})")
        last = int(raw_ev)
        stage = cells[idx["stage"]].strip()
        lam = stage[len("frontier:"):] if stage.startswith("frontier:") else None
        if stage not in ("base", "global", "local") and (lam is None or parse_float(lam) is None):
            raise ReportError(f"{path}:{line}: stage {stage!r} (expected base, global, local or "
                              "frontier:<λ>)")
        feas = cells[idx["feasible"]].strip()
        if feas not in ("true", "false"):
            raise ReportError(f"{path}:{line}: feasible {feas!r} (expected true or false)")
        error = cells[idx["error"]]

        def num(col):
            raw = cells[idx[col]]
            return finite_cell(path, line, col, raw) if raw.strip() else None

        rows.append({"evaluation": last, "stage": stage,
                     "values": {p: num(p) for p in pointers},
                     "objective": num("objective"),
                     "metrics": {m: num(m) for m in metric_cols},
                     "feasible": feas == "true", "error": error})
    return rows


def load_optimize(json_path, doc=None):
    """-> dict(kind='optimize', path, dir, doc (optimize.json), rows (evaluations.csv),
    pointers (the variables' pointers, in the file's order)). The frontier is read from
    optimize.json (frontier.csv holds the same numbers)."""
    folder = os.path.dirname(json_path) or "."
    doc = check_optimize(json_path, load_json(json_path) if doc is None else doc)
    ev_path = os.path.join(folder, "evaluations.csv")
    if not os.path.isfile(ev_path):
        raise ReportError(f"{ev_path}: missing (an optimize folder holds optimize.json and "
                          "evaluations.csv: the --out DIR of `cloudpact optimize`)")
    about = doc["optimize"]
    pointers = [v["pointer"] for v in about["variables"]]
    rows = load_evaluations(ev_path, pointers)
    # One row per evaluation, numbered from 1: a file cut at the end of a line
    # holds fewer, and the page would pair optimize.json's counts and best
    # point with rows that are not there.
    count = doc.get("evaluations")
    if isinstance(count, int) and not isinstance(count, bool) and \
            (len(rows) != count or (rows and rows[-1]["evaluation"] != count)):
        raise ReportError(f"{ev_path}: {len(rows)} evaluation rows, where optimize.json says "
                          f"{count} evaluations (expected one row each: the file is cut short or "
                          "from another run)")
    return {"kind": "optimize", "path": json_path, "dir": folder, "doc": doc, "rows": rows,
            "pointers": pointers}


# ---------- dispatch ----------

def classify(arg):
    """-> (input dict, folder that holds it). Raises ReportError for anything else."""
    path = arg
    if os.path.isdir(path):
        if os.path.isfile(os.path.join(path, "sweep.csv")):
            return load_sweep(os.path.join(path, "sweep.csv")), path
        if os.path.isfile(os.path.join(path, "optimize.json")):
            return load_optimize(os.path.join(path, "optimize.json")), path
        if any(os.path.isfile(os.path.join(path, f)) for f in RUN_FILES):
            return load_run(path), path
        if os.path.isfile(os.path.join(path, "risk.json")):
            rp = os.path.join(path, "risk.json")
            return {"kind": "risk", "path": rp, "risk": load_risk(rp)}, path
        raise ReportError(f"{path}: holds no summary.json, timeseries.csv, ledger.csv, "
                          "risk.json, sweep.csv or optimize.json")
    if not os.path.exists(path):
        raise ReportError(f"{path}: no such file or directory")
    if not os.path.isfile(path):
        raise ReportError(f"{path}: not a file or directory")
    folder = os.path.dirname(path) or "."
    base = os.path.basename(path)
    beside = os.path.join(folder, "optimize.json")
    if base in ("evaluations.csv", "frontier.csv") and os.path.isfile(beside):
        return load_optimize(beside), folder  # a file of an optimize folder: the folder
    if base.lower().endswith(".csv"):
        return load_sweep(path), folder
    if base.lower().endswith(".json"):
        doc = load_json(path)
        if "portfolios" in doc:
            return {"kind": "risk", "path": path, "risk": check_risk(path, doc)}, folder
        if "totals" in doc and base == "summary.json":
            return load_run(folder), folder
        if "optimize" in doc or base == "optimize.json":
            return load_optimize(path, doc), folder
        raise ReportError(f"{path}: not a risk.json (no \"portfolios\"), a run's summary.json "
                          "nor an optimize.json (no \"optimize\")")
    raise ReportError(f"{path}: unrecognised file (expected a run folder, risk.json, sweep.csv "
                      "or optimize folder)")


# ---------- writing ----------

def write_atomic(path, data):
    """Writes `data` to `path` by a temporary file in its folder, flushed, then renamed over
    it: the file is old or new, never partial. An OSError names `path` (its filename), not
    the temporary."""
    d = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            e.filename = path
        raise
