--fail=table 'r': One or more required options are missing.
CREATE TABLE src (a STRING, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE r (a STRING, b STRING) WITH ('connector' = 'redis');
INSERT INTO r SELECT a, b FROM src;
