"""Figures from records: MTTx by group, honest statistics, availability, and the tidy export.

Owns one incident's row (`rows`, plain values, no pandas), the figures per
group (`figures`, pandas), the statistics (`stats`), availability and error
budgets (`availability`), the figures in words (`wording`) and `incidents
export` (`export`). pandas, numpy, scipy and pyarrow are imported here and
only by the modules that need them: importing this package is light.

May import: the vocabulary, `records`, `policy`.
"""
