"""Benchmarks: speed, memory and real-time fidelity, each against a baseline run side by side.

`python -m bench [simulator|formats|dashboard|realtime|outage|contention|experiment|plan|all]` (or `make bench`)
prints a table and writes bench/RESULTS.md. Numbers are medians over repeated runs; machines here are noisy, so every
measurement has its baseline measured in the same invocation and the ratio is what to read.
"""
