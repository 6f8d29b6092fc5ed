"""Benchmark harness: a seeded bilingual corpus and a runner comparing ClinicPress with Hugo and Pelican."""
