# One row per run: the evaluation countries' facts (80) and age problems (100) greedy, the labeler's mean score and
# win rate against SFT, KL to SFT, right where SFT was wrong / wrong where SFT was right with McNemar's exact
# two-sided p, and the RL countries' 80 questions (accuracy, labeler mean). Reads evals/<run>-eval3*.jsonl and
# logs/eval-<run>-eval3*.log (llmforge eval's output). Arguments: run directories, each optionally =label.
import json, math, re, sys
def rows(path):
    return [json.loads(l) for l in open(path)]
def p_text(p):
    return 'p < 0.01' if p < 0.01 else f'p = {p:.2f}'
def mcnemar(b, c):
    n = b + c
    if n == 0: return 1.0
    k = min(b, c)
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n)
sft = rows('evals/sft-eval3.jsonl'); sft_rl = rows('evals/sft-eval3-rl-countries.jsonl')
def line(arg):
    run, _, label = arg.partition('=')
    e = sft if run == 'sft' else rows(f'evals/{run}-eval3.jsonl')
    rl = sft_rl if run == 'sft' else rows(f'evals/{run}-eval3-rl-countries.jsonl')
    facts = [r for r in e if r['kind'] != 'age']; ages = [r for r in e if r['kind'] == 'age']
    sfacts = [r for r in sft if r['kind'] != 'age']
    gained = sum(r['correct'] and not s['correct'] for r, s in zip(facts, sfacts))
    lost = sum(s['correct'] and not r['correct'] for r, s in zip(facts, sfacts))
    rl_g = sum(r['correct'] and not s['correct'] for r, s in zip(rl, sft_rl)); rl_l = sum(s['correct'] and not r['correct'] for r, s in zip(rl, sft_rl))
    log = '' if run == 'sft' else open(f'logs/eval-{run}-eval3.log').read()
    lab = re.search(r'labeler score: mean ([\d.]+)', open(f'logs/eval-{run}-eval3.log' if run != 'sft' else 'logs/eval-sft-eval3.log').read()).group(1)
    rl_lab = re.search(r'labeler score: mean ([\d.]+)', open(f'logs/eval-{run}-eval3-rl-countries.log').read()).group(1)
    win = re.search(r'win rate against \S+: ([\d.]+) \((\d+) wins, (\d+) ties, (\d+) losses', log)
    kl = re.search(r'KL to \S+: ([\d.]+ \+- [\d.]+)', log)
    return (f"| {label or run} | {sum(r['correct'] for r in facts)}/80 | {sum(r['correct'] for r in ages)}/100 | {lab} | "
            + (f"{win.group(1)} ({win.group(2)}/{win.group(3)}/{win.group(4)}) | {kl.group(1).replace('+-', '±')} | {gained} / {lost}, {p_text(mcnemar(gained, lost))} | "
               if win else "— | — | — | ")
            + f"{sum(r['correct'] for r in rl)}/80" + ("" if run == 'sft' else f" ({rl_g} / {rl_l}, {p_text(mcnemar(rl_g, rl_l))})")
            + f" | {rl_lab} |")
print('| run | evaluation countries: facts | age problems | labeler mean (180) | win rate vs SFT (w/t/l) | KL to SFT / response | facts vs SFT: gained / lost | RL countries: facts (gained / lost) | RL countries: labeler mean |')
print('|---|---|---|---|---|---|---|---|---|')
args = sys.argv[1:]
for run in args if any(a.partition('=')[0] == 'sft' for a in args) else ['sft'] + args:
    try:
        print(line(run))
    except FileNotFoundError as ex:
        print('|', run, '| missing', ex.filename, '|')
