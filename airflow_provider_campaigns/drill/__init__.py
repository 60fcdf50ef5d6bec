"""The fire drill: read-only checks that a vendor still answers as the client reads it.

Each vendor's facts module declares its facts (``DRILL_FACTS``: each documented check and each guess of
``docs/vendor-contracts.md`` with the probe that tests it), built from the generic pieces here:
:mod:`.facts` (a fact, the core checks), :mod:`.probes` and :mod:`.variants` (the probes), :mod:`.context`
(one connection under drill) and :mod:`.verdicts`; :mod:`.runner` finds a connection's facts through the
registry and judges them. Nothing here stops anything: every request a probe sends is a read (a list, a
status read, a credentials check or a deliberately unauthenticated read).
"""
