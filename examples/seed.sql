-- The seed's DDL, verbatim (section "使用自定义 Redis Connector" of the platform manual).
    DROP TABLE IF EXISTS redis_dim;
    CREATE TABLE redis_dim
    (
        sex  STRING,
        desc STRING,
        rt AS PROCTIME()
    ) WITH (
        'connector' = 'redis',
        'hostname' = 'localhost',
        'port' = '6379',
        'password' = '123456'
        );

    DROP TABLE IF EXISTS redis;
    CREATE TABLE redis
    (
        id   STRING,
        name STRING,
        sex  STRING,
        PRIMARY KEY (id) NOT ENFORCED
    ) WITH (
        'connector' = 'redis',
        'hostname' = 'localhost',   
        'port' = '6379',
        'password' = '123456',  --redis 密码
        'ttl' = '60' -- second
        );

-- A MySQL changelog (Debezium JSON) replayed into the seed's `redis` table: inserts, an
-- update and a delete, so Redis ends up holding the current rows.
CREATE TABLE users_cdc (
    id   STRING,
    name STRING,
    sex  STRING,
    PRIMARY KEY (id) NOT ENFORCED
) WITH (
    'connector' = 'filesystem',
    'path' = 'examples/data/users-debezium.json',
    'format' = 'debezium-json'
);
INSERT INTO redis SELECT id, name, sex FROM users_cdc;

-- Descriptions for the seed's dimension table `redis_dim` (keyed by its first column, `sex`).
CREATE TABLE sex_desc (sex STRING, desc STRING) WITH (
    'connector' = 'filesystem',
    'path' = 'examples/data/sex-desc.csv',
    'format' = 'csv'
);
INSERT INTO redis_dim SELECT sex, desc FROM sex_desc;

-- A stream of visits enriched through a lookup join on `redis_dim`, printed in Flink's form.
CREATE TABLE visits (
    user_id STRING,
    sex     STRING,
    proc AS PROCTIME()
) WITH (
    'connector' = 'filesystem',
    'path' = 'examples/data/visits.json',
    'format' = 'json'
);
CREATE TABLE enriched (
    user_id     STRING,
    sex         STRING,
    description STRING
) WITH (
    'connector' = 'print',
    'print-identifier' = 'enriched'
);
INSERT INTO enriched
SELECT v.user_id, v.sex, d.desc
FROM visits AS v
LEFT JOIN redis_dim FOR SYSTEM_TIME AS OF v.proc AS d ON v.sex = d.sex;
