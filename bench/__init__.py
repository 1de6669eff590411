"""Benchmarks of Recall against the loopback Discord emulator.

Each ``bench/<name>.py`` script has a ``main()`` and runs alone with
``python -m bench.<name>``; ``python -m bench`` runs them all.
"""
