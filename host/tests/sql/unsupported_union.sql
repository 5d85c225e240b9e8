--fail=line 3, column 28: not supported: UNION
CREATE TABLE clicks (user_id STRING, amount INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3');
SELECT user_id FROM clicks UNION ALL SELECT user_id FROM clicks;
