#!/usr/bin/env python3
"""Grades each step of worked age-problem solutions in an `llmforge eval` results file (JSON Lines with
"question", "answer", "response"). Usage: age_steps.py RESULTS.jsonl [more...]. Compact and columns solutions
(the result of each step is the number after its last "="; a columns step ends ", so a - b = c")."""
import json, re, sys
from collections import Counter, defaultdict

REL = [("half my age", "half"), ("a third of my age", "third"), ("twice my age", "twice"),
       ("older than me", "older"), ("younger than me", "younger")]

def problem(q):
    a = int(re.search(r"[Ww]hen I was (\d+)", q).group(1))
    b = int(re.search(r"(?:Now I'm|I am) (\d+)", q).group(1))
    rel = next(name for phrase, name in REL if phrase in q)
    k = int(re.search(r"(\d+) years? (?:older|younger)", q).group(1)) if rel in ("older", "younger") else 0
    then = {"half": a // 2, "third": a // 3, "twice": 2 * a, "older": a + k, "younger": a - k}[rel]
    return a, b, rel, k, then

OPS = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y, "/": lambda x, y: x // y if y else None}
# an equation as written: "x op y = z" (compact) or "x op y: ... so x op y = z" (columns)
EQ = r"(\d+) ([-+*/]) (\d+)(?::[^.]*?so \d+ [-+*/] \d+)? = (\d+)"
SOLUTION = re.compile(r"When I was (\d+), my \w+ was " + EQ + r"\. So .+? is " + EQ + r" years? (older|younger)\. "
                      r"Now I'm (\d+), so .+? is " + EQ + r"\. The answer is (\d+)")

CHECKS = ["form", "copies A", "operation", "step 1 arithmetic", "step 1 value", "gap operands", "step 2 arithmetic",
          "direction", "copies B", "step 3 operation", "step 3 arithmetic", "answer"]

def grade(q, response):
    a, b, rel, k, then = problem(q)
    m = SOLUTION.search(response)
    if not m:
        return {"form": False}
    g = [int(x) if x and x.isdigit() else x for x in m.groups()]
    ra, x1, op1, y1, z1, x2, op2, y2, z2, direction, rb, x3, op3, y3, z3, final = g
    want_op = {"half": ("/", 2), "third": ("/", 3), "twice": ("*", 2), "older": ("+", k), "younger": ("-", k)}[rel]
    r = {"form": True, "copies A": ra == a and x1 == a}
    r["operation"] = (op1, y1) == want_op
    r["step 1 arithmetic"] = OPS[op1](x1, y1) == z1
    r["step 1 value"] = z1 == then
    r["gap operands"] = op2 == "-" and {x2, y2} == {z1, ra} and x2 >= y2
    r["step 2 arithmetic"] = OPS[op2](x2, y2) == z2
    r["direction"] = direction == ("older" if z1 > ra else "younger")
    r["copies B"] = rb == b and x3 == b
    r["step 3 operation"] = op3 == ("+" if direction == "older" else "-") and y3 == z2
    r["step 3 arithmetic"] = OPS[op3](x3, y3) == z3 and final == z3
    r["answer"] = final == b + then - a
    return r

def main(paths):
    for path in paths:
        rows = [json.loads(l) for l in open(path)]
        by_rel = defaultdict(Counter); n_rel = Counter(); first_fail = Counter(); correct = Counter()
        for row in rows:
            rel = problem(row["question"])[2]
            r = grade(row["question"], row["response"])
            n_rel[rel] += 1
            correct[rel] += bool(row.get("correct"))
            for c in CHECKS:
                by_rel[rel][c] += bool(r.get(c))
            first_fail[next((c for c in CHECKS if not r.get(c)), "none")] += 1
        print(f"== {path}: {len(rows)} responses")
        print("check".ljust(20) + "".join(f"{rel:>10}" for rel in n_rel) + f"{'all':>10}")
        for c in CHECKS + ["graded correct"]:
            vals = [(correct[rel] if c == "graded correct" else by_rel[rel][c]) for rel in n_rel]
            print(c.ljust(20) + "".join(f"{v:>5}/{n_rel[rel]:<4}" for v, rel in zip(vals, n_rel)) + f"{sum(vals):>5}/{len(rows):<4}")
        print("first failing check: " + ", ".join(f"{c} {n}" for c, n in first_fail.most_common()))

if __name__ == "__main__":
    main(sys.argv[1:])
