-- TIMESTAMP_LTZ as the print connector shows it (Java's Instant: seconds always, a fraction in
-- 3, 6 or 9 digits) and as text (the SQL form with p fraction digits, in the session's time
-- zone: recorded and run in UTC, the host's only zone).
CREATE TABLE src (s STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1', 'fields.s.length' = '5');
CREATE TABLE sink_t (a TIMESTAMP_LTZ(3), b STRING, c TIMESTAMP(3), d TIMESTAMP_LTZ(3), e STRING) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT CAST(TIMESTAMP '2020-01-02 03:04:05.5' AS TIMESTAMP_LTZ(3)), CAST(CAST(TIMESTAMP '2020-01-02 03:04:05.5' AS TIMESTAMP_LTZ(3)) AS STRING), CAST(CAST(TIMESTAMP '2020-01-02 03:04:05.5' AS TIMESTAMP_LTZ(3)) AS TIMESTAMP(3)), CAST(TIMESTAMP '2020-01-02 03:04:00' AS TIMESTAMP_LTZ(3)), CAST(CAST(TIMESTAMP '2020-01-02 03:04:00' AS TIMESTAMP_LTZ(0)) AS STRING) FROM src
