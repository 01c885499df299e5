"""Data to look at and data to measure with: `flask seed-demo` (demo.py) and `flask seed-bench` (bench.py)."""
