--fail=invalid value 'many' for 'parallelism.default': expected a positive integer
SET 'parallelism.default' = 'many';
CREATE TABLE src (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE out (a INT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM src;
