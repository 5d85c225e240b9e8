--fail=table 'src': Unsupported options found for 'datagen'.
CREATE TABLE src (a INT) WITH ('connector' = 'datagen', 'rows-per-sec' = '1');
CREATE TABLE out (a INT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM src;
