"""retrograd's built-in backends: one generic kernel layer plus a thin module per library.

Each backend module is a retrograd plugin registered through its own entry point in the
``retrograd`` group, exactly as a third-party backend would be.
"""
