#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vnet authors
"""Statistics of back-to-back A/B pairs, shared by demo.sh, host-bench.sh and kick-bench.sh.

The machines here drift between fast and slow periods for minutes, so a comparison is only as
good as the agreement of its pairs. For one case, given the A values and the B values of the
same pairs (pair i = a[i], b[i], run back to back), this reports the median of the per-pair
ratios b/a with its min-max, the median and min-max of each side, and whether the case is too
noisy to call: the ratios, or one side's runs, spread more than LIMIT (20 %) around their
median, or there are fewer than 3 complete pairs.

As a module (sys.path.insert the folder, "import pair_stats"): compare(), fmt_spread(),
noise_line(). As a command, for shell scripts:
    pair_stats.py compare --a "1 2 3" --b "2 3 4" [--limit 0.2]   -> one JSON object
    pair_stats.py --self-test
"""

import json
import statistics
import sys

LIMIT = 0.20
MIN_PAIRS = 3


def spread(values):
    """Median, min, max and relative spread (largest distance from the median, as a fraction
    of it) of the numbers in values that are not None; None when there are none."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    med = statistics.median(v)
    rel = None
    if med:
        rel = max(max(v) / med - 1, 1 - min(v) / med)
    return {"median": med, "min": min(v), "max": max(v), "n": len(v), "spread": rel,
            "values": v}


def compare(a, b, limit=LIMIT, label_a="A", label_b="B"):
    """Summary of pairs (a[i], b[i]): ratio b/a, both sides, noise verdict and its reasons.

    A pair counts when both values are positive numbers. The verdict is "noisy" when fewer
    than MIN_PAIRS pairs are complete, or the ratios or one side's values spread more than
    limit around their median."""
    pairs = [(x, y) for x, y in zip(a, b)
             if x is not None and y is not None and x > 0 and y > 0]
    ratio = spread([y / x for x, y in pairs])
    sa = spread([x for x, _ in pairs])
    sb = spread([y for _, y in pairs])
    reasons = []
    if len(pairs) < MIN_PAIRS:
        reasons.append(f"only {len(pairs)} complete pair(s), too few to see the spread")
    else:
        if ratio["spread"] > limit:
            reasons.append(f"the pair ratios spread {ratio['spread'] * 100:.0f} % around "
                           f"their median")
        for lab, s in ((label_a, sa), (label_b, sb)):
            if s["spread"] is not None and s["spread"] > limit:
                reasons.append(f"{lab} runs spread {s['spread'] * 100:.0f} %")
    return {"pairs": len(pairs), "limit": limit, "ratio": ratio, "a": sa, "b": sb,
            "noisy": bool(reasons), "noise_reasons": reasons}


def fmt_spread(s, fmt="{:.2f}", suffix=""):
    """'median (min-max)' of a spread() result, '-' for None; a single value alone."""
    if s is None:
        return "-"
    med = fmt.format(s["median"]) + suffix
    if s["n"] < 2:
        return med
    return f"{med} ({fmt.format(s['min'])}-{fmt.format(s['max'])})"


def noise_line(case, c, rerun):
    """The plain line a reader sees when case c (a compare() result) is too noisy; None
    when it is not. rerun: the command that repeats this case with more or longer pairs."""
    if not c["noisy"]:
        return None
    return (f"{case}: too noisy to call: {'; '.join(c['noise_reasons'])} (limit "
            f"±{c['limit'] * 100:.0f} %).\n    Rerun it with more, longer pairs, best on an "
            f"idle machine: {rerun}")


def _self_test():
    c = compare([10, 10, 10, 10, 10], [5, 5, 6, 5, 5])
    assert c["pairs"] == 5 and c["ratio"]["median"] == 0.5 and not c["noisy"], c
    c = compare([10, 10, 10], [5, 9, 5])
    assert c["noisy"] and "pair ratios" in c["noise_reasons"][0], c
    # steady ratio, but A itself drifted 3x: still noisy (one side's runs vary)
    c = compare([10, 30, 10], [20, 60, 20], label_a="virtio")
    assert c["ratio"]["spread"] == 0 and c["noisy"], c
    assert any(r.startswith("virtio runs") for r in c["noise_reasons"]), c
    c = compare([10, None, 0], [5, 5, 5])
    assert c["pairs"] == 1 and c["noisy"] and "too few" in c["noise_reasons"][0], c
    assert fmt_spread(spread([1.0, 2.0, 3.0]), suffix="x") == "2.00x (1.00-3.00)"
    assert fmt_spread(None) == "-" and fmt_spread(spread([4.0])) == "4.00"
    assert noise_line("io 64B", compare([1, 1, 1], [1, 1, 1]), "x") is None
    assert "Rerun it" in noise_line("io 64B", compare([1], [1]), "VNET_BENCH_PAIRS=9")
    print("PASS pair_stats")


def main(argv):
    if argv[1:] == ["--self-test"]:
        _self_test()
        return 0
    if len(argv) >= 2 and argv[1] == "compare":
        import argparse
        p = argparse.ArgumentParser(prog="pair_stats.py compare")
        p.add_argument("--a", required=True, help="A values, space-separated; '-' = missing")
        p.add_argument("--b", required=True, help="B values of the same pairs")
        p.add_argument("--limit", type=float, default=LIMIT)
        p.add_argument("--label-a", default="A")
        p.add_argument("--label-b", default="B")
        o = p.parse_args(argv[2:])

        def nums(s):
            return [None if x in ("-", "nan", "") else float(x) for x in s.split()]
        print(json.dumps(compare(nums(o.a), nums(o.b), o.limit, o.label_a, o.label_b)))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
