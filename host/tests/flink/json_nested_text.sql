-- JSON objects and arrays read into STRING columns: their JSON text as written (members in
-- their order, compact, numbers as written); DECIMAL rounded half up; a missing field NULL.
CREATE TABLE src (o STRING, arr STRING, d DECIMAL(5, 2), big BIGINT, e STRING, n INT) WITH ('connector' = 'filesystem', 'path' = 'data/nested.json', 'format' = 'json');
CREATE TABLE sink_t (o STRING, arr STRING, d DECIMAL(5, 2), big BIGINT, e STRING, n INT) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT * FROM src
