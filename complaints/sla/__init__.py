"""The pledge engine: working time, pledge policies, clocks, and the sweep.

calendar.py (working-time arithmetic, pure Python), china.py (China's holidays and makeup workdays), policy.py (which pledge holds a complaint),
terms.py (what met, missed, void, at risk, overdue, time left and time over mean), clocks.py (the
clocks an action starts, pauses and stops), facts.py (what the workflow's guards need to know),
sweep.py (warnings and breaches that fell due), notices.py (what both hand back to be told).
Nothing here imports the services or the web: the sweep and the clocks return what happened and
`services.pledge_keeping` tells people.
"""
