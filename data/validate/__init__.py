"""Checking an LA's own returns before anything is written.

Three layers, each adding findings to one report: files (encoding, delimiter, columns, safe
and well-formed XML, size), fields (types, dates, code sets for the collection year) and records
(episode order and overlaps, chains, keys across tables, another LA's or year's records). Errors
stop an import; warnings load and are listed.
"""
