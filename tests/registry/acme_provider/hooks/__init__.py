"""Acme: a fifth vendor defined entirely in the test tree."""
