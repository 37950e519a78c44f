#!/usr/bin/env python3
"""Writes the generated hostile inputs of Tests/CustodyRobustnessTests/Corpus/.

Small hand-written cases are committed as they are; this writes the ones that are easier to
generate than to type (deep nesting, many aliases, encodings). Expected codes and locations
live in Corpus/expected.tsv. Run from the repository root; the output is deterministic.
"""
import os

root = "Tests/CustodyRobustnessTests/Corpus"


def write(rel, data):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


# YAML
write("yaml/alias-count.yaml", "a: &a x\nb: [" + ", ".join(["*a"] * 1001) + "]\n")
laughs = "l0: &l0 {k: lol}\n"
for i in range(1, 10):
    laughs += f"l{i}: &l{i} {{" + ", ".join(f"k{j}: *l{i-1}" for j in range(10)) + "}\n"
write("yaml/billion-laughs-mappings.yaml", laughs)
write("yaml/self-alias.yaml", "a: &a [1, *a]\n")
write("yaml/deep-flow-mappings.yaml", "{a: " * 10000 + "x" + "}" * 10000 + "\n")
write("yaml/deep-block-sequences.yaml", "- " * 10000 + "x\n")
write("yaml/nul-byte.yaml", b"a: 1\nb: x\x00y\n")
write("yaml/invalid-utf8-middle.yaml", "".join(f"k{i}: value {i}\n" for i in range(1, 201)).encode() + b"k201: caf\xe9\n")
write("yaml/utf16.yaml", "\ufeffa: 1\n".encode("utf-16-le"))
write("yaml/bom-only.yaml", b"\xef\xbb\xbf")
write("yaml/custom-tag.yaml", "a: 1\nb: !python/object:os.system x\n")
write("yaml/two-documents.yaml", "a: 1\n---\nb: 2\n")
write("yaml/undefined-alias.yaml", "a: 1\nb: *nowhere\n")
write("yaml/complex-key.yaml", "a: 1\n? [x, y]\n: 2\n")
write("yaml/unclosed-flow.yaml", "a: [1, 2\nb: 3\n")
write("yaml/truncated-utf8-at-end.yaml", b"a: \xe2\x82")

# Expressions (the fuzz script adds its mode byte in front)
write("expression/deep-lists.txt", "[" * 10000 + "1" + "]" * 10000)
write("expression/deep-lookups.txt", "suppliers[" * 10000 + "supplier" + "]" * 10000 + ".due_diligence == \"passed\"")
write("expression/deep-if.txt", "if(true, " * 10000 + "1" + ", 2)" * 10000 + " > 0")
write("expression/deep-unclosed.txt", "(" * 10000)
write("expression/nul.txt", b"cu_t > 0\x00")
write("expression/huge-literal.txt", "cu_t > 1" + "0" * 100)
write("expression/tiny-literal.txt", "cu_t > 0." + "0" * 100 + "1")
write("expression/long-identifier.txt", "c" * 3990 + " > 0")
write("expression/unterminated-string.txt", "site == \"SM1")

# CSV (receipts.csv of the robustness schema; the fuzz script adds its mode byte)
header = "entry_id,date,pool,cu_t,lines,in_scope,tags,note\n"
write("csv/empty.csv", b"")
write("csv/bom-only.csv", b"\xef\xbb\xbf")
write("csv/blank-lines-only.csv", "\n\r\n\n")
write("csv/utf16le.csv", ("\ufeff" + header).encode("utf-16-le"))
write("csv/nul-in-header.csv", b"entry_id,da\x00te,pool,cu_t\n")
write("csv/unterminated-quote.csv", header + "R-1,2024-01-01,PCL,1.5,,,,\"never closed\nR-2,2024-01-02,MR,2,,,,x\n")
write("csv/stray-quote.csv", header + "R-1,2024-01-01,PCL,1.5,,,,say \"hi\"\n")
write("csv/text-after-quote.csv", header + "R-1,2024-01-01,PCL,\"1.5\"t,,,,\n")
write("csv/duplicate-header.csv", "entry_id,date,pool,cu_t,cu_t\n")
write("csv/empty-header-name.csv", "entry_id,date,,pool,cu_t\n")
write("csv/missing-required-column.csv", "entry_id,date,pool\nR-1,2024-01-01,PCL\n")
write("csv/truncated-utf8-at-end.csv", header.encode() + b"R-1,2024-01-01,PCL,1.5,,,,caf\xc3")
write("csv/header-only-crlf.csv", header.replace("\n", "\r\n"))
write("jsonl/deep-nesting.jsonl", '{"entry_id": "R-1", "note": ' + "[" * 10000 + "]" * 10000 + "}\n")
write("jsonl/not-an-object.jsonl", '{"entry_id": "R-1", "date": "2024-01-01", "pool": "PCL", "cu_t": 1}\n[1, 2]\n')
write("jsonl/duplicate-key.jsonl", '{"entry_id": "R-1", "entry_id": "R-2", "date": "2024-01-01", "pool": "PCL", "cu_t": 1}\n')
