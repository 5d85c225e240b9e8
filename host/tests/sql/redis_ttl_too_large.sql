--fail=table 'r': invalid value '9223372036854775807' for option 'ttl': expected an integer of at most 1000000000000000
CREATE TABLE src (a STRING, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE r (a STRING, b STRING) WITH ('connector' = 'redis', 'hostname' = 'h', 'ttl' = '9223372036854775807');
INSERT INTO r SELECT a, b FROM src;
