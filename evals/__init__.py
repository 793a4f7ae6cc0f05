"""Evaluation of citeqa on benchmarks, above the library: ``citeqa eval`` and the benchmarks import it.

``squad``: SQuAD v1.1 dev with the official scorer, in open, closed and unanswerable settings.
"""
