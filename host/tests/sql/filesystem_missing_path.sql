--fail=table 'f': One or more required options are missing.
CREATE TABLE f (a INT) WITH ('connector' = 'filesystem', 'format' = 'json');
CREATE TABLE out (a INT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM f;
