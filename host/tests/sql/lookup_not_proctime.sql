--fail=FOR SYSTEM_TIME AS OF needs a processing-time column
CREATE TABLE src (k STRING, t STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE dim (k STRING, v STRING) WITH ('connector' = 'redis', 'hostname' = 'h');
CREATE TABLE out (k STRING, v STRING) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT s.k, d.v FROM src AS s JOIN dim FOR SYSTEM_TIME AS OF s.t AS d ON s.k = d.k;
