"""Answer kinds: one module per shape of answer a question gets.

``factoid``: a short span copied from an article, its sentence cited.
"""
