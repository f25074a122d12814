"""Working days under the official calendar (holidays and 调休 swapped working weekends). Flask-free.

The ``chinese_calendar`` package covers years up to the newest State Council notice; the
admin-maintained ``calendar_days`` table overrides and extends it, and anything beyond both falls back
to the weekend rule with the result flagged provisional.
"""
