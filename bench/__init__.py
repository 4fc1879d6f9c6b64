"""Benchmarks of the data build and of a first ``make run``, recorded as JSON under results/.

The targets come from the issue (a national build in 60 s and 6 GB; a fresh clone served in five
minutes); they are measured and reported here, never asserted in tests, because they depend on
the machine and on whatever else it is doing at the time.
"""
