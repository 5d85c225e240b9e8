-- How the print connector shows TIMESTAMP and TIME values: Java's LocalDateTime and
-- LocalTime toString (seconds only when not zero, a fraction in 3, 6 or 9
-- digits only when not zero), unlike their CAST to STRING (the SQL form).
CREATE TABLE src (s STRING, t STRING) WITH ('connector' = 'filesystem', 'path' = 'data/times.csv', 'format' = 'csv');
CREATE TABLE out_t (ts TIMESTAMP(3), ts0 TIMESTAMP(0), ts6 TIMESTAMP(6), t TIME(0)) WITH ('connector' = 'print');
INSERT INTO out_t SELECT CAST(s AS TIMESTAMP(3)), CAST(s AS TIMESTAMP(0)), CAST(s AS TIMESTAMP(6)), CAST(t AS TIME(0)) FROM src
