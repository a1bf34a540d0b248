-- The one definition of a figure, used by validation, the stored figures and series_points
-- alike so that they cannot disagree. A figure suppressed or not available (c, x, z, low) has
-- none. Otherwise it is the value given, else a percentage or a rate per 10,000 worked out from
-- the numerator and denominator, else (a rate given as its numerator only) per 10,000 of the
-- population, which is the whole area's: `population` is its figure for the quarter's
-- financial year (or the latest earlier one), and only the All row is a rate of it. A
-- breakdown group has no population of its own, so its numerator alone is a count, not a rate.
CREATE MACRO figure_value(unit, value, numerator, denominator, status, breakdown, population) AS
    CASE
        WHEN status IN ('c', 'x', 'z', 'low') THEN NULL
        WHEN value IS NOT NULL THEN value
        WHEN unit = 'percent' AND denominator > 0 THEN numerator / denominator * 100
        WHEN unit = 'rate_per_10k' AND denominator > 0 THEN numerator / denominator * 10000
        WHEN unit = 'rate_per_10k' AND denominator IS NULL AND breakdown = 'All' AND population > 0
            THEN numerator / population * 10000
    END;
