"""Demo and test data: factories that seed_demo and the test suite share
(factories.py), and plausible answers for the demo round (answers.py)."""
