-- HAVING on a streaming GROUP BY: each change of the aggregate is filtered on its own, so a
-- group entering the condition appears as +U and one leaving it as -U (and an expression of a
-- group key and aggregates in the select list, SUM(DISTINCT ...), a WHERE before grouping).
CREATE TABLE clicks (user_id STRING, amount INT, price DOUBLE, cost DECIMAL(10, 2), url STRING) WITH ('connector' = 'filesystem', 'path' = 'data/clicks.json', 'format' = 'debezium-json');
CREATE TABLE busy (name STRING, clicks BIGINT, distinct_amounts INT) WITH ('connector' = 'print');
INSERT INTO busy SELECT UPPER(user_id) || '!', COUNT(*) * 10, SUM(DISTINCT amount) FROM clicks WHERE url <> '/c' OR amount = 7 GROUP BY user_id HAVING COUNT(*) > 1
