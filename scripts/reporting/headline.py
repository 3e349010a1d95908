#!/usr/bin/python3
"""Headline table of one replay: scripts/reporting/headline.py DIR|summary.json

Reads summary.json (docs/reference.md §5) and prints, on stdout:
  - per provider: spend ($B) and its present value at the start, share of spend,
    used / available / outage GPU-hours (millions)
  - totals: spend, billed, shortfall, SLA credits, egress ($B), unmet GPU-hours (millions),
    unmet value ($B); present values of spend and unmet value (docs/reference.md §13)
  - concentration: HHI of spend and of capacity (0-10000), effective providers
Exit codes: 0 done, 2 no readable summary.json.
"""
import json
import math
import os
import signal
import sys

from numfmt import mil, pct, plain, usd_b  # this folder is sys.path[0]


def die(msg):
    print(f"headline: {msg}", file=sys.stderr)
    sys.exit(2)


def num(d, key):
    v = d.get(key) if isinstance(d, dict) else None
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan


def table(header, rows, align):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    def line(cells):
        return "  ".join(str(c).ljust(w) if a == "l" else str(c).rjust(w)
                         for c, w, a in zip(cells, widths, align))
    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out)


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stdout if len(argv) == 2 else sys.stderr)
        sys.exit(0 if len(argv) == 2 else 2)
    path = argv[1]
    if os.path.isdir(path):
        path = os.path.join(path, "summary.json")
    try:
        with open(path) as f:
            s = json.load(f)
    except OSError as e:
        die(f"{path}: {e.strerror}")
    except ValueError as e:
        die(f"{path}: not JSON: {e}")
    if not isinstance(s, dict):
        die(f"{path}: not a JSON object")
    # A summary.json: its objects of the right kinds, checked before anything
    # is printed (no half table, no traceback).
    if not isinstance(s.get("totals"), dict):
        die(f"{path}: no \"totals\" object (expected the summary.json of `cloudpact run`)")
    for key in ("providers", "contracts", "concentration"):
        block = s.get(key)
        if block is not None and not isinstance(block, dict):
            die(f"{path}: {key}: not an object (expected the summary.json of `cloudpact run`)")
        if key != "concentration" and isinstance(block, dict):
            for k, v in block.items():
                if not isinstance(v, dict):
                    die(f"{path}: {key}.{k}: not an object (expected the summary.json of `cloudpact run`)")

    name = s.get("scenario", "?")
    print(f"scenario {name}   {s.get('start', '?')} -> {s.get('end', '?')}"
          f"   (cloudpact {s.get('cloudpact_version', '?')})")
    print()

    provs = s.get("providers") or {}
    rows = []
    for pid, p in provs.items():
        rows.append([pid, usd_b(num(p, "spend_usd")), usd_b(num(p, "npv_spend_usd")), pct(num(p, "share_of_spend")),
                     mil(num(p, "used_gpu_hours")), mil(num(p, "available_gpu_hours")),
                     mil(num(p, "outage_gpu_hours"))])
    if rows:
        tot = s.get("totals") or {}
        rows.append(["total", usd_b(num(tot, "spend_usd")), usd_b(num(tot, "npv_spend_usd")),
                     pct(sum(num(p, "share_of_spend") for p in provs.values())),
                     mil(num(tot, "used_gpu_hours")), mil(num(tot, "available_gpu_hours")),
                     mil(sum(num(p, "outage_gpu_hours") for p in provs.values()))])
        print("Providers (GPU-hours in millions of H100-equivalent hours)")
        print(table(["provider", "spend", "spend PV", "share", "used GPU-h", "avail GPU-h", "outage GPU-h"],
                    rows, "lrrrrrr"))
        print()

    tot = s.get("totals") or {}
    trows = [
        ["spend (billed + shortfall - credits + egress)", usd_b(num(tot, "spend_usd"))],
        ["billed", usd_b(num(tot, "billed_usd"))],
        ["shortfall (commitments, yearly minimums)", usd_b(num(tot, "shortfall_usd"))],
        ["SLA credits (subtracted)", usd_b(num(tot, "sla_credits_usd"))],
        ["egress", usd_b(num(tot, "egress_usd"))],
        ["unmet demand (GPU-hours)", mil(num(tot, "unmet_gpu_hours"))],
        ["unmet demand (value, not billed)", usd_b(num(tot, "unmet_value_usd"))],
        ["spend, present value at the start", usd_b(num(tot, "npv_spend_usd"))],
        ["unmet value, present value at the start", usd_b(num(tot, "npv_unmet_value_usd"))],
    ]
    print("Totals")
    print(table(["item", "value"], trows, "lr"))
    print()

    c = s.get("concentration") or {}
    crows = [["HHI of spend (0-10000)", plain(num(c, "hhi_spend"))],
             ["HHI of capacity (0-10000)", plain(num(c, "hhi_capacity"))],
             ["effective providers (1 / sum share^2)", plain(num(c, "effective_providers"), 2)]]
    print("Concentration")
    print(table(["measure", "value"], crows, "lr"))

    contracts = s.get("contracts") or {}
    if contracts:
        print()
        print("Contracts")
        rows = [[cid, usd_b(num(k, "billed_usd")), usd_b(num(k, "shortfall_usd")),
                 usd_b(num(k, "sla_credits_usd")), usd_b(num(k, "commitment_remaining_usd")),
                 usd_b(num(k, "npv_billed_usd"))]
                for cid, k in contracts.items()]
        print(table(["contract", "billed", "shortfall", "SLA credits", "commitment left", "billed PV"],
                    rows, "lrrrrr"))


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends quietly
    main(sys.argv)
