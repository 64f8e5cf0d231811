# The prompt and evaluation files of alignment/README.md "Measured: RLHF on the story task", run in the directory
# that holds world/ (llmforge world ... --out world). Python 3, standard library only.
# RL prompts for the measurements: every distinct fact question of sft.jsonl (training countries, the world's own
# phrasings) with its answer from countries.jsonl, plus the first 160 training age problems of train-prompts.jsonl;
# shuffled (seed 1337); every 10th line held out for the reward model's held-out accuracy.
import json, random
countries = [json.loads(l) for l in open('world/countries.jsonl')]
train = [c for c in countries if not c['held_out']]
def answer(q):
    c = max((c for c in train if c['name'] in q), key=lambda c: len(c['name']))
    ql = q.lower()
    if 'capital' in ql: return c['capital'], 'capital'
    if 'continent' in ql or ql.startswith('where is'): return c['continent'], 'continent'
    if 'currency' in ql or 'money' in ql: return c['currency'], 'currency'
    if 'language' in ql: return c['languages'][0], 'language'
    raise ValueError(q)
facts = {}
for l in open('world/sft.jsonl'):
    q = json.loads(l)['messages'][0]['content']
    if q.startswith('When') or q.startswith('My') or q.startswith('Explain'):
        continue
    facts[q] = answer(q)
records = [{'question': q, 'answer': a, 'kind': k} for q, (a, k) in sorted(facts.items())]
ages = [json.loads(l) for l in open('world/train-prompts.jsonl') if json.loads(l)['kind'] == 'age'][:160]
records += ages
random.Random(1337).shuffle(records)
with open('rl-prompts.jsonl', 'w') as a, open('rm-train-prompts.jsonl', 'w') as t, open('rm-val-prompts.jsonl', 'w') as v:
    for i, r in enumerate(records):
        line = json.dumps(r, ensure_ascii=False) + '\n'
        a.write(line)
        (v if i % 10 == 9 else t).write(line)
print(len(facts), 'fact questions,', len(ages), 'age problems,', len(records), 'in all')

# The evaluation files: the 160 held-out fact questions and the first 100 held-out age problems (eval-mix.jsonl),
# and PPO's/GRPO's in-run evaluation, every 4th fact line (the capital questions) and every 10th age problem.
lines = open('world/eval-facts.jsonl').read().splitlines() + open('world/eval-ages.jsonl').read().splitlines()[:100]
open('eval-mix.jsonl', 'w').write('\n'.join(lines) + '\n')
small = lines[0:160:4] + lines[160:260:10]
open('eval-small.jsonl', 'w').write('\n'.join(small) + '\n')
