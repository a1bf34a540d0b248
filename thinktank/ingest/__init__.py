"""Quarterly returns in: refuse hostile files (`sniff`), read sheets (`reader`), normalise
cells (`cells`), validate (`validate`) and store (`submit`)."""
