-- A streaming GROUP BY over a Debezium changelog (inserts, an update, deletes): every
-- aggregate, under retraction, into a print sink keyed by the group (its changelog: +I, -U/+U,
-- -D). SUM of INT wraps as Java's int; AVG of INT is an INT; DECIMAL sums keep the scale,
-- DECIMAL averages have scale 6; a group whose rows are all retracted is deleted.
CREATE TABLE clicks (user_id STRING, amount INT, price DOUBLE, cost DECIMAL(10, 2), url STRING) WITH ('connector' = 'filesystem', 'path' = 'data/clicks.json', 'format' = 'debezium-json');
CREATE TABLE per_user (user_id STRING, clicks BIGINT, amounts BIGINT, urls BIGINT, total INT, low INT, high INT, mean INT, mean_price DOUBLE, total_cost DECIMAL(38, 2), mean_cost DECIMAL(38, 6), first_url STRING, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'print');
INSERT INTO per_user SELECT user_id, COUNT(*), COUNT(amount), COUNT(DISTINCT url), SUM(amount), MIN(amount), MAX(amount), AVG(amount), AVG(price), SUM(cost), AVG(cost), MIN(url) FROM clicks GROUP BY user_id
