--fail=line 3, column 8: not supported: SELECT DISTINCT (write GROUP BY over the columns)
CREATE TABLE clicks (user_id STRING, amount INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3');
SELECT DISTINCT user_id FROM clicks;
