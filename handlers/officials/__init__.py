"""Officers in chat: binding an account, progress, overdue lists, dossiers, reports, submissions.

The flow is ``handlers.officials.flow.OfficialsFlow``; this package's modules import nothing from
the flow, so ``handlers.notices`` can use the notice delivery without an import cycle.
"""
