"""Printed copies: how a copy is numbered and marked, drawing the PDFs (who may print which
audience's packet is meetings.access's to say).
Uses meetings.agenda, .cover, .minutes, .models, .access, cases and accounts; never views or tasks."""
