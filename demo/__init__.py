"""Fictional data: the demo (`seed_demo`: agencies, one person per role, ten weeks of shootings and
meetings) and the bulk data set for load and speed work (`seed_bulk`). Uses the apps' models and
services; no app imports it."""
