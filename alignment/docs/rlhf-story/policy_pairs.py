# Pairs from a later policy's answers (InstructGPT's next round of comparisons): for each prompt, the SFT model's
# right answers (labels3/ranked.jsonl) chosen over the policy's wrong ones (labels3-ppo/ranked.jsonl), at most 8 a prompt.
import json, random, sys
sft_ranked, policy_ranked, out = sys.argv[1:4]
right = {}
for r in map(json.loads, open(sft_ranked)):
    right[r['prompt']] = [x for x, f in zip(r['responses'], r['features']) if f['correct']]
rng = random.Random(1337)
pairs = []
for r in map(json.loads, open(policy_ranked)):
    wrong = [x for x, f in zip(r['responses'], r['features']) if not f['correct']]
    cands = [(c, w) for c in dict.fromkeys(right.get(r['prompt'], [])) for w in dict.fromkeys(wrong)]
    rng.shuffle(cands)
    pairs += [{'prompt': r['prompt'], 'chosen': c, 'rejected': w, 'kind': 'policy'} for c, w in cands[:8]]
with open(out, 'w') as f:
    f.writelines(json.dumps(p, ensure_ascii=False) + '\n' for p in pairs)
print(len(pairs), 'pairs about', len({p['prompt'] for p in pairs}), 'prompts')
