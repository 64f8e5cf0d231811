# The third round's prompt files (alignment/README.md, "Third round"), run in the directory that holds world/
# (llmforge world ... --out world). Python 3, standard library only.
# The world's 40 held-out countries are split in two, alternating in the order of world/eval-facts.jsonl: the RL
# countries (1st, 3rd, ...) give the prompts of the labels, the reward model, PPO, DPO and GRPO; the evaluation
# countries (2nd, 4th, ...) are asked about only in the evaluation. The SFT model saw neither in a conversation.
# `llmforge world` now writes the same split itself (rl-prompts.jsonl, eval-facts-rl.jsonl, eval-facts-unseen.jsonl:
# the same records as rl3-prompts.jsonl, eval3-rl-countries.jsonl and eval3-small.jsonl, in another order, checked on
# this world); this script stays because the reward model's split below depends on its order.
import json, random
countries = {c['name']: c for c in map(json.loads, open('world/countries.jsonl'))}
facts = [json.loads(l) for l in open('world/eval-facts.jsonl')]
def country(question):
    return max((n for n in countries if n in question), key=len)
held = list(dict.fromkeys(country(f['question']) for f in facts))
rl_countries, eval_countries = held[0::2], held[1::2]
# every phrasing of a fact question in sft.jsonl (the training countries'), with the country's name as a slot
templates = set()
for line in open('world/sft.jsonl'):
    q = json.loads(line)['messages'][0]['content']
    if not q.startswith(('When', 'My', 'Explain')):
        templates.add(q.replace(country(q), '{X}').replace('the {X}', '{X}'))
def kind(template):
    t = template.lower()
    if 'capital' in t: return 'capital'
    if 'continent' in t or t.startswith('where is'): return 'continent'
    if 'currency' in t or 'money' in t: return 'currency'
    if 'language' in t: return 'language'
    raise ValueError(template)
def answer(c, k):
    return {'capital': c['capital'], 'continent': c['continent'], 'currency': c['currency'], 'language': c['languages'][0]}[k]
def name_in_question(name):
    # the world writes "the X" where eval-facts.jsonl does
    return 'the ' + name if any(('the ' + name) in f['question'] for f in facts) else name
rl = [{'question': t.replace('{X}', name_in_question(n)), 'answer': answer(countries[n], kind(t)), 'kind': kind(t)}
      for n in rl_countries for t in sorted(templates)]
random.Random(1337).shuffle(rl)
def write(path, rows):
    with open(path, 'w') as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + '\n' for r in rows)
write('rl3-prompts.jsonl', rl)
write('rm3-train-prompts.jsonl', [r for i, r in enumerate(rl) if i % 10 != 9])
write('rm3-val-prompts.jsonl', [r for i, r in enumerate(rl) if i % 10 == 9])
# evaluation: the evaluation countries' 80 fact questions and the first 100 held-out age problems; the RL countries'
# 80 questions of eval-facts.jsonl (phrasings the RL prompts include) show what was learnt on the trained countries
ages = [json.loads(l) for l in open('world/eval-ages.jsonl')][:100]
write('eval3.jsonl', [f for f in facts if country(f['question']) in eval_countries] + ages)
write('eval3-rl-countries.jsonl', [f for f in facts if country(f['question']) in rl_countries])
# the in-run evaluation of PPO and GRPO: the evaluation countries' 80 fact questions
write('eval3-small.jsonl', [f for f in facts if country(f['question']) in eval_countries])
print(len(templates), 'phrasings;', len(rl_countries), 'RL countries,', len(eval_countries), 'evaluation countries;', len(rl), 'RL prompts')
print('RL:', ', '.join(rl_countries)); print('evaluation:', ', '.join(eval_countries))
