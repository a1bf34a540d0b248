-- The version in force for each agency and quarter is its latest accepted one; earlier
-- versions stay in history.
CREATE VIEW submissions_in_force AS
SELECT s.*
FROM submissions s
WHERE s.version = (
    SELECT max(t.version) FROM submissions t
    WHERE t.agency_id = s.agency_id AND t.period = s.period
);

CREATE VIEW observations_in_force AS
SELECT s.agency_id, o.*
FROM observations o
JOIN submissions_in_force s ON s.id = o.submission_id;
