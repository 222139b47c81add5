"""Shootings on a map: where each case is, placed on a plain projection and drawn as SVG on the
server (the case map without JavaScript, the agenda packet's cover). Uses cases' models only."""
