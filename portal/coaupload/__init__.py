"""COA handovers imported in the browser: upload the CSV, a preview with each row's problems by line, confirm,
see what was opened. The parser is :mod:`portal.casefile.coa_import` (the ``portal import-coa`` command stays).

A room of its own above the case file: it only uses the case file's import.
"""
