-- Computed columns (Flink's docs: `cost AS price * quantity`): computed from the row, usable in
-- SELECT * and WHERE, with the expression's type; a sink's computed column is not written.
CREATE TABLE orders (id INT, quantity INT, cost AS id * 1.5 * quantity, label AS UPPER(CONCAT('order-', CAST(id AS STRING)))) WITH ('connector' = 'datagen', 'number-of-rows' = '4', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '4', 'fields.quantity.kind' = 'sequence', 'fields.quantity.start' = '10', 'fields.quantity.end' = '13');
CREATE TABLE sink_t (id INT, quantity INT, cost DECIMAL(22, 1), label STRING, doubled AS quantity * 2) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT * FROM orders WHERE cost > 20
