"""The fire drill: read-only checks that a vendor still answers as the client reads it.

:mod:`.facts` holds the one table of facts (each documented check and each guess of
``docs/vendor-contracts.md``) and the probe that tests it; :mod:`.probes` holds the probes, built
on the vendor modules' own request builders and answer parsers. Nothing here stops anything: every
request a probe sends is a read (a list, a status read, a credentials check or a deliberately
unauthenticated read).
"""
