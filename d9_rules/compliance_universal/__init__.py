"""Prowler compliance frameworks in the universal schema (entry point group prowler.compliance.universal),
generated from metadata/ by tools/generate.py."""
