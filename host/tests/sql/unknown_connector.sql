--fail=could not find any factory for identifier 'kafka'
CREATE TABLE src (a INT) WITH ('connector' = 'kafka');
CREATE TABLE out (a INT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM src;
