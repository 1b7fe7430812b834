"""Drafting a report's data from its text: memberships, figures, activities and participants, each with the
passage it rests on and a note of how it was found and how sure the drafter is, for a person to review.

:func:`civicgraph.draft.drafter.draft` reads a text against the organisations and local governments already
recorded; :mod:`civicgraph.draft.render` writes the draft as a ``report.yaml`` the build reads once a person has
reviewed it and removed its ``status: draft``.
"""
