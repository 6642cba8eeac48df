"""Side-by-side benchmarks; ``python -m benchmarks`` runs every ``*_bench.py`` module here."""
