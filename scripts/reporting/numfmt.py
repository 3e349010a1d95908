"""Number formatting of every plot, page and table of scripts/plot, scripts/report and
headline.py: the one place that says how a dollar amount or a large count is written.

One value (count axes use si with matplotlib's FuncFormatter, which passes a tick position;
money axes use the tick writers below):
  usd(x)    USD with a T/B/M/k suffix and 3 significant digits: "$1.2B", "-$350k"
  si(x)     a count with the same suffixes: "2.5M" (GPUs, GPU-hours, HHI points)
  price(x)  USD per GPU-hour with cents: "$2.00"
Finer text for tables that compare close amounts (4 significant digits):
  usd4(v)   "$22.04M", "-$55.42k"
  si4(v)    "1.236k", "300k"
Tick labels of one money axis, written all together (through replay_plots.TickLabels): the
ticks of an axis are evenly spaced, and their labels must read so ("$102.5B", "$105.0B",
"$107.5B", not usd's "$102B", "$105B", "$108B"): one suffix and one number of decimals for
every tick, the fewest that write each exactly:
  usd_ticks(values, shown)    "$0.0B", "$2.5B", "$5.0B"; "$200M", "$400M"
  price_ticks(values, shown)  USD per unit (GPU-hour, GB), cents at least: "$1.50", "$2.00"
Fixed-unit text for tables:
  usd_b(v)  billions with 2 decimals, "$101.42B" (millions too when that would read $0.0xB)
  mil(v)    millions with 2 decimals, "840.94M"
  pct(v)    a share 0-1 as a percentage with 1 decimal, "70.9%"
  plain(v)  a number with thousands separators, "5,313" (digits=2: "1.88")
None and NaN print "n/a" (price: `missing`).
"""
import math

_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def _scaled(a, digits):
    """(scale, suffix) for |x| = a: the largest suffix that a reaches once rounded to `digits`
    significant digits (999.6e9 with 3 digits is "1T", not "1e+03B")."""
    for scale, suffix in _SUFFIXES:
        if a >= scale * (1 - 0.5 * 10.0 ** -digits):
            return scale, suffix
    return 1.0, ""


def _missing(x):
    return x is None or (isinstance(x, float) and math.isnan(x))


def _usd(x, digits):
    if _missing(x):
        return "n/a"
    sign, a = ("-" if x < 0 else ""), abs(x)
    scale, suffix = _scaled(a, digits)
    return f"{sign}${a / scale:.{digits}g}{suffix}"


def _si(x, digits):
    if _missing(x):
        return "n/a"
    scale, suffix = _scaled(abs(x), digits)
    return f"{x / scale:.{digits}g}{suffix}"


def usd(x, _pos=None):
    return _usd(x, 3)


def si(x, _pos=None):
    return _si(x, 3)


def usd4(v):
    return _usd(v, 4)


def si4(v):
    return _si(v, 4)


def price(x, _pos=None, missing="n/a"):
    return missing if _missing(x) else f"${x:.2f}"


def usd_b(v):
    if _missing(v):
        return "n/a"
    sign = "-" if v < 0 else ""
    text = f"{sign}${abs(v) / 1e9:,.2f}B"
    if 5e4 <= abs(v) < 5e7:  # would read $0.00B or $0.01B: say how much in millions too
        text += f" ({sign}${abs(v) / 1e6:,.1f}M)"
    return text


def mil(v):
    return "n/a" if _missing(v) else f"{v / 1e6:,.2f}M"


def pct(v):
    return "n/a" if _missing(v) else f"{100 * v:.1f}%"


def plain(v, digits=0):
    return "n/a" if _missing(v) else f"{v:,.{digits}f}"


# ---------- tick labels of one axis ----------

TICK_DECIMALS = 6  # the most an axis's labels get (ticks are round numbers well before this)


def _tick_decimals(scaled, least):
    """The fewest decimals, `least` or more, that write every one of `scaled` exactly (up to
    the float error of dividing by a suffix's scale)."""
    tol = 1e-9 * max([abs(v) for v in scaled] + [1.0])
    for d in range(least, TICK_DECIMALS + 1):
        if all(abs(round(v, d) - v) <= tol for v in scaled):
            return d
    return TICK_DECIMALS


def _tick(x, decimals, scale=1.0, suffix=""):
    text = f"{abs(x) / scale:.{decimals}f}"
    sign = "-" if x < 0 and float(text) else ""  # a tick at -0.0 is "$0.0B", not "-$0.0B"
    return f"{sign}${text}{suffix}"


def _shown(values, shown):
    return list(values) if shown is None or len(shown) == 0 else list(shown)


def usd_ticks(values, shown=None):
    """Labels of a USD axis's ticks `values`: the suffix of the largest tick `shown` (those in
    view; default all) and the fewest decimals that write every shown tick exactly, the same
    for all, so that ticks 2.5B apart read 2.5B apart."""
    shown = _shown(values, shown)
    scale, suffix = _scaled(max([abs(v) for v in shown] + [0.0]), 9)
    decimals = _tick_decimals([v / scale for v in shown], 0)
    return [_tick(v, decimals, scale, suffix) for v in values]


def price_ticks(values, shown=None):
    """Labels of a price axis's ticks (USD per GPU-hour): as usd_ticks, without a suffix and
    with cents at least, as price() writes a price."""
    decimals = _tick_decimals(_shown(values, shown), 2)
    return [_tick(v, decimals) for v in values]
