--fail=unknown function 'FROB'
CREATE TABLE src (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE out (a INT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT FROB(a) FROM src;
