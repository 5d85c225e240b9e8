--fail=table 'dim': a lookup join on a redis table must bind every key column; the join condition does not cover 'b'
CREATE TABLE src (k STRING, p AS PROCTIME()) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE dim (a STRING, b STRING, v STRING, PRIMARY KEY (a, b) NOT ENFORCED) WITH ('connector' = 'redis', 'hostname' = 'h');
CREATE TABLE out (k STRING, v STRING) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT s.k, d.v FROM src AS s JOIN dim FOR SYSTEM_TIME AS OF s.p AS d ON s.k = d.a;
