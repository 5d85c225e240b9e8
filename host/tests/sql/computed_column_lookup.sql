--fail=not supported: the lookup table 'dim' has a computed column ('v2')
CREATE TABLE src (id BIGINT, p AS PROCTIME()) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE dim (id BIGINT, v STRING, v2 AS UPPER(v), PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '1');
CREATE TABLE sink_t (id BIGINT, v STRING) WITH ('connector' = 'blackhole');
INSERT INTO sink_t SELECT s.id, d.v FROM src AS s JOIN dim FOR SYSTEM_TIME AS OF s.p AS d ON s.id = d.id;
