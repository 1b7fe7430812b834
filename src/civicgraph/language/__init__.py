"""Reading Polish report text: tokens and sentences, lemmas, names of organisations and local governments,
numbers with their hedges and units.

Nothing here knows about civicgraph's data files: the drafter and the source reader both build on it, so that a
name the drafter matched is a name the build accepts, and a number the drafter read is the number the build reads.
"""
