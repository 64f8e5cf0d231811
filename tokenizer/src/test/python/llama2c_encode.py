"""run.c's encode (karpathy/llama2.c), transcribed to check SentencePieceTokenizerTest's expected ids independently.

Usage: python3 llama2c_encode.py 'Q: hi?' 'a日b'   -- prints each merge (pair, piece id, score) and the ids.
Reads src/test/resources/data/stories260K/tok512.bin: int32 max_token_length, then per token float32 score,
int32 length, bytes. No BOS and no dummy prefix: the text as given (run.c adds both in front of a prompt).
"""
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
data = open(os.path.join(here, '..', 'resources', 'data', 'stories260K', 'tok512.bin'), 'rb').read()
offset, pieces, scores = 4, [], []
for _ in range(512):
    score, length = struct.unpack('<fi', data[offset:offset + 8])
    offset += 8
    pieces.append(data[offset:offset + length])
    scores.append(score)
    offset += length
ids = {}
for i, p in enumerate(pieces):
    ids.setdefault(p, i)


def encode(text):
    tokens = []
    for ch in text:
        utf8 = ch.encode('utf-8')
        tokens += [ids[utf8]] if utf8 in ids else [b + 3 for b in utf8]  # byte fallback: <0x00> is id 3
    while True:
        best, at, merged = -1e10, -1, -1
        for i in range(len(tokens) - 1):
            pair = pieces[tokens[i]] + pieces[tokens[i + 1]]
            if pair in ids and scores[ids[pair]] > best:
                best, at, merged = scores[ids[pair]], i, ids[pair]
        if at < 0:
            return tokens
        print('  merge', pieces[tokens[at]], '+', pieces[tokens[at + 1]], '->', merged, pieces[merged], best)
        tokens[at:at + 2] = [merged]


for text in sys.argv[1:]:
    print(repr(text), encode(text))
