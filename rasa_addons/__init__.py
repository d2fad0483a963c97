"""Code that runs inside the Rasa server process (the Rasa environment), nothing else.

It may import only Rasa and its dependencies: our own environment's libraries are not there.
"""
