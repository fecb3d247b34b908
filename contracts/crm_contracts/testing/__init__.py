"""Test support shared by every package's tests: real infrastructure, unique names, waiting."""
