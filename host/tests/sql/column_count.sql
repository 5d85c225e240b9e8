--fail=the query produces 1 column(s) but table 'out' takes 2
CREATE TABLE src (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE out (a INT, b STRING) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM src;
