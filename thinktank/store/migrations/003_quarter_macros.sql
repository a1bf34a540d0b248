-- Quarters as whole numbers, so that SQL can step back a quarter or a year and order a
-- series: a label "2024-25 Q1" is index 2024 * 4 + 0, and each quarter after it adds one.
CREATE MACRO quarter_index(label) AS
    CAST(left(label, 4) AS INTEGER) * 4 + CAST(right(label, 1) AS INTEGER) - 1;

CREATE MACRO quarter_label(quarter) AS
    printf('%d-%02d Q%d', quarter // 4, (quarter // 4 + 1) % 100, quarter % 4 + 1);

-- The last day of the quarter: financial-year quarters end in June, September, December, March.
CREATE MACRO quarter_end(quarter) AS
    CASE quarter % 4
        WHEN 0 THEN make_date(quarter // 4, 6, 30)
        WHEN 1 THEN make_date(quarter // 4, 9, 30)
        WHEN 2 THEN make_date(quarter // 4, 12, 31)
        ELSE make_date(quarter // 4 + 1, 3, 31)
    END;
