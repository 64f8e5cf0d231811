"""Writes tiktoken-vectors.jsonl: adversarial texts, the ids tiktoken (OpenAI's Rust code) gives them, and their decoding.

Usage: python make_tiktoken_vectors.py <folder with r50k_base.tiktoken and cl100k_base.tiktoken> <output file>
Needs tiktoken (made with 0.14.0). Characters are drawn from blocks that Unicode 13 (Java 17) already
classifies as tiktoken's newer Unicode tables do, so the vectors test the pre-tokenizer, not Unicode versions.
"""
import json
import random
import sys

import tiktoken
from tiktoken.load import load_tiktoken_bpe

R50K = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
CL100K = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
SPECIALS = {
    "r50k_base": {"<|endoftext|>": 50256},
    "cl100k_base": {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
                    "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276},
}

POOL = [chr(c) for c in range(0x20, 0x7F)] * 4
POOL += list("\t\n\r\x0b\x0c  \n\n\r\n''''sdmtSDMTllLLvereRE") * 6
POOL += list("\x85\xa0\u1680\u2000\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u180e\u200b\x1c\x1f\x00")
POOL += list("\u017f\u212a\u0130\u0131éßΩжア中文한ـٹ\u0301\u0308\u093f²³½Ⅻ٣۵߁१〇⑴¿¡€£©®ªºµ‐“”…\u200d")
POOL += ["𝟘", "𐍈", "😀", "🇫", "🇷", "🎉", "\ud800", "\udc00", "\udbff"]
RANGES = [(0x00A0, 0x024F), (0x0300, 0x036F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x0600, 0x06FF),
          (0x0900, 0x097F), (0x2000, 0x206F), (0x2200, 0x22FF), (0x2500, 0x257F), (0x3000, 0x303F),
          (0x4E00, 0x9FA5), (0xAC00, 0xD7A3), (0x1F300, 0x1F5FF), (0x1F600, 0x1F64F)]


def random_char(rng):
    if rng.random() < 0.8:
        return rng.choice(POOL)
    low, high = rng.choice(RANGES)
    return chr(rng.randint(low, high))


EDGE_CASES = ["'s", "'S", "'\u017fx", "'LL", "'Ll", "'ve'RE'd'M'T", "'hello", "don't", "I'M here", "'\u212a",
              "a\n  ", "x \n\n  ", "  \tfoo", "\u3000abc", "\u00a0\u00a0x", "123456789", " 1234", "\u0661\u0662\u0663\u0664",
              "hi!\n\n", "hi !\r\n", "  \n  x", "\n\n\n", "   ", "a  ", "\t\t1", "(abc", " (abc", "\ufeffabc", "\x85x",
              "\u2028\u2029", "e\u0301t\u00e9", "\ud83d\ude00a", "\ud800a", "a\udc00", "\udbff\udbff"]


def texts(rng):
    for text in EDGE_CASES:
        yield text, False
    for _ in range(1500):
        yield "".join(random_char(rng) for _ in range(rng.randint(0, 40))), False
    for _ in range(40):  # long pieces exercise the heap-based merge
        alphabet = rng.choice(["ab", "abc", "0123456789", " ", " \n", "\t ", "!?.", "é", "ab1 "])
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(100, 3000))), False
    for special in (False, True):  # special-token text as plain text, then as special tokens
        for _ in range(100):
            parts = ["".join(random_char(rng) for _ in range(rng.randint(0, 12))) for _ in range(4)]
            yield rng.choice(["<|endoftext|>", "<|endofprompt|>", "<|fim_prefix|>"]).join(parts), special


def main():
    folder, output = sys.argv[1], sys.argv[2]
    encodings = {
        "r50k_base": tiktoken.Encoding("r50k_base", pat_str=R50K, special_tokens=SPECIALS["r50k_base"],
                                       mergeable_ranks=load_tiktoken_bpe(folder + "/r50k_base.tiktoken")),
        "cl100k_base": tiktoken.Encoding("cl100k_base", pat_str=CL100K, special_tokens=SPECIALS["cl100k_base"],
                                         mergeable_ranks=load_tiktoken_bpe(folder + "/cl100k_base.tiktoken")),
    }
    with open(output, "w", encoding="ascii") as out:
        for name, encoding in encodings.items():
            rng = random.Random(name)
            for text, special in texts(rng):
                ids = encoding.encode(text, allowed_special="all") if special else encoding.encode_ordinary(text)
                out.write(json.dumps({"encoding": name, "special": special, "text": text, "ids": ids,
                                      "decoded": encoding.decode(ids)}) + "\n")


if __name__ == "__main__":
    main()
