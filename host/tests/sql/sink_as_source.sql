--fail=table 'out': connector 'blackhole' does not support the scan role
CREATE TABLE out (a INT) WITH ('connector' = 'blackhole');
CREATE TABLE o2 (a INT) WITH ('connector' = 'blackhole');
INSERT INTO o2 SELECT a FROM out;
