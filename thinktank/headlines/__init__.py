"""The Performance and Learning Group's quarterly headlines in the Signs of Safety format:
statements drafted from the data (`drafting`), kept, edited, scaled and signed off (`record`),
and the actions they give rise to (`actions`)."""
