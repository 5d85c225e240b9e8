--fail=WHERE needs a BOOLEAN condition, found INT
CREATE TABLE src (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE out (a INT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM src WHERE a + 1;
