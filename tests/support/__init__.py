"""Helpers the test tiers share. A test module imports helpers from here or from a
``*_support`` module beside it, never from another test module or a conftest
(tests/unit/test_suite_layout.py holds the suite to it)."""
