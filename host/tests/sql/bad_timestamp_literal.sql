--fail=line 3, column 45: '2020-13-01 00:00:00' is not a TIMESTAMP literal
CREATE TABLE src (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
SELECT a FROM src WHERE CURRENT_TIMESTAMP > TIMESTAMP '2020-13-01 00:00:00';
