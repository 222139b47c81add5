"""Printed copies: who may print which audience's packet, how a copy is marked, drawing the PDFs.
Uses meetings.agenda, .cover, .minutes, .models, .access, cases and accounts; never views or tasks."""
