"""Speed measurements: the book's code as written against our engine, in one process.

``python -m benchmarks.bench_epoch`` (or ``make bench``) times a training epoch of the
chapter 10 workload; ``--scaling`` adds cost against points and layer width.
"""
