--fail=available identifiers: blackhole, datagen, filesystem, print, redis
CREATE TABLE src (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE out (a INT, b INT) WITH ('connector' = 'kafka');
INSERT INTO out SELECT a, a FROM src;
