"""一件事: several list items applied for as one (docs/bundles.md).

A bundle is list data authored and published by legal affairs (``versions``); its form is composed from
the items' forms with shared fields and materials asked once (``composition``); one submission creates
one case per item through the ordinary intake, linked under one bundle case (``flow``). Domain code:
no Flask, never commits.
"""
