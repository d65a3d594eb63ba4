"""Tests of the timescale engine against the rule catalogue (a package so its module names stay unique)."""
