-- Reading JSON values into declared types: a fraction into INT, text into BOOLEAN, a number
-- into STRING (its text as written), a boolean into STRING, text and numbers into DECIMAL.
CREATE TABLE src (i INT, b BOOLEAN, s STRING, t STRING, d DECIMAL(5, 2)) WITH ('connector' = 'filesystem', 'path' = 'data/values.json', 'format' = 'json');
CREATE TABLE sink_t (i INT, b BOOLEAN, s STRING, t STRING, d DECIMAL(5, 2)) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT i, b, s, t, d FROM src
